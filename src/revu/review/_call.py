"""One planned call's life: ask, repair or ask again, split when the provider refuses its size,
and check what came back against the files it showed."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from revu.llm import (
    Completion,
    ContentFiltered,
    ContextTooLong,
    Gateway,
    LLMError,
    NoSlotAnswered,
)
from revu.review._answer import AnswerError, parse_answer, salvage_findings
from revu.review._changeset import FileChange
from revu.review._config import Rule
from revu.review._filter import SkippedFile
from revu.review._findings import Finding
from revu.review._plan import Budget, TokenCounter, split_file
from revu.review._prompt import PlannedCall, answer_again_request, file_message, review_request
from revu.review._validate import check_findings


@dataclass
class CallOutcome:
    """What one planned call (and the calls it was split into) gave."""

    findings: list[Finding] = field(default_factory=list)
    dropped: int = 0
    completions: list[Completion] = field(default_factory=list)
    failed: list[SkippedFile] = field(default_factory=list)
    slot_errors: list[LLMError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    answered: set[str] = field(default_factory=set)  # paths shown in an answered, usable call

    def absorb(self, other: CallOutcome) -> None:
        """Add what `other` gave to this outcome."""
        self.answered |= other.answered
        self.findings += other.findings
        self.dropped += other.dropped
        self.completions += other.completions
        self.failed += other.failed
        self.slot_errors += other.slot_errors
        self.notes += other.notes


class CallRunner:
    """Runs the planned calls of one review over the gateway, all sharing one prompt prefix."""

    def __init__(
        self,
        gateway: Gateway,
        prefix: str,
        delimiter_id: str,
        rules: dict[str, tuple[Rule, ...]],
        count: TokenCounter,
        on_call_done: Callable[[PlannedCall, CallOutcome], None],
    ) -> None:
        self.gateway = gateway
        self.prefix = prefix
        self.delimiter_id = delimiter_id
        self.rules = rules
        self.count = count
        self.on_call_done = on_call_done

    async def run(self, call: PlannedCall) -> CallOutcome:
        """Ask for `call` (and whatever it must be split into); report it done."""
        outcome = await self._ask(call)
        self.on_call_done(call, outcome)
        return outcome

    async def _ask(self, call: PlannedCall) -> CallOutcome:
        request = review_request(
            self.prefix, file_message(call, self.rules, self.delimiter_id), call.label
        )
        try:
            completion = await self.gateway.complete(request)
        except (ContextTooLong, ContentFiltered) as exc:
            smaller = self._split(call, exc)
            if smaller is None:
                return failed_outcome(call, reason_of(exc))
            outcome = CallOutcome()
            for part in await asyncio.gather(*(self._ask(c) for c in smaller)):
                outcome.absorb(part)
            return outcome
        except LLMError as exc:
            outcome = failed_outcome(call, reason_of(exc))
            outcome.slot_errors.append(exc)
            return outcome
        outcome = CallOutcome(completions=[completion])
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
                    outcome.failed += failed_outcome(call, reason_of(exc)).failed
                    return outcome
            else:
                outcome.completions.append(second)
                try:
                    items = parse_answer(second.content).items
                except AnswerError as second_error:
                    items = salvage_findings(second.content) or salvage_findings(completion.content)
                    if not items:
                        reason = f"the model's answer was unusable twice ({second_error})"
                        outcome.failed += failed_outcome(call, reason).failed
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


def reason_of(exc: LLMError) -> str:
    """Why a call failed, in one line for the coverage."""
    if isinstance(exc, NoSlotAnswered):
        return "no slot could answer: " + "; ".join(
            f"{e.slot or '?'}: {e.hint or e.message}" for e in exc.errors
        )
    return f"{type(exc).__name__}: {exc.hint or exc.message}"


def failed_outcome(call: PlannedCall, reason: str) -> CallOutcome:
    """The outcome of a call none of whose parts could be reviewed."""
    failed = []
    for part in call.parts:
        where = f"part {part.part} of {part.parts} not reviewed: " if part.parts > 1 else ""
        failed.append(SkippedFile(part.file.path, where + reason))
    return CallOutcome(failed=failed)
