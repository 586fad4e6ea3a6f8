"""Parsing git's diff output: the edge cases that break naive parsers."""

from __future__ import annotations

from revu.review._changeset import FileChange, FileStatus, LineKind
from revu.review._diff import (
    file_from_patch,
    file_from_text,
    parse_hunks,
    parse_raw,
    split_patch,
)


def _files(raw: bytes, patch: bytes) -> list[FileChange]:
    entries = parse_raw(raw)
    sections = split_patch(patch)
    assert len(entries) == len(sections)
    return [file_from_patch(e, s) for e, s in zip(entries, sections, strict=True)]


def test_modified_file_numbers_new_lines_and_keeps_removed_lines_unnumbered() -> None:
    patch = (
        b"diff --git a/app.py b/app.py\nindex 1..2 100644\n--- a/app.py\n+++ b/app.py\n"
        b"@@ -10,4 +10,5 @@ def handler(req):\n"
        b"     a = 1\n"
        b"-    b = 2\n"
        b"+    b = 3\n"
        b"+    c = 4\n"
        b"     d = 5\n"
        b"     return a\n"
    )
    (f,) = _files(b":100644 100644 1 2 M\0app.py\0", patch)
    assert f.status is FileStatus.MODIFIED and f.skip_reason is None
    (hunk,) = f.hunks
    assert hunk.heading == "def handler(req):"
    assert [(ln.kind, ln.new_no, ln.old_no) for ln in hunk.lines] == [
        (LineKind.CONTEXT, 10, 10),
        (LineKind.REMOVED, None, 11),
        (LineKind.ADDED, 11, None),
        (LineKind.ADDED, 12, None),
        (LineKind.CONTEXT, 13, 12),
        (LineKind.CONTEXT, 14, 13),
    ]
    assert hunk.added_lines == (11, 12)
    assert f.changed_ranges() == [(11, 12)]


def test_rename_with_spaces_in_paths_and_no_content_change() -> None:
    raw = b":100644 100644 aa aa R100\0old dir/a b.txt\0new dir/a b.txt\0"
    patch = (
        b"diff --git a/old dir/a b.txt b/new dir/a b.txt\nsimilarity index 100%\n"
        b"rename from old dir/a b.txt\nrename to new dir/a b.txt\n"
    )
    (f,) = _files(raw, patch)
    assert f.status is FileStatus.RENAMED
    assert (f.path, f.old_path) == ("new dir/a b.txt", "old dir/a b.txt")
    assert f.skip_reason == "renamed from old dir/a b.txt without changes"


def test_rename_with_edits_keeps_hunks() -> None:
    raw = b":100644 100644 aa bb R090\0a.py\0b.py\0"
    patch = (
        b"diff --git a/a.py b/b.py\nsimilarity index 90%\nrename from a.py\nrename to b.py\n"
        b"--- a/a.py\n+++ b/b.py\n@@ -1 +1 @@\n-x = 1\n+x = 2\n"
    )
    (f,) = _files(raw, patch)
    assert f.status is FileStatus.RENAMED and f.old_path == "a.py" and f.skip_reason is None
    assert f.hunks[0].added_lines == (1,)


def test_deleted_file_has_only_removed_lines() -> None:
    raw = b":100644 000000 aa 00 D\0gone.py\0"
    patch = (
        b"diff --git a/gone.py b/gone.py\ndeleted file mode 100644\nindex aa..00\n"
        b"--- a/gone.py\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-a\n-b\n"
    )
    (f,) = _files(raw, patch)
    assert f.status is FileStatus.DELETED and f.new_mode is None
    assert all(ln.kind is LineKind.REMOVED for ln in f.hunks[0].lines)
    assert f.hunks[0].added_lines == ()


def test_binary_file_is_marked_not_parsed() -> None:
    raw = b":100644 100644 aa bb M\0logo.png\0"
    patch = (
        b"diff --git a/logo.png b/logo.png\nindex aa..bb 100644\n"
        b"Binary files a/logo.png and b/logo.png differ\n"
    )
    (f,) = _files(raw, patch)
    assert f.binary and f.skip_reason == "binary file" and f.hunks == ()


def test_mode_only_change_is_reported() -> None:
    raw = b":100644 100755 aa aa M\0run.sh\0"
    patch = b"diff --git a/run.sh b/run.sh\nold mode 100644\nnew mode 100755\n"
    (f,) = _files(raw, patch)
    assert f.skip_reason == "mode change only (100644 → 100755)"


def test_non_utf8_content_is_reported_not_crashed() -> None:
    raw = b":100644 100644 aa bb M\0latin.txt\0"
    patch = (
        b"diff --git a/latin.txt b/latin.txt\n--- a/latin.txt\n+++ b/latin.txt\n"
        b"@@ -1 +1 @@\n-caf\xe9\n+caf\xe8\n"
    )
    (f,) = _files(raw, patch)
    assert f.skip_reason == "not UTF-8 text"


def test_no_newline_at_end_of_file_marker_is_not_a_line() -> None:
    body = [
        b"@@ -1,2 +1,3 @@",
        b" one",
        b"-two",
        b"\\ No newline at end of file",
        b"+two",
        b"+three",
        b"\\ No newline at end of file",
        b"",
    ]
    (hunk,) = parse_hunks(body)
    assert [(ln.kind.value, ln.text, ln.new_no) for ln in hunk.lines] == [
        (" ", "one", 1),
        ("-", "two", None),
        ("+", "two", 2),
        ("+", "three", 3),
    ]
    assert hunk.lines[1].no_newline_at_end and hunk.lines[3].no_newline_at_end
    assert not hunk.lines[2].no_newline_at_end


def test_submodule_is_skipped() -> None:
    raw = b":160000 160000 aa bb M\0libs/dep\0"
    patch = (
        b"diff --git a/libs/dep b/libs/dep\nindex aa..bb 160000\n--- a/libs/dep\n+++ b/libs/dep\n"
        b"@@ -1 +1 @@\n-Subproject commit aa\n+Subproject commit bb\n"
    )
    (f,) = _files(raw, patch)
    assert f.skip_reason == "submodule"


def test_content_that_looks_like_a_header_stays_content() -> None:
    patch = (
        b"diff --git a/notes.md b/notes.md\n--- a/notes.md\n+++ b/notes.md\n"
        b"@@ -0,0 +1,2 @@\n+diff --git a/x b/x\n+@@ -1 +1 @@\n"
    )
    (f,) = _files(b":000000 100644 00 aa A\0notes.md\0", patch)
    assert [ln.text for ln in f.hunks[0].lines] == ["diff --git a/x b/x", "@@ -1 +1 @@"]


def test_crlf_lines_lose_their_carriage_return() -> None:
    (hunk,) = parse_hunks([b"@@ -0,0 +1,2 @@", b"+a\r", b"+b\r", b""])
    assert [ln.text for ln in hunk.lines] == ["a", "b"]


def test_untracked_text_file_becomes_one_added_hunk() -> None:
    f = file_from_text("new.py", b"print(1)\nprint(2)")
    assert f.status is FileStatus.ADDED and f.language == "python"
    (hunk,) = f.hunks
    assert hunk.added_lines == (1, 2) and hunk.lines[-1].no_newline_at_end
    assert f.new_lines == ("print(1)", "print(2)")


def test_untracked_binary_and_latin1_files_are_reported() -> None:
    assert file_from_text("a.bin", b"\x00\x01").skip_reason == "binary file"
    assert file_from_text("a.txt", b"caf\xe9\n").skip_reason == "not UTF-8 text"
    assert file_from_text("empty.txt", b"").skip_reason == "empty file"
