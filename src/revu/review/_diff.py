"""Reading git's diff output: `--raw -z` entries and the unified patch of each file."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace

from revu.review._changeset import DiffLine, FileChange, FileStatus, Hunk, LineKind, guess_language

# A file whose diff is bigger than this is reported, not reviewed: it is data, not code.
MAX_FILE_BYTES = 1_000_000

_HUNK_HEADER = re.compile(rb"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@ ?(.*)$")
_SUBMODULE_MODE = "160000"
_SYMLINK_MODE = "120000"
_NO_MODE = "000000"


@dataclass(frozen=True)
class RawEntry:
    """One line of `git diff --raw -z`: modes, status letter and paths."""

    old_mode: str
    new_mode: str
    status: str  # A, M, D, R, C, T, U
    path: str
    old_path: str | None


def parse_raw(output: bytes) -> list[RawEntry]:
    """Parse `git diff --raw -z` (NUL-separated, paths unquoted)."""
    fields = output.split(b"\0")
    entries: list[RawEntry] = []
    i = 0
    while i < len(fields):
        head = fields[i]
        if not head.startswith(b":"):
            i += 1
            continue
        old_mode, new_mode, _old_sha, _new_sha, status = head[1:].decode().split(" ")[:5]
        letter = status[:1]
        if letter in ("R", "C"):
            old, new = os.fsdecode(fields[i + 1]), os.fsdecode(fields[i + 2])
            entries.append(RawEntry(old_mode, new_mode, letter, new, old))
            i += 3
        else:
            entries.append(RawEntry(old_mode, new_mode, letter, os.fsdecode(fields[i + 1]), None))
            i += 2
    return entries


def printable_path(path: str) -> str | None:
    """A path decoded from git with surrogate escapes, made printable; None when it was
    valid UTF-8 already (people and JSON cannot take the raw bytes)."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return None


def split_patch(output: bytes) -> list[bytes]:
    """Cut a multi-file patch into one section per file (content lines never start with
    `diff --git`: they carry a ' ', '+' or '-' marker first)."""
    sections: list[bytes] = []
    start: int | None = None
    pos = 0
    for line in output.splitlines(keepends=True):
        if line.startswith(b"diff --git "):
            if start is not None:
                sections.append(output[start:pos])
            start = pos
        pos += len(line)
    if start is not None:
        sections.append(output[start:pos])
    return sections


def _status(entry: RawEntry) -> FileStatus:
    if entry.status == "A" or entry.status == "C":
        return FileStatus.ADDED
    if entry.status == "D":
        return FileStatus.DELETED
    if entry.status == "R":
        return FileStatus.RENAMED
    return FileStatus.MODIFIED


def file_from_patch(entry: RawEntry, section: bytes) -> FileChange:
    """Build the FileChange of one raw entry from its patch section."""
    status = _status(entry)
    base = FileChange(
        path=entry.path,
        status=status,
        old_path=entry.old_path,
        language=guess_language(entry.path),
        old_mode=None if entry.old_mode == _NO_MODE else entry.old_mode,
        new_mode=None if entry.new_mode == _NO_MODE else entry.new_mode,
    )
    printable = printable_path(entry.path)
    if printable is not None:
        return replace(base, path=printable, old_path=None, skip_reason="file name is not UTF-8")
    if _SUBMODULE_MODE in (entry.old_mode, entry.new_mode):
        return replace(base, skip_reason="submodule")
    if entry.new_mode == _SYMLINK_MODE:
        return replace(base, skip_reason="symbolic link")
    if len(section) > MAX_FILE_BYTES:
        return replace(base, skip_reason=f"too large ({format_size(len(section))} of diff)")
    body = section.split(b"\n")
    first_hunk = next((i for i, ln in enumerate(body) if ln.startswith(b"@@ ")), len(body))
    if any(ln.startswith((b"Binary files ", b"GIT binary patch")) for ln in body[:first_hunk]):
        return replace(base, binary=True, skip_reason="binary file")
    try:
        hunks = parse_hunks(body[first_hunk:])
    except UnicodeDecodeError:
        return replace(base, skip_reason="not UTF-8 text")
    if not hunks:
        if status is FileStatus.RENAMED:
            return replace(base, skip_reason=f"renamed from {entry.old_path} without changes")
        if entry.old_mode != entry.new_mode and status is FileStatus.MODIFIED:
            reason = f"mode change only ({entry.old_mode} → {entry.new_mode})"
            return replace(base, skip_reason=reason)
        if status is not FileStatus.DELETED:
            return replace(base, skip_reason="empty file")
    return replace(base, hunks=tuple(hunks))


