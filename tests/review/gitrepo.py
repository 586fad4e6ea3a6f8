"""Throwaway git repositories for tests: real `git`, no global identity needed."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

IDENTITY = ("-c", "user.name=revu tests", "-c", "user.email=tests@revu.invalid")


class GitRepo:
    """A git work tree under a temporary directory."""

    def __init__(self, root: Path, *, branch: str = "main") -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", branch)
        self.git("config", "core.autocrlf", "false")

    def git(self, *args: str) -> str:
        env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(self.root)}
        proc = subprocess.run(
            ["git", *IDENTITY, *args], cwd=self.root, capture_output=True, env=env, check=True
        )
        return proc.stdout.decode()

    def write(self, path: str, content: str | bytes) -> Path:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
        return target

    def commit(self, message: str = "commit", *paths: str) -> str:
        self.git("add", "-A", *paths)
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD").strip()


def numbered(count: int, prefix: str = "line") -> str:
    """`count` distinct lines of text, newline-terminated."""
    return "".join(f"{prefix} {i}\n" for i in range(1, count + 1))
