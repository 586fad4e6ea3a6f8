"""Review benchmark: a generated 150-file change against the emulator with a latency model.

    .venv/bin/python bench/review_large.py [--files 150] [--cap 10] [--ttft 0.3]

The emulator runs as a separate `revu-emulator` process (its event loop must not compete with
the one being measured). Every answer takes `--ttft` seconds plus a little per uncached input
token, output is fast. The key and revu both cap concurrency at `--cap`.

The change mixes tiny files (grouped into shared calls), ordinary files with a few hunks, and a
few very large files (split into parts). The ideal wall time is the sum of every call's
modelled latency divided by the cap (never less than the slowest call); the ratio is the
measured review time over that ideal (goal <= 1.2). The cache share is cached input tokens
over all input tokens (goal >= 50%): the shared prefix at work. 429s must be zero.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import subprocess
import tempfile
import time
from pathlib import Path

from revu.byok import routing_from_env
from revu.llm import Gateway
from revu.review import ReviewConfig, load_changes, review_changes
from revu_emulator import EmulatorProcess

MODEL = "kimi-k2-0905-preview"
KEY = "sk-bench-review"
IDENTITY = ("-c", "user.name=revu bench", "-c", "user.email=bench@revu.invalid")


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *IDENTITY, *args], cwd=root, check=True, capture_output=True)


def function(rng: random.Random, name: str, lines: int) -> list[str]:
    body = [f"def {name}(items, limit=10):", '    """Process the items."""', "    total = 0"]
    for i in range(lines):
        op = rng.choice(["+", "-", "*", "//"])
        body.append(f"    total = total {op} compute_{i % 7}(items[{i} % len(items)], limit)")
    body.append("    return total")
    return body


def module(rng: random.Random, functions: int, lines: int) -> list[str]:
    out = ['"""A generated module."""', "", "from .core import compute_0, compute_1", ""]
    for f in range(functions):
        out += ["", *function(rng, f"step_{f}", lines)]
    return out


def edit(rng: random.Random, text: list[str], hunks: int, size: int) -> list[str]:
    """Change `hunks` regions of about `size` lines each."""
    out = list(text)
    for _ in range(hunks):
        at = rng.randrange(4, max(5, len(out) - size))
        for i in range(at, min(at + size, len(out))):
            if out[i].startswith("    total"):
                out[i] = out[i].replace("limit)", "limit + 1)").replace("total =", "total +=")
        out.insert(at, f"    check_limit(limit, {at})  # added")
    return out


def make_repo(root: Path, files: int, seed: int, large_hunks: int) -> dict[str, int]:
    """A repository whose uncommitted change touches `files` files; returns the size mix."""
    rng = random.Random(seed)
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    shapes: list[tuple[str, int, int, int, int]] = []  # kind, functions, lines, hunks, size
    tiny = files // 5
    large = max(1, files // 50)
    for i in range(files):
        if i < tiny:
            shapes.append(("tiny", 2, 6, 1, 1))
        elif i < tiny + large:
            shapes.append(("large", 40, 80, large_hunks, 100))
        else:
            shapes.append(("ordinary", 6, 20, rng.randint(1, 4), rng.randint(5, 25)))
    originals = []
    for i, (kind, functions, lines, _, _) in enumerate(shapes):
        text = module(rng, functions, lines)
        originals.append(text)
        path = root / f"pkg{i % 12}" / f"{kind}_{i}.py"
        path.parent.mkdir(exist_ok=True)
        path.write_text("\n".join(text) + "\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    for i, (kind, _, _, hunks, size) in enumerate(shapes):
        path = root / f"pkg{i % 12}" / f"{kind}_{i}.py"
        path.write_text("\n".join(edit(rng, originals[i], hunks, size)) + "\n")
    mix: dict[str, int] = {}
    for kind, *_ in shapes:
        mix[kind] = mix.get(kind, 0) + 1
    return mix


async def review(root: Path, url: str, cap: int) -> tuple[object, float, float]:
    env = {
        "REVU_LLM_PROVIDER": "moonshot",
        "REVU_LLM_BASE_URL": f"{url}/developer/v1",
        "REVU_LLM_API_KEY": KEY,
        "REVU_LLM_MODEL": MODEL,
        "REVU_LLM_MAX_CONCURRENT": str(cap),
    }
    routing = routing_from_env(env, env_file=None)
    began = time.perf_counter()
    changes = load_changes(root)
    loaded = time.perf_counter() - began
    async with Gateway(routing) as gateway:
        began = time.perf_counter()
        result = await review_changes(changes, gateway, ReviewConfig())
        wall = time.perf_counter() - began
    return result, loaded, wall


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=150)
    parser.add_argument("--cap", type=int, default=10)
    parser.add_argument("--ttft", type=float, default=0.3, help="seconds to first token")
    parser.add_argument("--per-token", type=float, default=20e-6, help="s per uncached token")
    parser.add_argument("--tps", type=float, default=5000.0, help="output tokens per second")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--large-hunks",
        type=int,
        default=8,
        help="hunks of ~100 changed lines in each large file (1 in 50 files is large)",
    )
    args = parser.parse_args()

    with EmulatorProcess() as process:
        emulator = process.client
        emulator.configure(
            ttft_base_s=args.ttft,
            ttft_per_token_s=args.per_token,
            output_tps=args.tps,
            requests_kept=5000,
        )
        emulator.add_key(KEY, platform="developer", tier=5, max_concurrent=args.cap)
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "repo"
            mix = make_repo(root, args.files, args.seed, args.large_hunks)
            result, loaded, wall = asyncio.run(review(root, process.url, args.cap))
        chats = [r for r in emulator.requests() if r["path"].endswith("/chat/completions")]
        stats = emulator.stats()

    answered = [r for r in chats if r["status"] == 200]
    latencies = [
        args.ttft
        + (r["usage"]["prompt_tokens"] - r["usage"]["cached_tokens"]) * args.per_token
        + r["usage"]["completion_tokens"] / args.tps
        for r in answered
    ]
    ideal = max(sum(latencies) / args.cap, max(latencies, default=0.0))
    usage = result.usage  # type: ignore[attr-defined]
    share = usage.cached_tokens / usage.input_tokens if usage.input_tokens else 0.0
    too_many = stats["by_status"].get("429", 0)
    summary = {
        "files": args.files,
        "mix": mix,
        "reviewed": len(result.coverage.reviewed),  # type: ignore[attr-defined]
        "skipped": len(result.coverage.skipped),  # type: ignore[attr-defined]
        "calls": usage.calls,
        "cap": args.cap,
        "mean_call_latency_s": round(sum(latencies) / max(1, len(latencies)), 3),
        "ideal_s": round(ideal, 3),
        "wall_s": round(wall, 3),
        "ratio": round(wall / ideal, 3) if ideal else None,
        "load_changes_s": round(loaded, 3),
        "max_in_flight": stats.get("max_in_flight"),
        "http_429": too_many,
        "input_tokens": usage.input_tokens,
        "cached_tokens": usage.cached_tokens,
        "cache_share": round(share, 3),
        "output_tokens": usage.output_tokens,
        "cost_usd": round(usage.cost_usd, 4),
    }
    print(
        f"review of a generated {args.files}-file change ({mix}, {args.large_hunks} hunks per "
        f"large file), cap {args.cap}"
    )
    print(f"  calls           : {usage.calls} ({summary['mean_call_latency_s']} s modelled each)")
    print(f"  ideal           : {ideal:.3f} s (sum of call latencies / cap)")
    print(f"  wall            : {wall:.3f} s  ratio {summary['ratio']}  (goal <= 1.2)")
    print(f"  reading the diff: {loaded:.3f} s (git, before the review starts)")
    print(f"  max in flight   : {summary['max_in_flight']}  429s: {too_many}")
    print(
        f"  input tokens    : {usage.input_tokens:,}, cached {usage.cached_tokens:,} "
        f"({share:.0%}, goal >= 50%)"
    )
    print(f"  cost            : ${usage.cost_usd:.4f} ({MODEL} prices)")
    print(json.dumps(summary))
    ok = summary["ratio"] is not None and summary["ratio"] <= 1.2 and share >= 0.5
    return 0 if ok and too_many == 0 and summary["skipped"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
