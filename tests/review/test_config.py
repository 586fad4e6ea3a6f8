"""`.revu.toml`: rules, ignore globs, limits, and one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from revu.review._config import ConfigError, ReviewConfig, load_review_config
from revu.review._findings import Severity
from revu.review._globs import compile_glob, matches_any


def test_missing_file_means_defaults(tmp_path: Path) -> None:
    assert load_review_config(tmp_path) == ReviewConfig()


def test_full_file(tmp_path: Path) -> None:
    (tmp_path / ".revu.toml").write_text(
        'ignore = ["docs/**", "*.snap"]\nmax_findings = 5\nmin_severity = "medium"\n\n'
        '[[rules]]\nname = "no-print"\ndescription = "Use the logger."\n'
        'paths = ["src/**/*.py"]\nseverity = "high"\n\n'
        '[[rules]]\nname = "everywhere"\ndescription = "Applies to all."\n'
    )
    config = load_review_config(tmp_path)
    assert config.ignore == ("docs/**", "*.snap")
    assert config.max_findings == 5 and config.min_severity is Severity.MEDIUM
    assert [r.name for r in config.rules_for("src/pkg/app.py")] == ["no-print", "everywhere"]
    assert [r.name for r in config.rules_for("tests/test_app.py")] == ["everywhere"]
    assert config.rules[0].severity is Severity.HIGH


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ignore = [", "not valid TOML"),
        ("max_findngs = 3", "max_findngs: unknown key"),
        ('[[rules]]\nname = "x"\ndescription = "y"\nseverity = "urgent"', "rules[0].severity"),
        ('[[rules]]\nname = "x"', "rules[0].description"),
        ("max_findings = 0", "max_findings"),
        ('[[rules]]\nname = "x"\ndescription = "y"\npath = ["a"]', "rules[0].path: unknown key"),
        ('ignore = "*.snap"', "ignore: should be a list"),
        ('ignore = ["[z-a]"]', "ignore: '[z-a]' is not a valid glob"),
        ('[[rules]]\nname = "x"\ndescription = "y"\npaths = ["[!]"]', "rules[0].paths: '[!]'"),
    ],
)
def test_bad_files_give_one_line_naming_the_key(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / ".revu.toml").write_text(text)
    with pytest.raises(ConfigError) as info:
        load_review_config(tmp_path)
    assert message in str(info.value)
    assert str(info.value).startswith(".revu.toml")
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("pattern", "path", "hit"),
    [
        ("*.lock", "deep/dir/x.lock", True),
        ("*.lock", "x.locked", False),
        ("src/*.py", "src/a.py", True),
        ("src/*.py", "src/pkg/a.py", False),
        ("src/**/*.py", "src/a.py", True),
        ("src/**/*.py", "src/pkg/deep/a.py", True),
        ("src/**/*.py", "lib/src/a.py", False),
        ("docs/", "docs/guide/intro.md", True),
        ("docs", "sub/docs/intro.md", True),
        ("/docs", "sub/docs/intro.md", False),
        ("fixtures/**", "fixtures/a/b.json", True),
        ("data?.csv", "data1.csv", True),
        ("data[!0-9].csv", "data1.csv", False),
        ("**", "anything/at/all.txt", True),
    ],
)
def test_globs(pattern: str, path: str, hit: bool) -> None:
    assert bool(compile_glob(pattern).match(path)) is hit
    assert (matches_any(path, [pattern]) == pattern) is hit
