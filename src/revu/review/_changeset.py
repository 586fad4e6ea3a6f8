"""What changed: files, hunks and lines with their new-file line numbers."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path, PurePosixPath


class FileStatus(StrEnum):
    """How a file changed between the two sides of a change."""

    ADDED = "added"
    MODIFIED = "modified"
    DELETED = "deleted"
    RENAMED = "renamed"


class LineKind(StrEnum):
    """One line of a hunk: kept, added on the new side, or removed from the old side."""

    CONTEXT = " "
    ADDED = "+"
    REMOVED = "-"


@dataclass(frozen=True)
class DiffLine:
    """A shown line. Removed lines have no new-file number; added lines have no old one."""

    kind: LineKind
    text: str
    new_no: int | None
    old_no: int | None
    no_newline_at_end: bool = False  # git's "\ No newline at end of file" followed this line


@dataclass(frozen=True)
class Hunk:
    """One contiguous region of a file's change."""

    old_start: int
    old_count: int
    new_start: int
    new_count: int
    lines: tuple[DiffLine, ...]
    heading: str = ""  # the enclosing function git names after the second @@

    @property
    def added_lines(self) -> tuple[int, ...]:
        """New-file numbers of the added (or modified) lines."""
        return tuple(ln.new_no for ln in self.lines if ln.kind is LineKind.ADDED and ln.new_no)

    def changed_ranges(self) -> list[tuple[int, int]]:
        """Runs of changed new-file lines; a pure deletion is anchored at the line after it."""
        runs: list[tuple[int, int]] = []
        next_new = self.new_start if self.new_start > 0 else 1
        pending_removal = False
        for ln in self.lines:
            if ln.kind is LineKind.REMOVED:
                pending_removal = True
                continue
            assert ln.new_no is not None
            if ln.kind is LineKind.ADDED:
                if runs and runs[-1][1] == ln.new_no - 1:
                    runs[-1] = (runs[-1][0], ln.new_no)
                else:
                    runs.append((ln.new_no, ln.new_no))
            elif pending_removal:
                # Lines were removed just before this kept line: the edit sits between the two.
                runs.append((max(1, ln.new_no - 1), ln.new_no))
            pending_removal = False
            next_new = ln.new_no + 1
        if pending_removal:
            runs.append((max(1, next_new - 1), next_new))
        return runs


@dataclass(frozen=True)
class FileChange:
    """One changed file. `skip_reason` is set when the change source already knows it cannot be
    reviewed (binary, not UTF-8, submodule, too large, mode change only...)."""

    path: str
    status: FileStatus
    hunks: tuple[Hunk, ...] = ()
    old_path: str | None = None
    language: str | None = None
    old_mode: str | None = None
    new_mode: str | None = None
    binary: bool = False
    skip_reason: str | None = None
    # The whole new file when it could be read: context extension, fingerprints, suggestions.
    new_lines: tuple[str, ...] | None = field(default=None, repr=False)

    @property
    def added_count(self) -> int:
        return sum(len(h.added_lines) for h in self.hunks)

    @property
    def removed_count(self) -> int:
        return sum(1 for h in self.hunks for ln in h.lines if ln.kind is LineKind.REMOVED)

    def changed_ranges(self) -> list[tuple[int, int]]:
        """Every run of changed new-file lines, in file order."""
        return [r for h in self.hunks for r in h.changed_ranges()]

    def line_text(self, number: int) -> str | None:
        """The new-file text of line `number` (1-based), from the file or from the hunks."""
        if self.new_lines is not None:
            return self.new_lines[number - 1] if 1 <= number <= len(self.new_lines) else None
        for hunk in self.hunks:
            for ln in hunk.lines:
                if ln.new_no == number and ln.kind is not LineKind.REMOVED:
                    return ln.text
        return None


@dataclass(frozen=True)
class ChangeSet:
    """A change to review: its files and what tells its intent (branch, commit messages)."""

    root: Path
    files: tuple[FileChange, ...]
    description: str  # e.g. "uncommitted changes" or "feature/x against main (merge base 1a2b3c4)"
    branch: str | None = None
    commits: tuple[str, ...] = ()  # commit messages, oldest first
    base: str | None = None  # the commit compared against (None: the empty tree)
    head: str | None = None  # the commit under review (None: the working tree or the index)
    notes: tuple[str, ...] = ()  # things a person should know about how the change was read

    def file(self, path: str) -> FileChange | None:
        for f in self.files:
            if f.path == path:
                return f
        return None


_LANGUAGES: dict[str, str] = {
    ".py": "python",
    ".pyi": "python",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascript",
    ".ts": "typescript",
    ".tsx": "typescript",
    ".go": "go",
    ".rs": "rust",
    ".java": "java",
    ".kt": "kotlin",
    ".kts": "kotlin",
    ".scala": "scala",
    ".rb": "ruby",
    ".php": "php",
    ".cs": "csharp",
    ".c": "c",
    ".h": "c",
    ".cc": "cpp",
    ".cpp": "cpp",
    ".cxx": "cpp",
    ".hpp": "cpp",
    ".m": "objective-c",
    ".swift": "swift",
    ".dart": "dart",
    ".ex": "elixir",
    ".exs": "elixir",
    ".erl": "erlang",
    ".hs": "haskell",
    ".lua": "lua",
    ".pl": "perl",
    ".r": "r",
    ".sh": "shell",
    ".bash": "shell",
    ".zsh": "shell",
    ".ps1": "powershell",
    ".sql": "sql",
    ".html": "html",
    ".htm": "html",
    ".css": "css",
    ".scss": "scss",
    ".vue": "vue",
    ".svelte": "svelte",
    ".json": "json",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".toml": "toml",
    ".xml": "xml",
    ".md": "markdown",
    ".rst": "restructuredtext",
    ".tf": "terraform",
    ".proto": "protobuf",
    ".graphql": "graphql",
}
_NAMED: dict[str, str] = {
    "dockerfile": "dockerfile",
    "makefile": "make",
    "gnumakefile": "make",
    "cmakelists.txt": "cmake",
    "jenkinsfile": "groovy",
}


def guess_language(path: str) -> str | None:
    """The language of a file from its name, or None when the name does not tell."""
    name = PurePosixPath(path).name.lower()
    if name in _NAMED:
        return _NAMED[name]
    return _LANGUAGES.get(PurePosixPath(name).suffix)
