"""Widen a hunk's leading context to the function or class around it, when that is near."""

from __future__ import annotations

import re
from dataclasses import replace

from revu.review._changeset import DiffLine, FileChange, Hunk, LineKind

# How far back a hunk may grow to reach its enclosing definition (PR-Agent uses 10 too).
MAX_EXTEND_LINES = 10

_DEFINITION = re.compile(
    r"^\s*(?:(?:export|default|public|private|protected|internal|static|final|abstract|async|"
    r"override|pub(?:\([^)]*\))?|unsafe|extern|inline|virtual|local)\s+)*"
    r"(?:def|class|function|func|fn|impl|trait|interface|struct|enum|module|sub|procedure|"
    r"object|record)\b"
)


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" \t"))


def _is_definition(text: str, heading: str) -> bool:
    if _DEFINITION.match(text):
        return True
    # git names the enclosing function after the second @@ (truncated); trust it when it matches.
    return bool(heading) and text.strip().startswith(heading.strip()[:40])


def extend_to_enclosing(change: FileChange, max_back: int = MAX_EXTEND_LINES) -> FileChange:
    """Prepend the lines up to the enclosing definition to each hunk, when it lies within
    `max_back` lines above the hunk and the file's text is known."""
    lines = change.new_lines
    if lines is None or not change.hunks:
        return change
    extended: list[Hunk] = []
    previous_end = 0  # last new-file line already shown by an earlier hunk
    for hunk in change.hunks:
        extended.append(_extend(hunk, lines, previous_end, max_back))
        previous_end = hunk.new_start + hunk.new_count - 1
    return replace(change, hunks=tuple(extended))


def _extend(hunk: Hunk, lines: tuple[str, ...], previous_end: int, max_back: int) -> Hunk:
    first_change = next((ln for ln in hunk.lines if ln.kind is not LineKind.CONTEXT), None)
    if first_change is None or hunk.new_start <= 1 or hunk.old_start <= 0:
        return hunk
    depth = _indent(first_change.text)
    for ln in hunk.lines:
        if ln is first_change:
            break
        if _is_definition(ln.text, hunk.heading) and _indent(ln.text) <= depth:
            return hunk  # already shown
    lowest = max(previous_end + 1, hunk.new_start - max_back, 1)
    for number in range(hunk.new_start - 1, lowest - 1, -1):
        text = lines[number - 1]
        if _is_definition(text, hunk.heading) and _indent(text) <= depth:
            gap = hunk.new_start - number
            old_first = hunk.old_start - gap
            added = tuple(
                DiffLine(LineKind.CONTEXT, lines[n - 1], n, old_first + (n - number))
                for n in range(number, hunk.new_start)
            )
            return Hunk(
                old_start=old_first,
                old_count=hunk.old_count + gap,
                new_start=number,
                new_count=hunk.new_count + gap,
                lines=added + hunk.lines,
                heading=hunk.heading,
            )
    return hunk
