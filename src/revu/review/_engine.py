"""The review itself: filter, plan, ask every call at once, check, merge and rank."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace

from revu.llm import Completion, Gateway, LLMError, NoSlotAnswered, SlotName, Usage, estimate_tokens
from revu.review._call import CallOutcome, CallRunner
from revu.review._changeset import ChangeSet
from revu.review._config import ReviewConfig
from revu.review._filter import SkippedFile, select_files
from revu.review._findings import Severity, merge_duplicates, rank
from revu.review._plan import Budget, TokenCounter, plan_calls
from revu.review._prompt import PlannedCall, change_id, shared_prefix
from revu.review._result import Coverage, ModelInfo, ReviewResult
from revu.review._summary import summarize

_SAFETY = 0.9  # token estimates are estimates: keep a tenth of the window spare


@dataclass(frozen=True)
class ReviewProgress:
    """Where a running review stands, for a progress display."""

    files_total: int
    files_done: int
    calls_total: int
    calls_done: int
    in_flight: int
    usage: Usage


def _budget(gateway: Gateway, prefix_tokens: int) -> Budget:
    slots: list[SlotName] = ["main"]
    if gateway.routing.fallback is not None:
        slots.append("fallback")
    window = min(gateway.context_window(s) for s in slots)
    answer = max(gateway.max_output_tokens(s) for s in slots)
    room = int((window - answer) * _SAFETY) - prefix_tokens
    return Budget(max_part_tokens=max(room, 1024))


async def review_changes(
    changes: ChangeSet,
    gateway: Gateway,
    config: ReviewConfig | None = None,
    *,
    min_severity: Severity | None = None,
    on_progress: Callable[[ReviewProgress], None] | None = None,
    count_tokens: TokenCounter = estimate_tokens,
) -> ReviewResult:
    """Review `changes` with the model behind `gateway`. Every call is submitted at once; the
    gateway's limiter paces them. Failures of single calls land in the coverage as skipped."""
    started = time.monotonic()
    config = config or ReviewConfig()
    reviewed, skipped = select_files(changes.files, config)
    rules = {f.path: config.rules_for(f.path) for f in reviewed}
    delimiter_id = change_id(changes, reviewed)
    prefix = shared_prefix(changes, reviewed, delimiter_id)
    budget = _budget(gateway, count_tokens(prefix))
    calls, unplannable = plan_calls(reviewed, rules, budget, count_tokens)
    skipped += unplannable

    waiting = Counter(p.file.path for c in calls for p in c.parts)
    files_total = len(waiting)
    calls_done = 0
    usage = Usage()

    def call_done(call: PlannedCall, outcome: CallOutcome) -> None:
        nonlocal calls_done, usage
        calls_done += 1
        for c in outcome.completions:
            usage = usage + c.usage
        for p in call.parts:
            waiting[p.file.path] -= 1
        if on_progress is not None:
            done = sum(1 for n in waiting.values() if n <= 0)
            on_progress(
                ReviewProgress(files_total, done, len(calls), calls_done, gateway.in_flight, usage)
            )

    runner = CallRunner(gateway, prefix, delimiter_id, rules, count_tokens, call_done)
    if on_progress is not None:
        on_progress(ReviewProgress(files_total, 0, len(calls), 0, 0, usage))
    outcomes = await asyncio.gather(*(runner.run(c) for c in calls))

    total = CallOutcome()
    for outcome in outcomes:
        total.absorb(outcome)
    findings = rank(merge_duplicates(total.findings))
    floor = min_severity or config.min_severity
    if floor is not None:
        findings = [f for f in findings if f.severity.at_least(floor)]
    omitted = 0
    if config.max_findings is not None and len(findings) > config.max_findings:
        omitted = len(findings) - config.max_findings
        findings = findings[: config.max_findings]

    covered = tuple(f.path for f in reviewed if f.path in total.answered)
    skipped_all = tuple(skipped) + _failures(total.failed, total.answered)
    model, fallback_used = _who_answered(gateway, total.completions)
    notes = changes.notes + tuple(total.notes)
    result = ReviewResult(
        findings=tuple(findings),
        summary="",
        coverage=Coverage(covered, skipped_all),
        usage=usage,
        model=model,
        fallback_used=fallback_used,
        dropped_findings=total.dropped,
        duration_s=time.monotonic() - started,
        parts_failed=len(total.failed),
        no_slot_answered=not total.completions and bool(total.slot_errors),
        slot_errors=_distinct(total.slot_errors),
        notes=notes,
    )
    return replace(result, summary=summarize(result, changes, omitted))


def _failures(failed: list[SkippedFile], answered: set[str]) -> tuple[SkippedFile, ...]:
    """One entry per file that no call could review; each failed part of a file that was
    otherwise reviewed."""
    out: list[SkippedFile] = []
    seen: set[str] = set()
    for entry in failed:
        if entry.path in answered:
            out.append(entry)
        elif entry.path not in seen:
            seen.add(entry.path)
            reason = entry.reason.split(" not reviewed: ", 1)[-1]
            out.append(SkippedFile(entry.path, reason))
    return tuple(out)


def _distinct(errors: list[LLMError]) -> tuple[LLMError, ...]:
    """Each slot's failures once (every call of a review tends to fail the same way)."""
    flat = [e for exc in errors for e in (exc.errors if isinstance(exc, NoSlotAnswered) else [exc])]
    return tuple({e.diagnosis(): e for e in flat}.values())


def _who_answered(gateway: Gateway, completions: list[Completion]) -> tuple[ModelInfo, bool]:
    if not completions:
        main = gateway.routing.main
        return ModelInfo("main", main.provider, main.model, main.base_url), False
    by_slot = Counter(c.slot for c in completions)
    top = max(by_slot, key=lambda s: (by_slot[s], s == "main"))
    c = next(c for c in completions if c.slot == top)
    fallback_used = any(c.fallback_used or c.slot == "fallback" for c in completions)
    return ModelInfo(c.slot, c.provider, c.model, c.base_url), fallback_used
