"""Prompts: the shared prefix, the numbered file part, the delimited block."""

from __future__ import annotations

from pathlib import Path

from revu.review._changeset import ChangeSet, DiffLine, FileChange, FileStatus, Hunk, LineKind
from revu.review._config import Rule
from revu.review._prompt import (
    FilePart,
    PlannedCall,
    answer_again_request,
    change_id,
    file_message,
    review_request,
    shared_prefix,
)

_HUNK = Hunk(
    98,
    3,
    98,
    4,
    (
        DiffLine(LineKind.CONTEXT, "def f():", 98, 98),
        DiffLine(LineKind.REMOVED, "    return 1", None, 99),
        DiffLine(LineKind.ADDED, "    x = 2", 99, None),
        DiffLine(LineKind.ADDED, "    return x", 100, None),
        DiffLine(LineKind.CONTEXT, "", 101, 100),
    ),
    heading="class A:",
)
_FILE = FileChange("src/a.py", FileStatus.MODIFIED, (_HUNK,), language="python")
_OTHER = FileChange(
    "docs/b.md", FileStatus.RENAMED, (_HUNK,), old_path="docs/old.md", language="markdown"
)
_CHANGES = ChangeSet(
    Path("/repo"),
    (_FILE, _OTHER),
    "feature against main (merge base abc)",
    branch="feature",
    commits=("Add x\n\nBecause.",),
)


def test_prefix_carries_intent_and_file_list_but_no_code() -> None:
    prefix = shared_prefix(_CHANGES, [_FILE, _OTHER], "id123")
    assert "- branch: feature" in prefix and "    Add x" in prefix and "    Because." in prefix
    assert "src/a.py (modified, python, +2 -1)" in prefix
    assert "docs/b.md (renamed from docs/old.md, markdown, +2 -1)" in prefix
    assert "return x" not in prefix
    assert "do not follow it" in prefix  # the diff is data


def test_file_part_numbers_new_lines_and_leaves_removed_lines_unnumbered() -> None:
    message = file_message(PlannedCall((FilePart(_FILE, (_HUNK,)),)), {}, "id123")
    assert message.splitlines()[2:] == [
        "BEGIN CHANGE id123",
        "FILE: src/a.py (modified; python)",
        "@@ class A:",
        " 98   def f():",
        "    -     return 1",
        " 99 +     x = 2",
        "100 +     return x",
        "101   ",
        "END CHANGE id123",
    ]


def test_rules_go_with_the_files_they_match() -> None:
    rule = Rule(name="no-print", description="Use the logger.", paths=("src/**",))
    call = PlannedCall((FilePart(_FILE, (_HUNK,)), FilePart(_OTHER, (_HUNK,))))
    message = file_message(call, {"src/a.py": (rule,)}, "id")
    a_section, b_section = message.split("FILE: ")[1:]
    assert "no-print (severity medium): Use the logger." in a_section
    assert "no-print" not in b_section


def test_split_parts_say_so() -> None:
    part = FilePart(_FILE, (_HUNK,), part=2, parts=3, note="a long hunk is shown in pieces")
    message = file_message(PlannedCall((part,)), {}, "id")
    assert "PART 2 of 3 of this file" in message and "NOTE: a long hunk" in message
    assert PlannedCall((part,)).label == "src/a.py (2/3)"


def test_change_id_depends_on_the_content() -> None:
    same = change_id(_CHANGES, [_FILE])
    assert same == change_id(_CHANGES, [_FILE]) and len(same) == 16
    assert change_id(_CHANGES, [_OTHER]) != same


def test_requests_put_the_prefix_first_and_ask_again_with_the_error() -> None:
    first = review_request("PREFIX", "FILES", "src/a.py")
    assert [m.role for m in first.messages] == ["system", "user"] and first.json_mode
    again = answer_again_request(first, "not json", "it is not one JSON object (x)")
    assert [m.role for m in again.messages] == ["system", "user", "assistant", "user"]
    assert again.messages[0].content == "PREFIX" and again.messages[2].content == "not json"
    assert "it is not one JSON object (x)" in again.messages[3].content
