"""Merging duplicates across calls and ranking."""

from __future__ import annotations

from revu.review._findings import (
    Category,
    Finding,
    Severity,
    fingerprint,
    merge_duplicates,
    rank,
)


def _finding(
    title: str,
    line: int,
    end_line: int | None = None,
    severity: Severity = Severity.MEDIUM,
    category: Category = Category.BUG,
    path: str = "a.py",
    suggestion: str | None = None,
) -> Finding:
    end = end_line or line
    return Finding(
        path,
        line,
        end,
        severity,
        category,
        title,
        "body",
        suggestion,
        fingerprint(path, title, category, ["x"]),
    )


def test_same_point_from_two_calls_keeps_the_most_severe() -> None:
    low = _finding("Possible division by zero", 10, 12, Severity.LOW)
    high = _finding("Division by zero possible", 11, 11, Severity.HIGH)
    (kept,) = merge_duplicates([low, high])
    assert kept is high


def test_different_points_on_the_same_lines_stay_apart() -> None:
    a = _finding("SQL built from user input", 5, 5, Severity.HIGH, Category.SECURITY)
    b = _finding("Connection never closed", 5, 6, Severity.MEDIUM, Category.BUG)
    assert len(merge_duplicates([a, b])) == 2


def test_same_title_far_apart_or_in_other_files_stay_apart() -> None:
    a = _finding("Missing null check", 5)
    b = _finding("Missing null check", 50)
    c = _finding("Missing null check", 5, path="b.py")
    assert len(merge_duplicates([a, b, c])) == 3


def test_same_category_on_the_same_lines_is_one_point() -> None:
    a = _finding("Race on counter", 7, 8, Severity.MEDIUM)
    b = _finding("Unsynchronised increment", 7, 8, Severity.MEDIUM, suggestion="lock()")
    (kept,) = merge_duplicates([a, b])
    assert kept is b  # equal severity: the one with a fix wins


def test_rank_puts_the_worst_first_then_file_and_line() -> None:
    items = [
        _finding("low", 1, severity=Severity.LOW),
        _finding("crit b", 9, severity=Severity.CRITICAL, path="b.py"),
        _finding("crit a", 20, severity=Severity.CRITICAL),
        _finding("high", 3, severity=Severity.HIGH),
    ]
    assert [f.title for f in rank(items)] == ["crit a", "crit b", "high", "low"]


def test_severity_order() -> None:
    assert Severity.CRITICAL.at_least(Severity.HIGH)
    assert Severity.HIGH.at_least(Severity.HIGH)
    assert not Severity.LOW.at_least(Severity.MEDIUM)
