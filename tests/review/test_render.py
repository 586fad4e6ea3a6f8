"""Output formats: the JSON contract, SARIF that GitHub accepts, markdown and text."""

from __future__ import annotations

import dataclasses
import json

import jsonschema
import pytest

from revu.llm import Usage
from revu.review import (
    Category,
    Coverage,
    Finding,
    ModelInfo,
    OutputFormat,
    ReviewResult,
    Severity,
    SkippedFile,
    render,
)
from revu.review._findings import fingerprint

from .contract import SCHEMA, check_contract, check_sarif


def _result() -> ReviewResult:
    code = ("    return total / len(xs)",)
    findings = (
        Finding(
            "src/stats.py",
            3,
            3,
            Severity.HIGH,
            Category.BUG,
            "Division by zero",
            "len(xs) is 0 when xs is empty.",
            "    return total / len(xs) if xs else 0.0",
            fingerprint("src/stats.py", "Division by zero", Category.BUG, code),
            code,
        ),
        Finding(
            "web/app.js",
            10,
            12,
            Severity.LOW,
            Category.SECURITY,
            "innerHTML with user text",
            "Use textContent.",
            None,
            fingerprint("web/app.js", "innerHTML with user text", Category.SECURITY, ["a"]),
            ("a", "b", "c"),
        ),
    )
    return ReviewResult(
        findings=findings,
        summary="Reviewed 2 files: 2 findings.",
        coverage=Coverage(
            ("src/stats.py", "web/app.js"), (SkippedFile("poetry.lock", "lock file"),)
        ),
        usage=Usage(
            calls=2, input_tokens=1000, cached_tokens=600, output_tokens=80, cost_usd=0.0012
        ),
        model=ModelInfo("main", "moonshot", "kimi-k2-0905-preview", "https://api.moonshot.ai/v1"),
        fallback_used=False,
        dropped_findings=1,
        duration_s=1.25,
    )


def test_json_is_exactly_the_contract() -> None:
    data = json.loads(render(_result(), OutputFormat.JSON))
    check_contract(data)
    assert data["findings"][0]["fingerprint"] == _result().findings[0].fingerprint
    assert data["coverage"]["skipped"] == [{"path": "poetry.lock", "reason": "lock file"}]
    assert data["usage"]["cached_tokens"] == 600


def test_sarif_validates_for_github() -> None:
    data = json.loads(render(_result(), "sarif"))
    check_sarif(data)
    high, low = data["runs"][0]["results"]
    assert (high["level"], low["level"]) == ("error", "note")
    assert high["ruleId"] == "revu/bug" and low["ruleId"] == "revu/security"
    assert high["locations"][0]["physicalLocation"]["region"] == {"startLine": 3, "endLine": 3}
    assert list(high["partialFingerprints"].values()) == [_result().findings[0].fingerprint]


def test_sarif_schema_refuses_what_github_refuses() -> None:
    data = json.loads(render(_result(), "sarif"))
    data["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, SCHEMA)


def test_markdown_groups_by_file_and_shows_the_suggestion_as_a_diff() -> None:
    text = render(_result(), "markdown")
    assert "### `src/stats.py`" in text and "### `web/app.js`" in text
    assert (
        "```diff\n-    return total / len(xs)\n+    return total / len(xs) if xs else 0.0\n```"
        in text
    )
    assert "| `poetry.lock` | lock file |" in text


def test_text_shows_code_lines_and_suggestion() -> None:
    text = render(_result(), "text")
    assert "src/stats.py" in text and "HIGH" in text and "Division by zero" in text
    assert "3 │     return total / len(xs)" in text
    assert "- " + "    return total / len(xs)" in text
    assert "+     return total / len(xs) if xs else 0.0" in text
    assert "poetry.lock: lock file" in text
    assert "60% cached" in text
    assert "\x1b[" not in text  # no colour codes unless asked


def test_text_lists_files_that_share_a_reason_once_under_it() -> None:
    unreachable = "Unreachable: cannot reach api.moonshot.ai: check the network"
    skipped = (
        SkippedFile("poetry.lock", "lock file"),
        *(SkippedFile(f"src/m{i}.py", unreachable) for i in range(5)),
    )
    result = dataclasses.replace(
        _result(), coverage=Coverage(("src/stats.py",), skipped), findings=()
    )
    text = render(result, OutputFormat.TEXT, width=200)
    assert "poetry.lock: lock file" in text
    assert text.count(unreachable) == 1
    assert f"5 files: {unreachable}" in text
    assert "src/m0.py, src/m1.py, src/m2.py, src/m3.py, src/m4.py" in text
    # JSON keeps one entry a file, each with its reason
    data = json.loads(render(result, OutputFormat.JSON))
    assert len(data["coverage"]["skipped"]) == 6
