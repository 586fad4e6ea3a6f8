"""Path globs for `.revu.toml` (`ignore`, rule `paths`), with gitignore-like meaning.

`*` and `?` stay inside one path segment, `**` crosses segments, `[abc]` is a class.
A pattern without a slash matches a file or directory name at any depth (`*.lock`,
`generated`); a pattern with a slash is anchored at the repository root (`src/**/*.py`);
a trailing slash (`docs/`) or a directory name covers everything below it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache


@lru_cache(maxsize=512)
def compile_glob(pattern: str) -> re.Pattern[str]:
    """The regular expression a glob stands for, matched against a repo-relative POSIX path.
    Raises ValueError for a glob that stands for nothing (`[z-a]`)."""
    pat = pattern.strip()
    anchored = "/" in pat.rstrip("/")
    pat = pat.strip("/")
    out: list[str] = []
    i = 0
    while i < len(pat):
        c = pat[i]
        if pat.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pat.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[" and (end := pat.find("]", i + 2)) != -1:
            body = pat[i + 1 : end]
            if body.startswith("!"):
                body = "^" + body[1:]
            out.append("[" + body.replace("\\", "\\\\") + "]")
            i = end + 1
        else:
            out.append(re.escape(c))
            i += 1
    prefix = "" if anchored else "(?:.*/)?"
    try:
        return re.compile(f"^{prefix}{''.join(out)}(?:/.*)?$")
    except re.error as exc:
        raise ValueError(f"{pattern!r} is not a valid glob ({exc.msg})") from None


def matches_any(path: str, patterns: Iterable[str]) -> str | None:
    """The first pattern that matches `path`, or None."""
    for pattern in patterns:
        if compile_glob(pattern).match(path):
            return pattern
    return None
