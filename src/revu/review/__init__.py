"""The review engine: a change in, checked findings out.

ChangeSet -> filter -> plan within the context budget -> prompts with a shared prefix ->
every call at once through `revu.llm.Gateway` -> parse -> validate -> dedupe -> rank -> render.
"""

from __future__ import annotations

from revu.review._changeset import ChangeSet, DiffLine, FileChange, FileStatus, Hunk, LineKind
from revu.review._config import CONFIG_FILE, ConfigError, ReviewConfig, Rule, load_review_config
from revu.review._engine import ReviewProgress, review_changes
from revu.review._filter import SkippedFile
from revu.review._findings import Category, Finding, Severity
from revu.review._git import ChangeSourceError, load_changes
from revu.review._render import OutputFormat, render
from revu.review._result import Coverage, ModelInfo, ReviewResult

__all__ = [
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
]
