"""Planning calls within the context budget: nothing silently dropped."""

from __future__ import annotations

from revu.llm import estimate_tokens
from revu.review._changeset import DiffLine, FileChange, FileStatus, Hunk, LineKind
from revu.review._config import Rule
from revu.review._plan import Budget, part_tokens, plan_calls
from revu.review._prompt import PlannedCall


def _file(path: str, hunks: int, lines_per_hunk: int, *, gap: int = 40) -> FileChange:
    made = []
    for h in range(hunks):
        start = 1 + h * (lines_per_hunk + gap)
        shown = tuple(
            DiffLine(
                LineKind.ADDED, f"value_{path}_{start + i} = compute({i}) + 1", start + i, None
            )
            for i in range(lines_per_hunk)
        )
        made.append(Hunk(start, 0, start, lines_per_hunk, shown))
    return FileChange(path, FileStatus.MODIFIED, tuple(made), language="python")


def _added(calls: list[PlannedCall]) -> dict[str, list[int]]:
    seen: dict[str, list[int]] = {}
    for call in calls:
        for part in call.parts:
            for hunk in part.hunks:
                seen.setdefault(part.file.path, []).extend(hunk.added_lines)
    return seen


def test_small_files_share_a_call_and_medium_files_get_their_own() -> None:
    small = [_file(f"s{i}.py", 1, 2) for i in range(5)]
    medium = [_file(f"m{i}.py", 1, 60) for i in range(2)]
    calls, skipped = plan_calls(
        small + medium, {}, Budget(max_part_tokens=100_000), estimate_tokens
    )
    assert skipped == []
    shapes = sorted(len(c.parts) for c in calls)
    assert shapes == [1, 1, 5]
    assert calls[0].parts[0].file.path.startswith("m")  # biggest calls first


def test_large_file_is_split_between_hunks_and_every_line_is_shown_once() -> None:
    big = _file("big.py", 12, 40)
    budget = Budget(max_part_tokens=100_000, target_part_tokens=2_000)
    calls, skipped = plan_calls([big], {}, budget, estimate_tokens)
    assert skipped == [] and len(calls) > 1
    parts = [c.parts[0] for c in calls]
    assert {p.parts for p in parts} == {len(calls)}
    assert sorted(p.part for p in parts) == list(range(1, len(calls) + 1))
    shown = sorted(_added(calls)["big.py"])
    assert shown == sorted(n for h in big.hunks for n in h.added_lines)


def test_a_hunk_bigger_than_the_budget_is_cut_between_lines_with_a_note() -> None:
    huge = _file("huge.py", 1, 400)
    budget = Budget(max_part_tokens=100_000, target_part_tokens=1_500)
    calls, skipped = plan_calls([huge], {}, budget, estimate_tokens)
    assert skipped == [] and len(calls) > 2
    assert all(c.parts[0].note and "pieces" in c.parts[0].note for c in calls)
    assert sorted(_added(calls)["huge.py"]) == list(range(1, 401))


def test_a_line_longer_than_the_whole_budget_is_reported_not_dropped() -> None:
    line = DiffLine(LineKind.ADDED, "x = '" + "a" * 20_000 + "'", 1, None)
    monster = FileChange("data.py", FileStatus.ADDED, (Hunk(0, 0, 1, 1, (line,)),))
    calls, skipped = plan_calls(
        [monster], {}, Budget(max_part_tokens=1_000, target_part_tokens=1_000), estimate_tokens
    )
    assert calls == []
    assert (
        skipped[0].path == "data.py"
        and "longer than the model's context budget" in skipped[0].reason
    )


def test_rules_count_towards_the_part_size() -> None:
    f = _file("a.py", 1, 3)
    rule = Rule(name="long", description="word " * 400, paths=("*.py",))
    calls, _ = plan_calls(
        [f, _file("b.py", 1, 3)], {"a.py": (rule,)}, Budget(100_000), estimate_tokens
    )
    assert len(calls) == 2  # a.py with its long rule is no longer a small file


def test_every_part_fits_its_budget_when_rendered() -> None:
    files = [_file("big.py", 20, 30), _file("huge.py", 1, 300)]
    budget = Budget(max_part_tokens=100_000, target_part_tokens=1_200)
    calls, skipped = plan_calls(files, {}, budget, estimate_tokens)
    assert skipped == []
    for call in calls:
        (part,) = call.parts
        assert part_tokens(part, (), estimate_tokens) <= budget.split_tokens
