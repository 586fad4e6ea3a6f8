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


def _typed(value: Any, kind: type | tuple[type, ...]) -> bool:
    # bool is an int to isinstance; the contract never means one for the other
    return isinstance(value, kind) and (kind is bool or not isinstance(value, bool))


def check_contract(data: dict[str, Any]) -> None:
    """Exactly the keys of ARCHITECTURE.md's JSON object, with the right types."""
    assert set(data) == CONTRACT_KEYS
    for f in data["findings"]:
        assert set(f) == FINDING_KEYS
        assert all(_typed(f[k], int) for k in ("line", "end_line")) and f["line"] <= f["end_line"]
        assert f["severity"] in ("critical", "high", "medium", "low")
        assert f["category"] in (
            "bug",
            "security",
            "performance",
            "maintainability",
            "style",
            "docs",
            "tests",
        )
        assert all(_typed(f[k], str) for k in ("path", "title", "body", "fingerprint"))
        assert f["suggestion"] is None or _typed(f["suggestion"], str)
    assert _typed(data["summary"], str)
    assert set(data["coverage"]) == {"reviewed", "skipped"}
    assert all(_typed(p, str) for p in data["coverage"]["reviewed"])
    for skipped in data["coverage"]["skipped"]:
        assert set(skipped) == {"path", "reason"}
        assert _typed(skipped["path"], str) and _typed(skipped["reason"], str)
    usage = data["usage"]
    assert set(usage) == {"calls", "input_tokens", "cached_tokens", "output_tokens", "cost_usd"}
    assert all(_typed(usage[k], int) for k in set(usage) - {"cost_usd"})
    assert _typed(usage["cost_usd"], float)
    assert set(data["model"]) == {"slot", "provider", "model", "base_url"}
    assert all(_typed(v, str) for v in data["model"].values())
    assert _typed(data["fallback_used"], bool)
    assert _typed(data["dropped_findings"], int)
    assert _typed(data["duration_s"], float)


def check_sarif(data: dict[str, Any]) -> None:
    """Valid for GitHub code scanning, with ranges that make sense."""
    jsonschema.validate(data, SCHEMA)
    for result in data["runs"][0]["results"]:
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] <= region["endLine"]
        rules = data["runs"][0]["tool"]["driver"]["rules"]
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
