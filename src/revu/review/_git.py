"""Change sources: read a change of a local git repository through the `git` command."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path

from revu.review._changeset import ChangeSet, FileChange, FileStatus, LineKind
from revu.review._context import extend_to_enclosing
from revu.review._diff import (
    MAX_FILE_BYTES,
    file_from_patch,
    file_from_text,
    format_size,
    parse_raw,
    printable_path,
    split_patch,
    text_lines,
)

_MAX_COMMITS = 30
_MAX_COMMIT_TEXT = 4000
# Options that make diff output the same whatever the user's git configuration says.
_DIFF_OPTIONS = (
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "--find-renames",
    "--src-prefix=a/",
    "--dst-prefix=b/",
    "--submodule=short",
    "--unified=3",
)


class ChangeSourceError(Exception):
    """The change cannot be read (not a repository, unknown ref, git missing). One line."""


@dataclass(frozen=True)
class _Git:
    root: Path

    def run(self, *args: str, stdin: bytes | None = None, ok: tuple[int, ...] = (0,)) -> bytes:
        proc = _run_git(self.root, args, stdin)
        if proc.returncode not in ok:
            message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            detail = message[-1] if message else f"exit code {proc.returncode}"
            raise ChangeSourceError(f"git {args[0]} failed: {detail.removeprefix('fatal: ')}")
        return proc.stdout

    def text(self, *args: str) -> str:
        return self.run(*args).decode("utf-8", "replace").strip()

    def answer(self, *args: str) -> str | None:
        """The output of a git question whose failure is an answer (no such ref...), else None."""
        proc = _run_git(self.root, args, None)
        return proc.stdout.decode().strip() if proc.returncode == 0 else None

    def commit(self, ref: str) -> str | None:
        return self.answer("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")


def _run_git(
    cwd: Path, args: tuple[str, ...], stdin: bytes | None
) -> subprocess.CompletedProcess[bytes]:
    env = {
        **os.environ,
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_OPTIONAL_LOCKS": "0",  # reading must never take the index lock from the user
        "LC_ALL": "C",
    }
    command = ["git", "-c", "core.quotepath=off", "-c", "color.ui=never", *args]
    try:
        return subprocess.run(
            command, cwd=cwd, input=stdin, capture_output=True, env=env, check=False
        )
    except FileNotFoundError:
        raise ChangeSourceError("git is not installed: install git and try again") from None


def find_root(path: Path) -> Path:
    """The top of the git work tree that contains `path`."""
    if not path.exists():
        raise ChangeSourceError(f"{path} does not exist: pass the path of a git repository")
    start = path if path.is_dir() else path.parent
    proc = _run_git(start, ("rev-parse", "--show-toplevel"), None)
    if proc.returncode != 0:
        raise ChangeSourceError(
            f"{path} is not inside a git work tree: run revu review in a git repository "
            "or pass its path"
        )
    return Path(proc.stdout.decode().strip())


def load_changes(
    path: Path | str = ".",
    *,
    base: str | None = None,
    head: str | None = None,
    staged: bool = False,
) -> ChangeSet:
    """Read the change to review from the git repository at `path`.

    By default: the uncommitted changes (working tree and index against HEAD, untracked files
    included) when there are any, else the current branch against its merge base with the
    default branch. `staged`: the index against HEAD. `base`/`head`: `head` (default HEAD)
    against its merge base with `base` (default: the default branch).
    """
    git = _Git(find_root(Path(path).resolve()))
    head_commit = git.commit("HEAD")
    branch = _branch(git)
    if staged and (base or head):
        raise ChangeSourceError("--staged cannot be combined with --base or --head")
    if staged:
        against = head_commit or _empty_tree(git)
        staged_files = tuple(_diff(git, ("--cached", against), read_from=":"))
        return ChangeSet(git.root, staged_files, "staged changes", branch=branch, base=head_commit)
    if base or head:
        return _branch_change(git, branch, base, head)
    if head_commit is None:
        files = _diff(git, (_empty_tree(git),), read_from=None) + _untracked(git)
        note = "the repository has no commits yet: every file is new"
        return ChangeSet(git.root, _sorted(files), "uncommitted changes", branch, notes=(note,))
    files = _diff(git, ("HEAD",), read_from=None) + _untracked(git)
    if files:
        return ChangeSet(
            git.root, _sorted(files), "uncommitted changes", branch=branch, base=head_commit
        )
    return _branch_change(git, branch, None, None)


def _branch_change(git: _Git, branch: str | None, base: str | None, head: str | None) -> ChangeSet:
    head_ref = head or "HEAD"
    head_commit = git.commit(head_ref)
    if head_commit is None:
        if head is None:
            raise ChangeSourceError("the repository has no commits yet: nothing to compare")
        raise ChangeSourceError(f"unknown ref {head!r}: pass a branch, tag or commit that exists")
    base_ref = base or _default_branch(git)
    if base_ref is None:
        note = (
            "no uncommitted changes, and no default branch (origin/HEAD, main, master) to "
            "compare with: pass --base REF"
        )
        name = branch or head_commit[:10]
        return ChangeSet(git.root, (), name, branch=branch, head=head_commit, notes=(note,))
    if git.commit(base_ref) is None:
        raise ChangeSourceError(
            f"unknown ref {base_ref!r}: pass a branch, tag or commit that exists"
        )
    base_commit = git.answer("merge-base", base_ref, head_commit)
    if base_commit is None:
        raise ChangeSourceError(f"{base_ref} and {head_ref} share no history: pass another --base")
    name = head or branch or head_commit[:10]
    description = f"{name} against {base_ref} (merge base {base_commit[:10]})"
    notes: tuple[str, ...] = ()
    if base_commit == head_commit:
        notes = (f"no uncommitted changes, and {name} has no commits beyond {base_ref}",)
        return ChangeSet(git.root, (), description, branch, (), base_commit, head_commit, notes)
    files = tuple(_diff(git, (base_commit, head_commit), read_from=f"{head_commit}:"))
    commits = _commit_messages(git, base_commit, head_commit)
    return ChangeSet(git.root, files, description, branch, commits, base_commit, head_commit, notes)


def _branch(git: _Git) -> str | None:
    return git.answer("symbolic-ref", "--quiet", "--short", "HEAD") or None  # None: detached


def _default_branch(git: _Git) -> str | None:
    remote_head = git.answer("symbolic-ref", "--quiet", "refs/remotes/origin/HEAD")
    if remote_head is not None:
        return remote_head.removeprefix("refs/remotes/")
    for candidate in ("main", "master", "origin/main", "origin/master"):
        if git.commit(candidate) is not None:
            return candidate
    return None


def _empty_tree(git: _Git) -> str:
    return git.text("hash-object", "-t", "tree", "--stdin")  # works for sha1 and sha256 repos


def _commit_messages(git: _Git, base: str, head: str) -> tuple[str, ...]:
    out = git.run("log", "--no-merges", f"-n{_MAX_COMMITS}", "--format=%B%x00", f"{base}..{head}")
    messages = [m.strip() for m in out.decode("utf-8", "replace").split("\0") if m.strip()]
    messages.reverse()  # oldest first: the story in the order it was told
    kept: list[str] = []
    total = 0
    for message in messages:
        total += len(message)
        if total > _MAX_COMMIT_TEXT:
            break
        kept.append(message)
    return tuple(kept)


def _diff(git: _Git, revs: tuple[str, ...], read_from: str | None) -> list[FileChange]:
    """Diff `revs`; `read_from` says where new files' text lives: None for the working tree,
    ":" for the index, "<commit>:" for a commit."""
    raw = parse_raw(git.run("diff", "--raw", "-z", *_DIFF_OPTIONS, *revs, "--"))
    if not raw:
        return []
    sections = split_patch(git.run("diff", *_DIFF_OPTIONS, *revs, "--"))
    if len(sections) != len(raw):  # never seen; fail loudly rather than pair the wrong files
        raise ChangeSourceError("git diff output could not be read: please report this")
    files = [file_from_patch(entry, section) for entry, section in zip(raw, sections, strict=True)]
    texts = _new_texts(git, [f for f in files if _readable(f)], read_from)
    return [_with_text(f, texts.get(f.path)) for f in files]


def _readable(change: FileChange) -> bool:
    return change.skip_reason is None and change.status is not FileStatus.DELETED


def _new_texts(git: _Git, files: list[FileChange], read_from: str | None) -> dict[str, bytes]:
    if read_from is None:
        found: dict[str, bytes] = {}
        for f in files:
            target = git.root / f.path
            if target.is_file() and not target.is_symlink():
                found[f.path] = target.read_bytes()
        return found
    wanted = [f.path for f in files if "\n" not in f.path]
    if not wanted:
        return {}
    query = "".join(f"{read_from}{p}\n" for p in wanted).encode()
    return _parse_batch(git.run("cat-file", "--batch", stdin=query), wanted)


def _parse_batch(out: bytes, paths: list[str]) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    pos = 0
    for p in paths:
        end = out.index(b"\n", pos)
        header = out[pos:end].split(b" ")
        pos = end + 1
        if len(header) == 3 and header[1] == b"blob":
            size = int(header[2])
            found[p] = out[pos : pos + size]
            pos += size + 1
        elif len(header) == 3:
            pos += int(header[2]) + 1
    return found


def _with_text(change: FileChange, data: bytes | None) -> FileChange:
    if data is None or len(data) > MAX_FILE_BYTES:
        return change
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return change
    lines = text_lines(text)
    # Trust the text only if it agrees with every added line (clean/smudge filters may not).
    for hunk in change.hunks:
        for ln in hunk.lines:
            if ln.kind is LineKind.ADDED and (
                ln.new_no is None or ln.new_no > len(lines) or lines[ln.new_no - 1] != ln.text
            ):
                return change
    return extend_to_enclosing(replace(change, new_lines=tuple(lines)))


def _untracked(git: _Git) -> list[FileChange]:
    out = git.run("ls-files", "--others", "--exclude-standard", "-z")
    files: list[FileChange] = []
    for raw in out.split(b"\0"):
        if not raw:
            continue
        path = os.fsdecode(raw)
        target = git.root / path
        if printable_path(path) is not None:
            files.append(file_from_text(path, b""))  # reported by its name alone
        elif path.endswith("/"):  # git lists a nested repository as a directory
            files.append(
                FileChange(path.rstrip("/"), FileStatus.ADDED, skip_reason="nested git repository")
            )
        elif target.is_symlink():
            files.append(FileChange(path, FileStatus.ADDED, skip_reason="symbolic link"))
        elif not target.is_file():
            continue
        elif (size := target.stat().st_size) > MAX_FILE_BYTES:
            reason = f"too large ({format_size(size)})"
            files.append(FileChange(path, FileStatus.ADDED, skip_reason=reason))
        else:
            files.append(file_from_text(path, target.read_bytes()))
    return files


def _sorted(files: list[FileChange]) -> tuple[FileChange, ...]:
    return tuple(sorted(files, key=lambda f: f.path))
