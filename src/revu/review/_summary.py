"""The one-paragraph summary at the top of every output format."""

from __future__ import annotations

from collections import Counter

from revu.review._changeset import ChangeSet
from revu.review._findings import Severity
from revu.review._result import ReviewResult


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def summarize(result: ReviewResult, changes: ChangeSet, omitted: int = 0) -> str:
    """What was reviewed, what was found, what was left out, then the notes on how the change
    was read: written by revu, not the model. The notes live here only, so every format
    (JSON included) carries them once."""
    notes = [n[0].upper() + n[1:] + ("" if n.endswith(".") else ".") for n in result.notes]
    return " ".join([_outcome(result, changes, omitted), *notes])


def _outcome(result: ReviewResult, changes: ChangeSet, omitted: int) -> str:
    reviewed = len(result.coverage.reviewed)
    skipped = len(result.coverage.skipped)
    if not changes.files:
        return f"Nothing to review in {changes.description}."
    if result.no_slot_answered:
        return "No model could answer: nothing was reviewed (see coverage for each file)."
    if not reviewed:
        return (
            f"Nothing was reviewed in {changes.description}: "
            f"{_plural(skipped, 'file')} skipped (see coverage)."
        )
    counts = Counter(f.severity for f in result.findings)
    if result.findings:
        detail = ", ".join(f"{counts[s]} {s.value}" for s in Severity if counts[s])
        found = f"{_plural(len(result.findings), 'finding')} ({detail})"
    else:
        found = "no findings"
    text = f"Reviewed {_plural(reviewed, 'file')} of {changes.description}: {found}."
    if omitted:
        verb = "was" if omitted == 1 else "were"
        text += f" {_plural(omitted, 'less severe finding')} {verb} left out (max_findings)."
    if skipped:
        text += f" {_plural(skipped, 'file')} skipped (see coverage)."
    if result.dropped_findings:
        dropped = result.dropped_findings
        verb = "was" if dropped == 1 else "were"
        text += f" {_plural(dropped, 'reported finding')} outside the change {verb} dropped."
    if result.parts_failed:
        text += (
            f" {_plural(result.parts_failed, 'file part')} could not be reviewed (see coverage)."
        )
    return text
