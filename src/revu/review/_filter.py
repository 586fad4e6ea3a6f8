"""Which files are worth a model's attention, and why the others are left out."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from revu.review._changeset import FileChange, FileStatus
from revu.review._config import ReviewConfig
from revu.review._globs import matches_any

_LOCK_FILES = frozenset(
    {
        "package-lock.json",
        "npm-shrinkwrap.json",
        "yarn.lock",
        "pnpm-lock.yaml",
        "bun.lockb",
        "bun.lock",
        "poetry.lock",
        "pipfile.lock",
        "pdm.lock",
        "uv.lock",
        "cargo.lock",
        "gemfile.lock",
        "composer.lock",
        "go.sum",
        "mix.lock",
        "pubspec.lock",
        "podfile.lock",
        "packages.lock.json",
        "flake.lock",
        "gradle.lockfile",
        "package.resolved",
    }
)
_GENERATED_NAMES = (
    "*.min.js",
    "*.min.css",
    "*.min.mjs",
    "*.js.map",
    "*.css.map",
    "*_pb2.py",
    "*_pb2.pyi",
    "*_pb2_grpc.py",
    "*.pb.go",
    "*.pb.cc",
    "*.pb.h",
    "*.generated.*",
    "*.g.dart",
    "*.freezed.dart",
    "*.designer.cs",
    "*.snap",
)
# Records, not code: a model reading them costs calls and finds nothing to review.
_DATA_FILES = (
    "*.csv",
    "*.tsv",
    "*.jsonl",
    "*.ndjson",
    "*.parquet",
    "*.avro",
    "*.arrow",
    "*.feather",
    "*.xls",
    "*.xlsx",
    "*.npy",
    "*.npz",
    "*.h5",
    "*.hdf5",
    "*.pkl",
)
_VENDORED_DIRS = frozenset({"vendor", "node_modules", "third_party", "bower_components"})
_GENERATED_MARKER = re.compile(
    r"@generated|\bDO NOT EDIT\b"
    r"|^\W*(?:this file (?:is|was) )?(?:auto(?:matically)?[- ]?generated)",
    re.IGNORECASE,
)
# Minified bundles come in these languages; long lines in prose (markdown) are normal.
_MINIFIABLE = frozenset({"javascript", "typescript", "css", "scss", "json", "html", "xml"})
_MINIFIED_LINE = 500  # characters; code people write is narrower than this


@dataclass(frozen=True)
class SkippedFile:
    """A file of the change that was not reviewed, and why."""

    path: str
    reason: str


def skip_reason(change: FileChange, config: ReviewConfig) -> str | None:
    """Why `change` should not be reviewed, or None to review it."""
    if change.status is FileStatus.DELETED:
        return "deleted"  # what a person wants to know first, whatever the file held
    if change.skip_reason is not None:
        return change.skip_reason
    if change.binary:
        return "binary file"
    pattern = matches_any(change.path, config.ignore)
    if pattern is not None:
        return f"ignored by .revu.toml ({pattern})"
    parts = PurePosixPath(change.path).parts
    name = parts[-1].lower()
    if name in _LOCK_FILES or name.endswith(".lock"):
        return "lock file"
    vendored = next((p for p in parts[:-1] if p in _VENDORED_DIRS), None)
    if vendored is not None:
        return f"vendored ({vendored}/)"
    if matches_any(change.path, _GENERATED_NAMES) is not None:
        return "generated file"
    if matches_any(change.path, _DATA_FILES) is not None:
        return "data file"
    head = _first_lines(change)
    if any(_GENERATED_MARKER.search(line) for line in head):
        return "generated file (marked as generated)"
    if _minified(change):
        return "minified file"
    if not change.hunks:
        return "no changed lines"
    return None


def _first_lines(change: FileChange, count: int = 5) -> list[str]:
    if change.new_lines is not None:
        return list(change.new_lines[:count])
    if change.hunks and change.hunks[0].new_start <= 1:
        return [ln.text for ln in change.hunks[0].lines if ln.new_no is not None][:count]
    return []


def _minified(change: FileChange) -> bool:
    if change.language not in _MINIFIABLE:
        return False
    shown = [ln.text for h in change.hunks for ln in h.lines if ln.new_no is not None]
    if not shown:
        return False
    long_lines = sum(1 for text in shown if len(text) > _MINIFIED_LINE)
    return long_lines > 0 and (long_lines / len(shown) > 0.2 or len(shown) <= 3)


def select_files(
    files: tuple[FileChange, ...], config: ReviewConfig
) -> tuple[list[FileChange], list[SkippedFile]]:
    """Split the change into files to review and files skipped with their reason."""
    reviewed: list[FileChange] = []
    skipped: list[SkippedFile] = []
    for change in files:
        reason = skip_reason(change, config)
        if reason is None:
            reviewed.append(change)
        else:
            skipped.append(SkippedFile(change.path, reason))
    return reviewed, skipped