def parse_hunks(lines: list[bytes]) -> list[Hunk]:
    """Parse the hunks of one file. Raises UnicodeDecodeError when a line is not UTF-8."""
    hunks: list[Hunk] = []
    i = 0
    while i < len(lines):
        match = _HUNK_HEADER.match(lines[i].rstrip(b"\r"))
        if not match:
            i += 1
            continue
        old_start, new_start = int(match[1]), int(match[3])
        old_count = int(match[2]) if match[2] is not None else 1
        new_count = int(match[4]) if match[4] is not None else 1
        heading = match[5].decode("utf-8", errors="replace").strip()
        shown: list[DiffLine] = []
        old_no, new_no = old_start, new_start
        old_left, new_left = old_count, new_count
        i += 1
        while i < len(lines) and (old_left > 0 or new_left > 0):
            raw = lines[i]
            i += 1
            if raw.startswith(b"\\"):
                _mark_no_newline(shown)
                continue
            text = raw[1:].decode("utf-8").rstrip("\r")
            marker = raw[:1]
            if marker == b"+":
                shown.append(DiffLine(LineKind.ADDED, text, new_no, None))
                new_no, new_left = new_no + 1, new_left - 1
            elif marker == b"-":
                shown.append(DiffLine(LineKind.REMOVED, text, None, old_no))
                old_no, old_left = old_no + 1, old_left - 1
            else:  # " " (or an empty line some tools write for an empty context line)
                shown.append(DiffLine(LineKind.CONTEXT, text, new_no, old_no))
                new_no, old_no = new_no + 1, old_no + 1
                new_left, old_left = new_left - 1, old_left - 1
        if i < len(lines) and lines[i].startswith(b"\\"):
            _mark_no_newline(shown)
            i += 1
        hunks.append(Hunk(old_start, old_count, new_start, new_count, tuple(shown), heading))
    return hunks


def _mark_no_newline(shown: list[DiffLine]) -> None:
    if shown:
        last = shown[-1]
        shown[-1] = DiffLine(last.kind, last.text, last.new_no, last.old_no, True)


def file_from_text(path: str, data: bytes) -> FileChange:
    """An untracked file, shown as wholly added (what `git add` would make of it)."""
    base = FileChange(path=path, status=FileStatus.ADDED, language=guess_language(path))
    printable = printable_path(path)
    if printable is not None:
        return replace(base, path=printable, skip_reason="file name is not UTF-8")
    if len(data) > MAX_FILE_BYTES:
        return replace(base, skip_reason=f"too large ({format_size(len(data))})")
    if b"\0" in data[:8000]:  # git's own test for binary content
        return replace(base, binary=True, skip_reason="binary file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return replace(base, skip_reason="not UTF-8 text")
    if not text:
        return replace(base, skip_reason="empty file")
    content = text_lines(text)
    shown = [DiffLine(LineKind.ADDED, ln, n, None) for n, ln in enumerate(content, start=1)]
    if not text.endswith("\n"):
        _mark_no_newline(shown)
    hunk = Hunk(0, 0, 1, len(content), tuple(shown))
    return replace(base, hunks=(hunk,), new_lines=tuple(content))


def text_lines(text: str) -> list[str]:
    """A file's lines without their ends; a final newline ends the last line, it does not
    start another."""
    lines = [ln.rstrip("\r") for ln in text.split("\n")]
    if text.endswith("\n"):
        lines.pop()
    return lines


def format_size(n: int) -> str:
    """A byte count for people: 12 kB, 1.4 MB."""
    return f"{n / 1_000_000:.1f} MB" if n >= 100_000 else f"{n / 1000:.0f} kB"
