"""Server-side SVG bars for the committee's pages (no JavaScript, no CDN: Juri must work on an
intranet). Every bar carries its numbers as text, so it reads the same printed in black and
white; the fill is only a help for the eye."""

from __future__ import annotations

import math
from dataclasses import dataclass

from flask_babel import format_percent
from markupsafe import Markup, escape


@dataclass(frozen=True)
class Bar:
    """One bar: ``done`` of ``total`` (``total`` 0 draws an empty bar), titled ``label`` with
    ``detail`` (e.g. what is counted) written after the numbers."""

    label: str
    done: int
    total: int
    detail: str = ""


def progress_bars(bars: list[Bar], *, width: int = 560, title: str = "") -> Markup:
    """A horizontal bar per row: the label above, the bar, then "done / total (percent)"."""
    if not bars:
        return Markup("")
    row, bar_w, bar_h = 40, width * 0.55, 14
    height = row * len(bars)
    texts = [(b.label, _numbers(b)) for b in bars]
    # Wide enough for the longest label and "done / total (percent) detail" after its bar
    # (at 12px, a character is at most about 7.5px wide), so that no text is cut off at the
    # right edge; a narrow screen scales the whole chart down (svg max-width: 100%).
    width = max(
        width,
        *(
            math.ceil(max(len(label) * 7.5, bar_w + 8 + len(numbers) * 7.5))
            for label, numbers in texts
        ),
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart progress-bars" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}">'
    ]
    if title:
        parts.append(f"<title>{escape(title)}</title>")
    for i, (b, (_label, numbers)) in enumerate(zip(bars, texts, strict=True)):
        y = i * row
        share = _share(b)
        parts.append(
            f'<text x="0" y="{y + 12}" font-size="12" font-weight="bold" '
            f'fill="#222">{escape(b.label)}</text>'
        )
        parts.append(
            f'<rect x="0.5" y="{y + 17.5}" width="{bar_w:.1f}" height="{bar_h}" '
            'fill="#fff" stroke="#444"/>'
        )
        if share > 0:
            parts.append(
                f'<rect x="0.5" y="{y + 17.5}" width="{bar_w * share:.1f}" '
                f'height="{bar_h}" fill="#7a1420" fill-opacity="0.75" stroke="#444"/>'
            )
        parts.append(
            f'<text x="{bar_w + 8:.1f}" y="{y + 29}" font-size="12" '
            f'fill="#222">{escape(numbers)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _share(b: Bar) -> float:
    share = b.done / b.total if b.total else 0.0
    return min(max(share, 0.0), 1.0)


def _numbers(b: Bar) -> str:
    """The text after the bar: "done / total (percent) detail"."""
    numbers = f"{b.done} / {b.total}"
    if b.total:
        numbers += f" ({format_percent(_share(b))})"
    if b.detail:
        numbers += f" {b.detail}"
    return numbers
