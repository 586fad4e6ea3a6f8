"""Reading answers: safe repairs, and what is refused."""

from __future__ import annotations

import pytest

from revu.review._answer import AnswerError, parse_answer, salvage_findings

ITEM = (
    '{"path": "a.py", "line": 3, "severity": "high", "category": "bug", "title": "t", "body": "b"}'
)


def test_clean_object() -> None:
    answer = parse_answer(f'{{"findings": [{ITEM}]}}')
    assert answer.items[0]["line"] == 3 and answer.repairs == ()


@pytest.mark.parametrize(
    ("content", "repair"),
    [
        (f'```json\n{{"findings": [{ITEM}]}}\n```', "code fence removed"),
        (
            f'Here is my review:\n{{"findings": [{ITEM}]}}\nHope it helps!',
            "text around the object removed",
        ),
        (
            f'<think>The user wants {{"x": 1}}.</think>\n{{"findings": [{ITEM}]}}',
            "reasoning removed",
        ),
        (f'{{"findings": [{ITEM},],}}', "trailing commas removed"),
    ],
)
def test_safe_repairs(content: str, repair: str) -> None:
    answer = parse_answer(content)
    assert len(answer.items) == 1 and answer.items[0]["path"] == "a.py"
    assert repair in answer.repairs


def test_braces_inside_strings_do_not_confuse_the_repair() -> None:
    item = ITEM.replace('"body": "b"', '"body": "use {x} and }, not {"')
    answer = parse_answer(f'Answer: {{"findings": [{item}]}} done')
    assert answer.items[0]["body"] == "use {x} and }, not {"


def test_trailing_comma_inside_a_string_is_kept() -> None:
    item = ITEM.replace('"body": "b"', '"body": "a,]"')
    answer = parse_answer(f'{{"findings": [{item},]}}')
    assert answer.items[0]["body"] == "a,]"


def test_bare_list_and_empty_findings() -> None:
    assert len(parse_answer(f"[{ITEM}]").items) == 1
    assert parse_answer('{"findings": []}').items == []
    assert parse_answer('{"findings": null}').items == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "empty"),
        ("I found no problems.", "not one JSON object"),
        ('{"findings": [{"path": "a.py", "line": 3', "not one JSON object"),
        ('{"result": []}', 'no "findings" key'),
        ('{"findings": "none"}', "must be a list"),
    ],
)
def test_unusable_answers_say_why(content: str, message: str) -> None:
    with pytest.raises(AnswerError, match=message):
        parse_answer(content)


def test_salvage_keeps_only_complete_findings_of_a_cut_answer() -> None:
    cut = f'{{"findings": [{ITEM}, {ITEM.replace("3", "9")}, {{"path": "a.py", "li'
    items = salvage_findings(cut)
    assert [i["line"] for i in items] == [3, 9]
    assert salvage_findings("nothing here") == []
