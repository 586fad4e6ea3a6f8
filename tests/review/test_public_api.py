"""The names others import from revu.review stay put."""

from __future__ import annotations

import revu.review

EXPECTED = {
    "CONFIG_FILE",
    "Category",
    "ChangeSet",
    "ChangeSourceError",
    "ConfigError",
    "Coverage",
    "DiffLine",
    "FileChange",
    "FileStatus",
    "Finding",
    "Hunk",
    "LineKind",
    "ModelInfo",
    "OutputFormat",
    "ReviewConfig",
    "ReviewProgress",
    "ReviewResult",
    "Rule",
    "Severity",
    "SkippedFile",
    "load_changes",
    "load_review_config",
    "render",
    "review_changes",
}


def test_exported_names() -> None:
    assert set(revu.review.__all__) == EXPECTED
    for name in EXPECTED:
        assert getattr(revu.review, name) is not None
