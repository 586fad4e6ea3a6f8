"""Planning: cut the change into calls that fit the model's context budget.

One file per call; files whose part is small travel together; a file too big for one call is
cut between hunks, and a hunk too big alone is cut between lines with a note to the model.
Nothing is dropped silently: what cannot fit is returned as skipped, with the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from revu.review._changeset import FileChange, Hunk, LineKind
from revu.review._config import Rule
from revu.review._filter import SkippedFile
from revu.review._prompt import FilePart, PlannedCall, render_part

TokenCounter = Callable[[str], int]


@dataclass(frozen=True)
class Budget:
    """Token sizes for the variable part (the file part) of each call."""

    max_part_tokens: int  # what the context window leaves after the prefix and the answer
    target_part_tokens: int = 24_000  # a focused call: bigger files are split below this
    small_part_tokens: int = 400  # a file part this small may share a call
    group_tokens: int = 2_400  # a group of small files stops here...
    group_files: int = 6  # ...or at this many files

    @property
    def split_tokens(self) -> int:
        return max(256, min(self.max_part_tokens, self.target_part_tokens))


def part_tokens(part: FilePart, rules: tuple[Rule, ...], count: TokenCounter) -> int:
    width = len(str(max((h.new_start + h.new_count for h in part.hunks), default=1)))
    return count(render_part(part, rules, width))


def plan_calls(
    files: list[FileChange],
    rules: dict[str, tuple[Rule, ...]],
    budget: Budget,
    count: TokenCounter,
) -> tuple[list[PlannedCall], list[SkippedFile]]:
    """The calls that review `files`, biggest first (they decide the wall time), and the files
    that cannot fit any call."""
    sized: list[tuple[int, PlannedCall]] = []
    small: list[tuple[int, FilePart]] = []
    skipped: list[SkippedFile] = []
    for f in files:
        file_rules = rules.get(f.path, ())
        whole = FilePart(f, f.hunks)
        size = part_tokens(whole, file_rules, count)
        if size <= budget.small_part_tokens:
            small.append((size, whole))
        elif size <= budget.split_tokens:
            sized.append((size, PlannedCall((whole,))))
        else:
            parts = split_file(f, file_rules, budget, count)
            if parts is None:
                reason = (
                    f"a line is longer than the model's context budget "
                    f"({budget.max_part_tokens} tokens)"
                )
                skipped.append(SkippedFile(f.path, reason))
                continue
            sized.extend((part_tokens(p, file_rules, count), PlannedCall((p,))) for p in parts)
    sized.extend(_group(small, budget))
    sized.sort(key=lambda item: -item[0])
    return [call for _, call in sized], skipped


def _group(small: list[tuple[int, FilePart]], budget: Budget) -> list[tuple[int, PlannedCall]]:
    groups: list[tuple[int, PlannedCall]] = []
    batch: list[FilePart] = []
    total = 0
    for size, part in small:
        if batch and (total + size > budget.group_tokens or len(batch) >= budget.group_files):
            groups.append((total, PlannedCall(tuple(batch))))
            batch, total = [], 0
        batch.append(part)
        total += size
    if batch:
        groups.append((total, PlannedCall(tuple(batch))))
    return groups


def split_file(
    f: FileChange, rules: tuple[Rule, ...], budget: Budget, count: TokenCounter
) -> list[FilePart] | None:
    """Cut a large file into parts of whole hunks, cutting an oversized hunk between lines.
    None when a single line does not fit the budget."""
    limit = budget.split_tokens
    note = "a long hunk is shown in pieces across parts; review the lines shown here"
    # Each piece is measured once; a part's size is its header plus the sum of its pieces.
    header = part_tokens(FilePart(f, (), 2, 2, note=note), rules, count)
    bare = part_tokens(FilePart(f, ()), rules, count)  # what a piece's own measure includes
    pieces: list[tuple[Hunk, bool, int]] = []  # (hunk or slice of one, was it cut, tokens)
    for hunk in f.hunks:
        size = part_tokens(FilePart(f, (hunk,)), rules, count) - bare
        if header + size <= limit:
            pieces.append((hunk, False, size))
            continue
        slices = _slice_hunk(hunk, f, rules, limit, budget.max_part_tokens, count)
        if slices is None:
            return None
        for cut in slices:
            size = part_tokens(FilePart(f, (cut,)), rules, count) - bare
            pieces.append((cut, True, size))
    groups: list[list[tuple[Hunk, bool, int]]] = []
    used = 0
    for entry in pieces:
        if groups and used + entry[2] <= limit:
            groups[-1].append(entry)
            used += entry[2]
        else:
            groups.append([entry])
            used = header + entry[2]
    return [
        FilePart(
            f,
            tuple(h for h, _, _ in group),
            part=i,
            parts=len(groups),
            note=note if any(cut for _, cut, _ in group) else None,
        )
        for i, group in enumerate(groups, start=1)
    ]


def _slice_hunk(
    hunk: Hunk,
    f: FileChange,
    rules: tuple[Rule, ...],
    limit: int,
    hard_limit: int,
    count: TokenCounter,
) -> list[Hunk] | None:
    """Cut one hunk between lines into slices that each fit `limit`."""
    overhead = part_tokens(FilePart(f, (), 2, 2, note="x" * 80), rules, count)
    room = max(64, limit - overhead)
    slices: list[Hunk] = []
    current: list[int] = []  # indexes into hunk.lines
    used = 0
    for index, ln in enumerate(hunk.lines):
        cost = count(ln.text) + 3
        if overhead + cost > hard_limit:
            return None
        if current and used + cost > room:
            slices.append(_sub_hunk(hunk, current))
            current, used = [], 0
        current.append(index)
        used += cost
    if current:
        slices.append(_sub_hunk(hunk, current))
    return slices


def _sub_hunk(hunk: Hunk, indexes: list[int]) -> Hunk:
    lines = tuple(hunk.lines[i] for i in indexes)
    new_numbers = [ln.new_no for ln in lines if ln.new_no is not None]
    old_numbers = [ln.old_no for ln in lines if ln.old_no is not None]
    new_start = new_numbers[0] if new_numbers else _new_position(hunk, indexes[0])
    old_start = old_numbers[0] if old_numbers else max(hunk.old_start, 0)
    new_count = sum(1 for ln in lines if ln.kind is not LineKind.REMOVED)
    old_count = sum(1 for ln in lines if ln.kind is not LineKind.ADDED)
    return Hunk(old_start, old_count, new_start, new_count, lines, hunk.heading)


def _new_position(hunk: Hunk, index: int) -> int:
    """The new-file line a run of removed lines sits before."""
    for ln in hunk.lines[index:]:
        if ln.new_no is not None:
            return ln.new_no
    return hunk.new_start + hunk.new_count
