"""Showing a review: text (Rich) for people, markdown for PR comments, json and sarif for tools."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator, Sequence
from enum import StrEnum
from itertools import groupby

from rich.console import Console, Group, RenderableType
from rich.text import Text

from revu.review._filter import SkippedFile
from revu.review._findings import Finding, Severity
from revu.review._result import ReviewResult
from revu.review._sarif import to_sarif


class OutputFormat(StrEnum):
    """The formats of `revu review --format`."""

    TEXT = "text"
    MARKDOWN = "markdown"
    JSON = "json"
    SARIF = "sarif"


_GROUP_SKIPPED_AT = 3  # files sharing one reason, listed under it

_STYLE = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "bold yellow",
    Severity.LOW: "bold cyan",
}
_ICON = {Severity.CRITICAL: "🔴", Severity.HIGH: "🟠", Severity.MEDIUM: "🟡", Severity.LOW: "🔵"}


def render(
    result: ReviewResult, fmt: OutputFormat | str, *, color: bool = False, width: int = 100
) -> str:
    """The review in `fmt`, as the text to print on stdout."""
    fmt = OutputFormat(fmt)
    if fmt is OutputFormat.JSON:
        return json.dumps(result.to_json(), indent=2, ensure_ascii=False) + "\n"
    if fmt is OutputFormat.SARIF:
        return json.dumps(to_sarif(result), indent=2, ensure_ascii=False) + "\n"
    if fmt is OutputFormat.MARKDOWN:
        return render_markdown(result)
    console = Console(
        file=io.StringIO(),
        force_terminal=color,
        no_color=not color,
        width=width,
        highlight=False,
        emoji=False,
    )
    with console.capture() as captured:
        # Piped output is not wrapped (a reader or a tool re-wraps); a terminal wraps at its width.
        console.print(text_view(result), soft_wrap=not color)
    return "".join(line.rstrip() + "\n" for line in captured.get().splitlines())


def _lines_label(f: Finding) -> str:
    return f"line {f.line}" if f.line == f.end_line else f"lines {f.line}–{f.end_line}"


def _usage_line(result: ReviewResult) -> str:
    u = result.usage
    share = f" ({u.cached_tokens * 100 // u.input_tokens}% cached)" if u.input_tokens else ""
    fallback = ", fallback used" if result.fallback_used else ""
    return (
        f"{result.model.model} ({result.model.slot} slot, {result.model.provider}{fallback}) · "
        f"{u.calls} call{'' if u.calls == 1 else 's'} · {u.input_tokens:,} input tokens{share} · "
        f"{u.output_tokens:,} output · "
        f"${u.cost_usd:.4f} · {result.duration_s:.1f} s"
    )


def text_view(result: ReviewResult) -> RenderableType:
    """The review as Rich renderables: findings grouped by file, code and suggestion shown."""
    parts: list[RenderableType] = [Text(result.summary, style="bold")]
    for path, group in groupby(sorted(result.findings, key=lambda f: f.path), key=lambda f: f.path):
        parts.append(Text(""))
        parts.append(Text(path, style="bold underline"))
        parts.extend(_finding_view(f) for f in group)
    if result.coverage.skipped:
        parts.append(Text(""))
        parts.append(Text("Skipped", style="bold"))
        parts.extend(_skipped_view(result.coverage.skipped))
    parts.append(Text(""))
    parts.append(Text(_usage_line(result), style="dim"))
    return Group(*parts)


def _skipped_view(skipped: Sequence[SkippedFile]) -> Iterator[Text]:
    """One line a file; files that share a reason (a slot that never answered, 40 generated
    files) are listed once under it, so the reason is read once and the files stay visible."""
    by_reason: dict[str, list[str]] = {}
    for s in skipped:
        by_reason.setdefault(s.reason, []).append(s.path)
    for reason, paths in by_reason.items():
        if len(paths) < _GROUP_SKIPPED_AT:
            yield from (Text(f"  {path}: {reason}", style="dim") for path in paths)
        else:
            yield Text(f"  {len(paths)} files: {reason}", style="dim")
            yield Text("    " + ", ".join(paths), style="dim")


def _finding_view(f: Finding) -> RenderableType:
    # Indentation is written into the text, not added by Padding: Padding crops long lines
    # when output is not wrapped, and nothing a finding says may be cut.
    head = Text("  ")
    head.append(f" {f.severity.value.upper()} ", style=_STYLE[f.severity])
    head.append(f" {f.category.value} · {_lines_label(f)} · ", style="dim")
    head.append(f.title, style="bold")
    rows: list[RenderableType] = [Text(""), head]
    rows.extend(Text("    " + line) for line in f.body.splitlines() or [""])
    width = len(str(f.end_line))
    for number, line in zip(range(f.line, f.end_line + 1), f.code, strict=False):
        code = Text()
        code.append(f"      {number:>{width}} │ ", style="dim")
        code.append(line)
        rows.append(code)
    if f.suggestion is not None:
        rows.append(Text("    suggestion:", style="dim"))
        rows.extend(Text(f"      - {line}", style="red") for line in f.code)
        rows.extend(Text(f"      + {line}", style="green") for line in f.suggestion.split("\n"))
    return Group(*rows)


def render_markdown(result: ReviewResult) -> str:
    """The review as GitHub-flavoured markdown."""
    return "\n".join(_markdown_lines(result)).rstrip() + "\n"


def _fence(body: str, info: str = "") -> list[str]:
    ticks = "```"
    while ticks in body:
        ticks += "`"
    return [f"{ticks}{info}", body, ticks]


def _markdown_lines(result: ReviewResult) -> Iterator[str]:
    yield "## revu review"
    yield ""
    yield result.summary
    for path, group in groupby(sorted(result.findings, key=lambda f: f.path), key=lambda f: f.path):
        yield ""
        yield f"### `{path}`"
        for f in group:
            yield ""
            title = f.title.replace("\n", " ")
            yield (
                f"#### {_ICON[f.severity]} {f.severity.value.capitalize()} · {f.category.value} · "
                f"{_lines_label(f)}: {title}"
            )
            yield ""
            yield f.body
            if f.code:
                yield ""
                yield from _fence("\n".join(f.code))
            if f.suggestion is not None:
                yield ""
                yield "Suggestion:"
                yield ""
                diff = [f"-{line}" for line in f.code] + [
                    f"+{line}" for line in f.suggestion.split("\n")
                ]
                yield from _fence("\n".join(diff), "diff")
    if result.coverage.skipped:
        yield ""
        yield "<details><summary>Skipped files</summary>"
        yield ""
        yield "| file | reason |"
        yield "|---|---|"
        for s in result.coverage.skipped:
            reason = s.reason.replace("|", "\\|")
            yield f"| `{s.path}` | {reason} |"
        yield ""
        yield "</details>"
    yield ""
    yield f"<sub>{_usage_line(result)}</sub>"
