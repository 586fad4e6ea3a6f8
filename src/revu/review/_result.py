"""What a review produced: findings, coverage, usage, and which model answered."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from revu.llm import LLMError, Usage
from revu.review._filter import SkippedFile
from revu.review._findings import Finding


@dataclass(frozen=True)
class ModelInfo:
    """The slot that answered (the one that answered most calls when both did)."""

    slot: str
    provider: str
    model: str
    base_url: str


@dataclass(frozen=True)
class Coverage:
    """Which files were reviewed and which were not, with the reason for each."""

    reviewed: tuple[str, ...]
    skipped: tuple[SkippedFile, ...]


@dataclass(frozen=True)
class ReviewResult:
    """The outcome of one review. `to_json()` is the contract of `revu review --format json`."""

    findings: tuple[Finding, ...]
    summary: str
    coverage: Coverage
    usage: Usage
    model: ModelInfo
    fallback_used: bool
    dropped_findings: int
    duration_s: float
    parts_failed: int = 0  # file parts no call could review (each also in coverage.skipped)
    no_slot_answered: bool = False  # every call failed for want of a slot: exit code 3
    # Each distinct failure of a slot; a surface words their fixes its own way
    # (`revu.byok.env_diagnosis` for the CLI).
    slot_errors: tuple[LLMError, ...] = ()
    notes: tuple[str, ...] = ()  # how the change was read; the summary ends with them

    def to_json(self) -> dict[str, Any]:
        """Exactly the object of ARCHITECTURE.md's JSON contract."""
        return {
            "findings": [
                {
                    "path": f.path,
                    "line": f.line,
                    "end_line": f.end_line,
                    "severity": f.severity.value,
                    "category": f.category.value,
                    "title": f.title,
                    "body": f.body,
                    "suggestion": f.suggestion,
                    "fingerprint": f.fingerprint,
                }
                for f in self.findings
            ],
            "summary": self.summary,
            "coverage": {
                "reviewed": list(self.coverage.reviewed),
                "skipped": [{"path": s.path, "reason": s.reason} for s in self.coverage.skipped],
            },
            "usage": {
                "calls": self.usage.calls,
                "input_tokens": self.usage.input_tokens,
                "cached_tokens": self.usage.cached_tokens,
                "output_tokens": self.usage.output_tokens,
                "cost_usd": round(self.usage.cost_usd, 6),
            },
            "model": {
                "slot": self.model.slot,
                "provider": self.model.provider,
                "model": self.model.model,
                "base_url": self.model.base_url,
            },
            "fallback_used": self.fallback_used,
            "dropped_findings": self.dropped_findings,
            "duration_s": round(self.duration_s, 3),
        }
