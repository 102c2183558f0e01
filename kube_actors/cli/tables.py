"""Column alignment exactly as kubectl prints it, and the human forms of times.

``tabwrite`` is Go's ``text/tabwriter`` algorithm (the part kubectl uses): text is made of
cells separated by tabs; the cell after a line's last tab is not part of any column; a
column's width is set per *block* of consecutive lines that have a cell in that column.
``kubectl get`` writes through a tabwriter with minimum width 6 and padding 3,
``kubectl describe`` and ``rollout history`` with padding 2, so the same function gives
both layouts byte for byte.

When stdout is a terminal, tables are drawn with rich instead; the plain form is what
scripts (and tests) see.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TextIO

GET_MIN_WIDTH = 6
GET_PADDING = 3
DESCRIBE_PADDING = 2


def tabwrite(text: str, *, minwidth: int = 0, padding: int = DESCRIBE_PADDING) -> str:
    """Align the tab-separated cells of ``text`` like Go's ``tabwriter`` (padding with spaces).

    Upstream: text/tabwriter Writer.format
    """
    rows = [line.split("\t") for line in text.split("\n")]
    widths: list[int] = []
    out: list[str] = []

    def write_lines(line0: int, line1: int) -> None:
        for cells in rows[line0:line1]:
            parts = []
            for j, cell in enumerate(cells):
                parts.append(cell.ljust(widths[j]) if j < len(widths) else cell)
            out.append("".join(parts))

    def format_block(line0: int, line1: int) -> None:
        column = len(widths)
        this = line0
        while this < line1:
            if column >= len(rows[this]) - 1:
                this += 1
                continue
            write_lines(line0, this)
            line0 = this
            width = minwidth
            while this < line1 and column < len(rows[this]) - 1:
                width = max(width, len(rows[this][column]) + padding)
                this += 1
            widths.append(width)
            format_block(line0, this)
            widths.pop()
            line0 = this
        write_lines(line0, line1)

    format_block(0, len(rows))
    return "\n".join(out)


def plain_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """The table as ``kubectl get`` prints it to a pipe (ends with a newline)."""
    lines = ["\t".join(header), *("\t".join(row) for row in rows)]
    return tabwrite("\n".join(lines) + "\n", minwidth=GET_MIN_WIDTH, padding=GET_PADDING)


def print_table(
    header: Sequence[str], rows: Sequence[Sequence[str]], out: TextIO | None = None
) -> None:
    """Print a table: rich on a terminal, kubectl's plain columns otherwise."""
    out = out or sys.stdout
    if not out.isatty():
        out.write(plain_table(header, rows))
        return
    from rich import box
    from rich.console import Console
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, header_style="bold")
    for name in header:
        table.add_column(name, no_wrap=True, overflow="fold")
    for row in rows:
        table.add_row(*row)
    Console(file=out, highlight=False).print(table)


def human_duration(delta: timedelta) -> str:
    """A duration with two or three significant figures: ``45s``, ``2m30s``, ``3h``, ``4d5h``, ``2y``.

    Upstream: k8s.io/apimachinery/pkg/util/duration HumanDuration
    """
    seconds = int(delta.total_seconds())
    if seconds < -1:
        return "<invalid>"
    if seconds < 0:
        return "0s"
    if seconds < 60 * 2:
        return f"{seconds}s"
    minutes = seconds // 60
    if minutes < 10:
        rest = seconds % 60
        return f"{minutes}m" if rest == 0 else f"{minutes}m{rest}s"
    if minutes < 60 * 3:
        return f"{minutes}m"
    hours = seconds // 3600
    if hours < 8:
        rest = minutes % 60
        return f"{hours}h" if rest == 0 else f"{hours}h{rest}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        rest = hours % 24
        return f"{hours // 24}d" if rest == 0 else f"{hours // 24}d{rest}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        days = (hours // 24) % 365
        years = hours // 24 // 365
        return f"{years}y" if days == 0 else f"{years}y{days}d"
    return f"{hours // 24 // 365}y"


def age(when: datetime | None, now: datetime) -> str:
    """The AGE cell of kubectl: time since ``when``, ``<unknown>`` when unset.

    Upstream: pkg/printers/internalversion/printers.go translateTimestampSince
    """
    if when is None:
        return "<unknown>"
    return human_duration(now - when)


def rfc1123z(when: datetime | None) -> str:
    """``Mon, 01 Jan 2024 00:00:00 +0000`` (Go's ``time.RFC1123Z``), as ``describe`` prints times."""
    if when is None:
        return "Mon, 01 Jan 0001 00:00:00 +0000"
    return when.strftime("%a, %d %b %Y %H:%M:%S %z")
