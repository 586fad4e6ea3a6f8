"""SARIF 2.1.0 output, in the shape GitHub code scanning accepts."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, metadata
from typing import Any

from revu import __version__
from revu.review._findings import Category, Finding, Severity
from revu.review._result import ReviewResult

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "revuFingerprint/v1"

_LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
}
_RULE_TEXT = {
    Category.BUG: "A defect: the code does not do what it should.",
    Category.SECURITY: "A security weakness an attacker could use.",
    Category.PERFORMANCE: "Work that will be slow or wasteful at real sizes.",
    Category.MAINTAINABILITY: "Code that will be hard to change safely.",
    Category.STYLE: "A departure from the repository's conventions.",
    Category.DOCS: "Documentation that is missing, wrong or out of date.",
    Category.TESTS: "Tests that are missing or do not test what they claim.",
}


def information_uri() -> str:
    """The project's home page from the package metadata, else its package index page."""
    try:
        for entry in metadata("revu").get_all("Project-URL") or []:
            return str(entry).split(",", 1)[-1].strip()
    except PackageNotFoundError:
        pass
    return "https://pypi.org/project/revu/"


def _rule_id(category: Category) -> str:
    return f"revu/{category.value}"


def _rules() -> list[dict[str, Any]]:
    return [
        {
            "id": _rule_id(category),
            "name": category.value.capitalize(),
            "shortDescription": {"text": f"revu: {category.value}"},
            "fullDescription": {"text": _RULE_TEXT[category]},
            "defaultConfiguration": {"level": "warning"},
            "properties": {"tags": [category.value]},
        }
        for category in Category
    ]


def _result(finding: Finding, rule_index: dict[Category, int]) -> dict[str, Any]:
    text = finding.title if finding.body == finding.title else f"{finding.title}\n\n{finding.body}"
    properties: dict[str, Any] = {"severity": finding.severity.value}
    if finding.suggestion is not None:
        properties["suggestion"] = finding.suggestion
    return {
        "ruleId": _rule_id(finding.category),
        "ruleIndex": rule_index[finding.category],
        "level": _LEVEL[finding.severity],
        "message": {"text": text},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": finding.path, "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": finding.line, "endLine": finding.end_line},
                }
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        "properties": properties,
    }


def to_sarif(result: ReviewResult) -> dict[str, Any]:
    """The review as one SARIF 2.1.0 log with one run."""
    rule_index = {category: i for i, category in enumerate(Category)}
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "revu",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": information_uri(),
                        "rules": _rules(),
                    }
                },
                "results": [_result(f, rule_index) for f in result.findings],
                "properties": {"summary": result.summary},
            }
        ],
    }
