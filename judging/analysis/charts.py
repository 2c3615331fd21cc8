"""Small server-side SVG charts (no JavaScript, no CDN: Juri must work on an intranet).

Each function returns a ``Markup`` string ready to embed in a template. Coordinates are
computed with numpy; text is escaped."""

from __future__ import annotations

import numpy as np
from markupsafe import Markup, escape


def _fmt(v: float) -> str:
    return f"{v:.1f}"


def judge_scatter(
    consensus,
    own,
    lo: float,
    hi: float,
    *,
    offset: float = np.nan,
    scale: float = np.nan,
    outlier=None,
    size: int = 180,
    label: str = "",
) -> Markup:
    """The judge's own totals (y) against the panel's consensus for the same entries (x).

    The grey diagonal is "scores like the panel"; the red line is the judge's fitted habit
    ``offset + scale * (x - centre)`` when the method estimates it. Outlier sheets are drawn
    hollow red."""
    consensus = np.asarray(consensus, dtype=float)
    own = np.asarray(own, dtype=float)
    outlier = np.zeros(own.shape, bool) if outlier is None else np.asarray(outlier, bool)
    pad = 14
    span = max(hi - lo, 1e-9)

    def px(v):
        return pad + (np.clip(v, lo, hi) - lo) / span * (size - 2 * pad)

    def py(v):
        return size - pad - (np.clip(v, lo, hi) - lo) / span * (size - 2 * pad)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{size}" height="{size}" '
        f'viewBox="0 0 {size} {size}" role="img" aria-label="{escape(label)}">',
        f'<rect x="{pad}" y="{pad}" width="{size - 2 * pad}" height="{size - 2 * pad}" '
        'fill="#fff" stroke="#bbb"/>',
        f'<line x1="{_fmt(px(lo))}" y1="{_fmt(py(lo))}" x2="{_fmt(px(hi))}" y2="{_fmt(py(hi))}" '
        'stroke="#999" stroke-dasharray="3 3"/>',
    ]
    if np.isfinite(offset):
        centre = (lo + hi) / 2
        s = scale if np.isfinite(scale) else 1.0
        xs = np.array([lo, hi])
        ys = centre + offset + s * (xs - centre)
        parts.append(
            f'<line x1="{_fmt(px(xs[0]))}" y1="{_fmt(py(ys[0]))}" '
            f'x2="{_fmt(px(xs[1]))}" y2="{_fmt(py(ys[1]))}" stroke="#b00020"/>'
        )
    ok = np.isfinite(consensus) & np.isfinite(own)
    for x, y, bad in zip(px(consensus[ok]), py(own[ok]), outlier[ok]):
        if bad:
            parts.append(
                f'<circle cx="{_fmt(x)}" cy="{_fmt(y)}" r="4" fill="none" '
                'stroke="#b00020" stroke-width="1.5"/>'
            )
        else:
            parts.append(
                f'<circle cx="{_fmt(x)}" cy="{_fmt(y)}" r="3" fill="#7a1420" fill-opacity="0.6"/>'
            )
    parts.append(f'<text x="{pad}" y="{size - 2}" font-size="9" fill="#666">{lo:g}</text>')
    parts.append(
        f'<text x="{size - pad - 12}" y="{size - 2}" font-size="9" fill="#666">{hi:g}</text>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))


def rank_interval(
    lo: int, hi: int, point: int, n: int, *, width: int = 120, label: str = ""
) -> Markup:
    """A bar from place ``lo`` to place ``hi`` (1 = left) among ``n``, with a dot at ``point``."""
    if n < 1 or point < 1:
        return Markup("")
    pad = 4

    def px(place):
        return pad + (place - 1) / max(n - 1, 1) * (width - 2 * pad)

    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" height="14" '
        f'viewBox="0 0 {width} 14" role="img" aria-label="{escape(label)}">'
        f'<line x1="{pad}" y1="7" x2="{width - pad}" y2="7" stroke="#ddd"/>'
        f'<line x1="{_fmt(px(lo))}" y1="7" x2="{_fmt(px(hi))}" y2="7" stroke="#7a1420" '
        'stroke-width="4" stroke-linecap="round" stroke-opacity="0.45"/>'
        f'<circle cx="{_fmt(px(point))}" cy="7" r="3.5" fill="#7a1420"/></svg>'
    )
