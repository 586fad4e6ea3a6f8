"""`make demo`: review a small sample repository against the bundled Moonshot emulator.

No key and no network needed. The script starts `revu-emulator` on a free port, scripts it
(through its admin API) to find the bug planted in the sample, creates the sample git
repository in a temporary directory (one commit, then an uncommitted change that carries the
bug), runs `revu review` on it with the environment pointing at the emulator, shows what revu
prints, and stops the emulator. It exits 0 only when revu printed the planted finding.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from revu_emulator import EmulatorClient, EmulatorError, EmulatorProcess

BIN = Path(sys.executable).parent
GIT_IDENTITY = ("-c", "user.name=revu demo", "-c", "user.email=demo@revu.invalid")
TITLE = "Average of an empty cart divides by zero"

CART_BEFORE = '''\
"""A shopping cart."""

from dataclasses import dataclass, field


@dataclass
class Cart:
    prices: list[float] = field(default_factory=list)

    def add(self, price: float) -> None:
        if price < 0:
            raise ValueError("a price cannot be negative")
        self.prices.append(price)

    def total(self) -> float:
        return sum(self.prices)
'''

# The change under review: a new method with the bug the emulator is scripted to find.
CART_AFTER = (
    CART_BEFORE
    + '''
    def average(self) -> float:
        """The mean price, shown on the checkout page."""
        count = len(self.prices)
        return self.total() / count
'''
)
BUG_LINE = "        return self.total() / count"


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *GIT_IDENTITY, *args], cwd=root, check=True, capture_output=True)


def make_sample(root: Path) -> int:
    """The sample repository; returns the new-file line number of the planted bug."""
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "shop").mkdir()
    (root / "shop" / "cart.py").write_text(CART_BEFORE)
    (root / "poetry.lock").write_text("# lock file\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Cart with add and total")
    (root / "shop" / "cart.py").write_text(CART_AFTER)
    (root / "poetry.lock").write_text("# lock file, updated\n")
    return CART_AFTER.splitlines().index(BUG_LINE) + 1


def script_the_bug(emulator: EmulatorClient, line: int) -> None:
    finding = {
        "path": "shop/cart.py",
        "line": line,
        "end_line": line,
        "severity": "high",
        "category": "bug",
        "title": TITLE,
        "body": "len(self.prices) is 0 for a new cart, so average() raises ZeroDivisionError "
        "on the checkout page. Return 0.0 (or None) when the cart is empty.",
        "suggestion": "        return self.total() / count if count else 0.0",
    }
    # Matched against the file part only: the planted line is what the "model" reacts to.
    emulator.script(BUG_LINE.strip(), json.dumps({"findings": [finding]}), scope="last_user")


def revu_environment(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REVU_", "MOONSHOT_"))}
    env.update(
        {
            "REVU_LLM_PROVIDER": "moonshot",
            "REVU_LLM_PLAN": "developer",
            "REVU_LLM_BASE_URL": f"{url}/developer/v1",
            "REVU_LLM_API_KEY": "sk-emulator-developer",
        }
    )
    return env


def main() -> int:
    try:
        emulator = EmulatorProcess().start()
    except EmulatorError as exc:
        raise SystemExit(f"demo: {exc}") from None
    with emulator, tempfile.TemporaryDirectory(prefix="revu-demo-") as tmp:
        sample = Path(tmp) / "sample"
        line = make_sample(sample)
        script_the_bug(emulator.client, line)
        print(f"demo: Moonshot emulator at {emulator.url}", flush=True)
        print(f"demo: sample repository with an uncommitted change at {sample}", flush=True)
        print("demo: $ revu review\n", flush=True)
        review = subprocess.run(
            [str(BIN / "revu"), "review", str(sample)],
            env=revu_environment(emulator.url),
            cwd=tmp,  # no .env from wherever make was run
            capture_output=True,
            text=True,
            check=False,
        )
    sys.stdout.write(review.stdout)
    sys.stderr.write(review.stderr)
    found = review.returncode == 0 and TITLE in review.stdout and f"line {line}" in review.stdout
    if found:
        print("\ndemo: ok, revu found the planted bug on shop/cart.py line", line)
        return 0
    print(f"\ndemo: FAILED, the planted finding was not printed (revu exit {review.returncode})")
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
