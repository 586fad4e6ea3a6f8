"""The review itself: filter, plan, ask every call at once, check, merge and rank."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from revu.llm import (
    Completion,
    ContentFiltered,
    ContextTooLong,
    Gateway,
    LLMError,
    NoSlotAnswered,
    SlotName,
    Usage,
    estimate_tokens,
)
from revu.review._answer import AnswerError, parse_answer, salvage_findings
from revu.review._changeset import ChangeSet, FileChange
from revu.review._config import ReviewConfig, Rule
from revu.review._filter import SkippedFile, select_files
from revu.review._findings import Finding, Severity, merge_duplicates, rank
from revu.review._plan import Budget, TokenCounter, plan_calls, split_file
from revu.review._prompt import (
    PlannedCall,
    answer_again_request,
    change_id,
    file_message,
    review_request,
    shared_prefix,
)
from revu.review._result import Coverage, ModelInfo, ReviewResult
from revu.review._summary import summarize
from revu.review._validate import check_findings

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


@dataclass
class _Outcome:
    """What one planned call (and the calls it was split into) gave."""

    findings: list[Finding] = field(default_factory=list)
    dropped: int = 0
    completions: list[Completion] = field(default_factory=list)
    failed: list[SkippedFile] = field(default_factory=list)
    slot_errors: list[LLMError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    answered: set[str] = field(default_factory=set)  # paths shown in an answered, usable call

    def absorb(self, other: _Outcome) -> None:
        self.answered |= other.answered
        self.findings += other.findings
        self.dropped += other.dropped
        self.completions += other.completions
        self.failed += other.failed
        self.slot_errors += other.slot_errors
        self.notes += other.notes


class _Review:
    def __init__(
        self,
        gateway: Gateway,
        prefix: str,
        delimiter_id: str,
        rules: dict[str, tuple[Rule, ...]],
        budget: Budget,
        count: TokenCounter,
        on_call_done: Callable[[PlannedCall, _Outcome], None],
    ) -> None:
        self.gateway = gateway
        self.prefix = prefix
        self.delimiter_id = delimiter_id
        self.rules = rules
        self.budget = budget
        self.count = count
        self.on_call_done = on_call_done

    async def run(self, call: PlannedCall) -> _Outcome:
        outcome = await self._ask(call)
        self.on_call_done(call, outcome)
        return outcome

    async def _ask(self, call: PlannedCall) -> _Outcome:
        request = review_request(
            self.prefix, file_message(call, self.rules, self.delimiter_id), call.label
        )
        try:
            completion = await self.gateway.complete(request)
        except (ContextTooLong, ContentFiltered) as exc:
            smaller = self._split(call, exc)
            if smaller is None:
                return _failed(call, _reason(exc))
            outcome = _Outcome()
            for part in await asyncio.gather(*(self._ask(c) for c in smaller)):
                outcome.absorb(part)
            return outcome
        except LLMError as exc:
            outcome = _failed(call, _reason(exc))
            outcome.slot_errors.append(exc)
            return outcome
        outcome = _Outcome(completions=[completion])
        files = {p.file.path: p.file for p in call.parts}
        try:
            items = parse_answer(completion.content).items
        except AnswerError as first_error:
            error = str(first_error)
            if completion.finish_reason == "length":
                error = "it was cut off at the output limit; give fewer, shorter findings"
            again = answer_again_request(request, completion.content, error)
            try:
                second = await self.gateway.complete(again)
            except LLMError as exc:
                items = salvage_findings(completion.content)
                if not items:
                    outcome.failed += _failed(call, _reason(exc)).failed
                    return outcome
            else:
                outcome.completions.append(second)
                try:
                    items = parse_answer(second.content).items
                except AnswerError as second_error:
                    items = salvage_findings(second.content) or salvage_findings(completion.content)
                    if not items:
                        reason = f"the model's answer was unusable twice ({second_error})"
                        outcome.failed += _failed(call, reason).failed
                        return outcome
                    outcome.notes.append(
                        f"{call.label}: kept {len(items)} complete findings of a cut answer"
                    )
        outcome.answered.update(files)
        checked = check_findings(items, files)
        outcome.findings += checked.findings
        outcome.dropped += checked.dropped
        return outcome

    def _split(self, call: PlannedCall, exc: LLMError) -> list[PlannedCall] | None:
        """Smaller calls to try after the provider refused `call` for its size or content."""
        if len(call.parts) > 1:
            return [PlannedCall((p,)) for p in call.parts]
        if isinstance(exc, ContentFiltered):
            return None
        part = call.parts[0]
        tokens = self.count(file_message(call, self.rules, self.delimiter_id))
        smaller = Budget(max_part_tokens=tokens // 2, target_part_tokens=tokens // 2)
        if smaller.split_tokens >= tokens or tokens < 128:
            return None
        sub = FileChange(
            path=part.file.path,
            status=part.file.status,
            hunks=part.hunks,
            old_path=part.file.old_path,
            language=part.file.language,
            new_lines=part.file.new_lines,
        )
        pieces = split_file(sub, self.rules.get(part.file.path, ()), smaller, self.count)
        if pieces is None or len(pieces) < 2:
            return None
        return [
            PlannedCall(
                (
                    replace(
                        p,
                        file=part.file,
                        part=part.part,
                        parts=part.parts,
                        note=f"this did not fit the model at once: piece {p.part} of {p.parts}",
                    ),
                )
            )
            for p in pieces
        ]


def _reason(exc: LLMError) -> str:
    if isinstance(exc, NoSlotAnswered):
        return "no slot could answer: " + "; ".join(
            f"{e.slot or '?'}: {e.hint or e.message}" for e in exc.errors
        )
    return f"{type(exc).__name__}: {exc.hint or exc.message}"


def _failed(call: PlannedCall, reason: str) -> _Outcome:
    failed = []
    for part in call.parts:
        where = f"part {part.part} of {part.parts} not reviewed: " if part.parts > 1 else ""
        failed.append(SkippedFile(part.file.path, where + reason))
    return _Outcome(failed=failed)


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

    def call_done(call: PlannedCall, outcome: _Outcome) -> None:
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

    review = _Review(gateway, prefix, delimiter_id, rules, budget, count_tokens, call_done)
    if on_progress is not None:
        on_progress(ReviewProgress(files_total, 0, len(calls), 0, 0, usage))
    outcomes = await asyncio.gather(*(review.run(c) for c in calls))

    total = _Outcome()
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
    answered = len(total.completions)
    slot_failures = len(total.slot_errors)
    model, fallback_used = _who_answered(gateway, total.completions)
    diagnoses = tuple(dict.fromkeys(_diagnoses(total.slot_errors)))
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
        calls_answered=answered,
        calls_failed=len(total.failed),
        no_slot_answered=answered == 0 and slot_failures > 0,
        diagnoses=diagnoses,
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


def _diagnoses(errors: list[LLMError]) -> list[str]:
    lines: list[str] = []
    for exc in errors:
        if isinstance(exc, NoSlotAnswered):
            lines.extend(e.diagnosis() for e in exc.errors)
        else:
            lines.append(exc.diagnosis())
    return lines


def _who_answered(gateway: Gateway, completions: list[Completion]) -> tuple[ModelInfo, bool]:
    if not completions:
        main = gateway.routing.main
        return ModelInfo("main", main.provider, main.model, main.base_url), False
    by_slot = Counter(c.slot for c in completions)
    top = max(by_slot, key=lambda s: (by_slot[s], s == "main"))
    c = next(c for c in completions if c.slot == top)
    fallback_used = any(c.fallback_used or c.slot == "fallback" for c in completions)
    return ModelInfo(c.slot, c.provider, c.model, c.base_url), fallback_used
