"""What every output must satisfy: ARCHITECTURE.md's JSON object, and SARIF GitHub accepts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema

SCHEMA = json.loads((Path(__file__).parent / "sarif_github.schema.json").read_text())

CONTRACT_KEYS = {
    "findings",
    "summary",
    "coverage",
    "usage",
    "model",
    "fallback_used",
    "dropped_findings",
    "duration_s",
}
FINDING_KEYS = {
    "path",
    "line",
    "end_line",
    "severity",
    "category",
    "title",
    "body",
    "suggestion",
    "fingerprint",
}


def check_contract(data: dict[str, Any]) -> None:
    """Exactly the keys of ARCHITECTURE.md's JSON object, with the right types."""
    assert set(data) == CONTRACT_KEYS
    assert all(set(f) == FINDING_KEYS for f in data["findings"])
    assert set(data["coverage"]) == {"reviewed", "skipped"}
    assert all(set(s) == {"path", "reason"} for s in data["coverage"]["skipped"])
    assert set(data["usage"]) == {
        "calls",
        "input_tokens",
        "cached_tokens",
        "output_tokens",
        "cost_usd",
    }
    assert set(data["model"]) == {"slot", "provider", "model", "base_url"}
    assert isinstance(data["fallback_used"], bool)
    assert isinstance(data["dropped_findings"], int)
    assert isinstance(data["duration_s"], float)


def check_sarif(data: dict[str, Any]) -> None:
    """Valid for GitHub code scanning, with ranges that make sense."""
    jsonschema.validate(data, SCHEMA)
    for result in data["runs"][0]["results"]:
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] <= region["endLine"]
        rules = data["runs"][0]["tool"]["driver"]["rules"]
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
