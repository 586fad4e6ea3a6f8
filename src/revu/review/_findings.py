"""Findings: what the model reported, checked against the change, merged and ranked."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    """How much a finding matters, most severe first."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def rank(self) -> int:
        """0 for critical ... 3 for low: sort ascending to put the worst first."""
        return _SEVERITY_ORDER.index(self)

    def at_least(self, other: Severity) -> bool:
        """True when this severity is `other` or worse."""
        return self.rank <= other.rank


_SEVERITY_ORDER = (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW)


class Category(StrEnum):
    """What kind of problem a finding is."""

    BUG = "bug"
    SECURITY = "security"
    PERFORMANCE = "performance"
    MAINTAINABILITY = "maintainability"
    STYLE = "style"
    DOCS = "docs"
    TESTS = "tests"


@dataclass(frozen=True)
class Finding:
    """One checked finding on new-file lines `line..end_line` of `path`."""

    path: str
    line: int
    end_line: int
    severity: Severity
    category: Category
    title: str
    body: str
    suggestion: str | None
    fingerprint: str
    code: tuple[str, ...] = ()  # the new-file text of the cited lines, for people reading it

    def overlaps(self, other: Finding) -> bool:
        return (
            self.path == other.path and self.line <= other.end_line and other.line <= self.end_line
        )


def normalize_title(title: str) -> str:
    """Lower case, words only: two wordings of one title that differ in case or punctuation
    still give the same fingerprint."""
    return " ".join(re.findall(r"[a-z0-9]+", title.lower()))


def fingerprint(path: str, title: str, category: Category, code: Iterable[str]) -> str:
    """A stable id for a finding: the file, what it says and the text of the lines it cites.
    Line numbers are left out on purpose, so it survives code moving up or down."""
    cited = "\n".join(line.strip() for line in code)
    material = "\0".join((path, normalize_title(title), category.value, cited))
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def _words(title: str) -> set[str]:
    return set(normalize_title(title).split())


def same_point(a: Finding, b: Finding) -> bool:
    """Two findings that make one point: same file, overlapping lines, and either titles that
    share most of their words or the same category on exactly the same lines."""
    if not a.overlaps(b):
        return False
    if a.category == b.category and (a.line, a.end_line) == (b.line, b.end_line):
        return True
    wa, wb = _words(a.title), _words(b.title)
    return bool(wa and wb) and len(wa & wb) / len(wa | wb) >= 0.5


def _preference(f: Finding) -> tuple[int, int, int]:
    return (f.severity.rank, 0 if f.suggestion else 1, -len(f.body))


def merge_duplicates(findings: Iterable[Finding]) -> list[Finding]:
    """Merge findings that make the same point, keeping the most severe (then the one with a
    suggestion, then the longest explanation)."""
    kept: list[Finding] = []
    for finding in sorted(findings, key=_preference):
        if not any(same_point(finding, k) for k in kept):
            kept.append(finding)
    return kept


def rank(findings: Iterable[Finding]) -> list[Finding]:
    """Most severe first, then by file and line."""
    return sorted(findings, key=lambda f: (f.severity.rank, f.path, f.line, f.end_line, f.title))
