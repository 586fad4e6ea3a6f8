"""Checking each finding the model reported against the change it was shown."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from revu.review._changeset import FileChange
from revu.review._findings import Category, Finding, Severity, fingerprint

NEAR_LINES = 3  # a finding may sit this many lines away from a changed line
_MAX_TITLE = 200
_NUMBERED = re.compile(r"^\s*\d+\s[+ ]\s")
_ELLIPSIS_LINE = re.compile(r"^\s*(?:#|//|/\*|--|<!--)?\s*(?:\.\.\.|…)\s*(?:\*/|-->)?\s*$")
_PLACEHOLDER = re.compile(
    r"(?:#|//|/\*|--|<!--)\s*(?:\.\.\.\s*)?(?:rest of|the rest|existing code|remaining code|"
    r"unchanged|same as before)",
    re.IGNORECASE,
)
_FENCED = re.compile(r"^```[a-zA-Z0-9_-]*\n(.*?)\n?```$", re.DOTALL)


class _Claim(BaseModel):
    """One finding as the model wrote it, before it is checked against the change."""

    model_config = ConfigDict(extra="ignore")

    path: str
    line: int
    end_line: int | None = None
    severity: Severity
    category: Category
    title: str
    body: str = ""
    suggestion: str | None = None

    @field_validator("severity", "category", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("path", "title", "body", mode="after")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()  # never the suggestion: its indentation is part of the fix


@dataclass(frozen=True)
class Checked:
    """The findings that hold, and how many reported ones did not (with the reasons)."""

    findings: list[Finding]
    reasons: list[str]  # one per reported finding that did not hold

    @property
    def dropped(self) -> int:
        """How many reported findings did not hold."""
        return len(self.reasons)


def check_findings(items: list[Any], files: dict[str, FileChange]) -> Checked:
    """Turn raw answer items into findings on `files` (the files the call showed)."""
    kept: list[Finding] = []
    reasons: list[str] = []
    for item in items:
        try:
            claim = _Claim.model_validate(item)
        except ValidationError as exc:
            first = exc.errors()[0]
            reasons.append(
                f"malformed finding ({'.'.join(map(str, first['loc']))}: {first['msg']})"
            )
            continue
        finding, reason = _check(claim, files)
        if finding is None:
            reasons.append(reason)
        else:
            kept.append(finding)
    return Checked(kept, reasons)


def _resolve_path(path: str, files: dict[str, FileChange]) -> FileChange | None:
    if path in files:
        return files[path]
    for prefix in ("./", "a/", "b/", "/"):
        if path.startswith(prefix) and path[len(prefix) :] in files:
            return files[path[len(prefix) :]]
    return None


def near_change(change: FileChange, line: int, end_line: int) -> bool:
    """True when lines line..end_line touch, or lie within NEAR_LINES of, a changed line."""
    return any(
        line <= end + NEAR_LINES and start - NEAR_LINES <= end_line
        for start, end in change.changed_ranges()
    )


def _check(claim: _Claim, files: dict[str, FileChange]) -> tuple[Finding | None, str]:
    change = _resolve_path(claim.path, files)
    if change is None:
        return None, f"path not in the change: {claim.path}"
    line, end_line = claim.line, claim.end_line if claim.end_line is not None else claim.line
    if end_line < line:
        line, end_line = end_line, line
    if line < 1:
        return None, f"{change.path}: line {line} does not exist"
    if change.new_lines is not None and end_line > len(change.new_lines):
        return None, f"{change.path}: line {end_line} is past the end of the file"
    if not near_change(change, line, end_line):
        return None, f"{change.path}:{line}-{end_line} is not in or next to a changed line"
    title = claim.title.splitlines()[0].strip() if claim.title.strip() else ""
    if not title:
        return None, f"{change.path}:{line}: finding without a title"
    if len(title) > _MAX_TITLE:
        title = title[: _MAX_TITLE - 1].rstrip() + "…"
    code = tuple(change.line_text(n) or "" for n in range(line, end_line + 1))
    suggestion = usable_suggestion(
        claim.suggestion,
        code,
        known=all(change.line_text(n) is not None for n in range(line, end_line + 1)),
    )
    finding = Finding(
        path=change.path,
        line=line,
        end_line=end_line,
        severity=claim.severity,
        category=claim.category,
        title=title,
        body=claim.body or title,
        suggestion=suggestion,
        fingerprint=fingerprint(change.path, title, claim.category, code),
        code=code,
    )
    return finding, ""


def usable_suggestion(suggestion: str | None, original: tuple[str, ...], known: bool) -> str | None:
    """The suggestion when it is a complete replacement that changes something, else None:
    empty, identical, numbered or cut-short suggestions cost trust and are dropped."""
    if suggestion is None or not suggestion.strip() or not known:
        return None
    text = suggestion.replace("\r\n", "\n")
    fenced = _FENCED.match(text.strip("\n"))
    if fenced:
        text = fenced.group(1)
    text = text.rstrip("\n")
    lines = text.split("\n")
    if [ln.rstrip() for ln in lines] == [ln.rstrip() for ln in original]:
        return None
    if all(_NUMBERED.match(ln) for ln in lines if ln.strip()):
        return None
    if any(_ELLIPSIS_LINE.match(ln) or _PLACEHOLDER.search(ln) for ln in lines):
        return None
    if lines[-1].rstrip().endswith(("...", "…")) and not original[-1].rstrip().endswith(
        ("...", "…")
    ):
        return None
    before, after = _balance("\n".join(original)), _balance(text)
    if any(left > max(was, 0) for left, was in zip(after, before, strict=True)):
        return None  # it leaves open a bracket the original closed: cut short
    return text


def _balance(text: str) -> tuple[int, int, int]:
    return (
        text.count("(") - text.count(")"),
        text.count("[") - text.count("]"),
        text.count("{") - text.count("}"),
    )
