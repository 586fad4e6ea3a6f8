"""A repository's review settings: `.revu.toml` at the root of the work tree."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from revu.review._findings import Severity
from revu.review._globs import compile_glob, matches_any

CONFIG_FILE = ".revu.toml"


class ConfigError(Exception):
    """`.revu.toml` cannot be used. The message is one line naming the key to fix."""


def _compiled(patterns: tuple[str, ...]) -> tuple[str, ...]:
    for pattern in patterns:
        compile_glob(pattern)  # ValueError names the glob
    return patterns


Globs = Annotated[tuple[str, ...], AfterValidator(_compiled)]


class Rule(BaseModel):
    """A repository rule the model checks on the files its `paths` globs match."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    description: str = Field(min_length=1)
    paths: Globs = ("**",)
    severity: Severity = Severity.MEDIUM

    def applies_to(self, path: str) -> bool:
        return matches_any(path, self.paths) is not None


class ReviewConfig(BaseModel):
    """What `.revu.toml` may set. Every key is optional."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    ignore: Globs = ()  # globs of files never reviewed (listed as skipped)
    max_findings: int | None = Field(default=None, ge=1)  # keep the most severe N
    min_severity: Severity | None = None  # default for --min-severity
    rules: tuple[Rule, ...] = ()

    def rules_for(self, path: str) -> tuple[Rule, ...]:
        """The rules whose `paths` match `path`."""
        return tuple(r for r in self.rules if r.applies_to(path))


def load_review_config(root: Path) -> ReviewConfig:
    """Read `.revu.toml` from `root`; a missing file means the defaults."""
    path = root / CONFIG_FILE
    if not path.is_file():
        return ReviewConfig()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read {CONFIG_FILE}: {exc.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{CONFIG_FILE} is not valid TOML: {exc}") from None
    try:
        return ReviewConfig.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error["loc"])
        where = where.lstrip(".") or "(top level)"
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "tuple_type":
            message = 'should be a list, e.g. ["..."]'
        elif error["type"] == "extra_forbidden":
            message = "unknown key (allowed: ignore, max_findings, min_severity, rules)"
            if len(error["loc"]) > 1:
                message = "unknown key (allowed: name, description, paths, severity)"
        raise ConfigError(f"{CONFIG_FILE}: {where}: {message}") from None
