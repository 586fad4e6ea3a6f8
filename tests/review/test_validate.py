"""Checking findings against the change: paths, lines, allowed values, suggestions."""

from __future__ import annotations

from typing import Any

from revu.review._changeset import DiffLine, FileChange, FileStatus, Hunk, LineKind
from revu.review._validate import check_findings, usable_suggestion

# app.py: 30 lines; lines 10-11 changed (10 modified, 11 added), one line removed before 20.
_LINES = tuple(f"line {n}" for n in range(1, 31))


def _app() -> FileChange:
    first = Hunk(
        7,
        6,
        7,
        7,
        (
            DiffLine(LineKind.CONTEXT, "line 7", 7, 7),
            DiffLine(LineKind.CONTEXT, "line 8", 8, 8),
            DiffLine(LineKind.CONTEXT, "line 9", 9, 9),
            DiffLine(LineKind.REMOVED, "old 10", None, 10),
            DiffLine(LineKind.ADDED, "line 10", 10, None),
            DiffLine(LineKind.ADDED, "line 11", 11, None),
            DiffLine(LineKind.CONTEXT, "line 12", 12, 11),
            DiffLine(LineKind.CONTEXT, "line 13", 13, 12),
        ),
    )
    second = Hunk(
        18,
        4,
        19,
        3,
        (
            DiffLine(LineKind.CONTEXT, "line 19", 19, 18),
            DiffLine(LineKind.REMOVED, "gone", None, 19),
            DiffLine(LineKind.CONTEXT, "line 20", 20, 20),
            DiffLine(LineKind.CONTEXT, "line 21", 21, 21),
        ),
    )
    return FileChange("src/app.py", FileStatus.MODIFIED, (first, second), new_lines=_LINES)


def _claim(**values: Any) -> dict[str, Any]:
    base = {
        "path": "src/app.py",
        "line": 10,
        "end_line": 11,
        "severity": "high",
        "category": "bug",
        "title": "Off by one",
        "body": "The loop stops early.",
        "suggestion": None,
    }
    return {**base, **values}


def _check(*items: dict[str, Any]) -> tuple[list[Any], int]:
    checked = check_findings(list(items), {"src/app.py": _app()})
    return checked.findings, checked.dropped


def test_finding_on_changed_lines_is_kept_with_its_code() -> None:
    (finding,), dropped = _check(_claim())
    assert dropped == 0
    assert (finding.path, finding.line, finding.end_line) == ("src/app.py", 10, 11)
    assert finding.code == ("line 10", "line 11")
    assert len(finding.fingerprint) == 64


def test_lines_within_three_of_a_change_are_kept_farther_are_dropped() -> None:
    kept, dropped = _check(_claim(line=14, end_line=14), _claim(line=7, end_line=7))
    assert [f.line for f in kept] == [14, 7] and dropped == 0
    kept, dropped = _check(_claim(line=15, end_line=15), _claim(line=3, end_line=6))
    assert kept == [] and dropped == 2


def test_a_pure_deletion_anchors_its_neighbours() -> None:
    kept, dropped = _check(_claim(line=20, end_line=20), _claim(line=27, end_line=27))
    assert [f.line for f in kept] == [20] and dropped == 1


def test_unknown_path_bad_values_and_past_the_end_are_dropped() -> None:
    kept, dropped = _check(
        _claim(path="src/other.py"),
        _claim(severity="urgent"),
        _claim(category="naming"),
        _claim(line="ten"),
        _claim(title="  "),
        _claim(line=29, end_line=40),
    )
    assert kept == [] and dropped == 6


def test_lenient_but_safe_normalisation() -> None:
    (finding,), _ = _check(_claim(path="b/src/app.py", severity="HIGH", end_line=None, line=11))
    assert finding.path == "src/app.py" and finding.end_line == 11
    (swapped,), _ = _check(_claim(line=11, end_line=10))
    assert (swapped.line, swapped.end_line) == (10, 11)


def test_fingerprint_survives_line_shifts_and_tracks_content() -> None:
    (a,), _ = _check(_claim())
    moved = FileChange(
        "src/app.py",
        FileStatus.MODIFIED,
        tuple(
            Hunk(
                h.old_start,
                h.old_count,
                h.new_start + 5,
                h.new_count,
                tuple(
                    DiffLine(ln.kind, ln.text, ln.new_no + 5 if ln.new_no else None, ln.old_no)
                    for ln in h.lines
                ),
            )
            for h in _app().hunks
        ),
        new_lines=tuple(f"pad {n}" for n in range(5)) + _LINES,
    )
    (b,) = check_findings([_claim(line=15, end_line=16)], {"src/app.py": moved}).findings
    assert b.code == a.code and b.fingerprint == a.fingerprint
    (c,), _ = _check(_claim(title="off-by-one!"))
    assert c.fingerprint == a.fingerprint  # case and punctuation do not matter
    (d,), _ = _check(_claim(line=11, end_line=11))
    assert d.fingerprint != a.fingerprint


def test_suggestions_that_would_cost_trust_are_dropped_not_the_finding() -> None:
    (finding,), _ = _check(_claim(suggestion="line 10\nline 11"))  # identical to the original
    assert finding.suggestion is None
    original = ("    total = sum(xs) / len(xs)",)
    assert usable_suggestion("", original, True) is None
    assert usable_suggestion("   ", original, True) is None
    assert usable_suggestion("    total = sum(xs) / len(xs)\n", original, True) is None
    assert usable_suggestion("    total = sum(xs) / max(len(xs), 1", original, True) is None  # cut
    assert usable_suggestion("    total = (\n        ...\n", original, True) is None
    assert usable_suggestion("    # rest of the function unchanged", original, True) is None
    assert usable_suggestion("12 +     total = 0", original, True) is None  # numbered
    good = "    total = sum(xs) / len(xs) if xs else 0.0"
    assert usable_suggestion(good, original, True) == good
    assert usable_suggestion(f"```python\n{good}\n```", original, True) == good
    assert usable_suggestion(good, original, False) is None  # original lines unknown
    # A fix may close what the original left open, or drop a stray closer.
    assert usable_suggestion("    print(f(x))", ("    print(f(x)",), True) == "    print(f(x))"
    assert usable_suggestion("    print(x)", ("    print(x))",), True) == "    print(x)"
    # A call that continues past the cited lines may stay open, as it was.
    assert usable_suggestion("    f(a, b,", ("    f(a,",), True) == "    f(a, b,"
