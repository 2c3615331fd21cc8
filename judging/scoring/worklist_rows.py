"""The rows of the judge's workspace table (``judging/scoring/judge_index.html``) as one
string built in Python.

A judge of a national round has a hundred rows of six cells. Rendered by Jinja, every cell
is a separate ``yield`` passed up through the page's and the base template's generators and
an ``escape`` that allocates a ``Markup`` per value: the rows were about half of the
workspace's CPU time. Here each row is one f-string, each value escaped once; the labels are
translated and each stage's closing time formatted once per page, as the template did. The
HTML is byte for byte what the template's loop produced
(tests/judging/scoring/test_worklist_rows.py renders that loop beside this), plus the
"Reopened" badge and the committee's reason on a sheet the committee reopened (the reference
loop renders those too).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from flask_babel import format_datetime
from flask_babel import gettext as _
from markupsafe import Markup, escape

from competition.i18n.formatting import decimal_formatter
from competition.i18n.labels import label
from judging.scoring.models import SheetStatus
from judging.scoring.workspace import WorkItem

DATE_FORMAT = "d MMMM y, HH:mm"  # as the ``dt`` macro of templates/_macros.html
NOTE_CHARS = 120  # the reopening reason's line in a row (the badge's title holds all of it)


def shorten(text: str, limit: int = NOTE_CHARS) -> str:
    """``text`` on one line, cut at a word to at most ``limit`` characters ("…" when cut)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,.;:") + "…"


def worklist_rows(items: Iterable[WorkItem], blind: Mapping[int, str], sheet_url: str) -> Markup:
    """The ``<tr>`` of each work item, each preceded by the loop's indentation and followed
    by the newline before the next one, as ``{% for a in work.items %}`` wrote them.
    ``blind``: the blacked-out title of each entry judged blind; ``sheet_url``: the score
    sheet's URL without the assignment id."""
    stage_label = escape(_("Stage"))
    category_label = escape(_("Category"))
    closes_label = escape(_("Deadline"))
    reopened_label = escape(_("Reopened"))
    status_badge = {
        None: f'<span class="badge">{escape(label("not started"))}</span>',
        **{
            s: f'<span class="badge badge-{escape(s.value)}">{escape(label(s.value))}</span>'
            for s in SheetStatus
        },
    }
    url = escape(sheet_url)
    format_total = decimal_formatter("0.00")  # the request's locale found once, not per row
    closes: dict[int, str] = {}
    out = []
    for a in items:
        if a.is_blind:
            what = f"{escape(blind[a.entry_id])}</a>"
        else:
            what = f'{escape(a.title)}</a><br><small class="muted">{escape(a.organisation)}</small>'
        closing = closes.get(a.stage_id)
        if closing is None:
            closing = closes[a.stage_id] = (
                escape(format_datetime(a.closes_at, DATE_FORMAT)) if a.closes_at else "-"
            )
        total = "" if a.total is None else escape(format_total(a.total))
        status = status_badge[a.status or None]
        if a.reopen_note is not None:
            note = escape(a.reopen_note)
            short = escape(shorten(a.reopen_note))
            what += f'<br><small class="reopen-note">{short}</small>'
            status += f' <span class="badge badge-flag" title="{note}">{reopened_label}</span>'
        out.append(
            f'\n    <tr class="{"done" if a.is_submitted else "todo"}">'
            f'\n        <td class="what"><a href="{url}{a.id}">{what}</td>'
            f'\n        <td class="status">{status}</td>'
            f'\n        <td class="num total">{total}</td>'
            f'\n        <td class="stage" data-label="{stage_label}">{escape(a.stage)}'
            f' <small class="muted">{escape(a.round)}</small></td>'
            f'\n        <td class="category" data-label="{category_label}">'
            f"{escape(a.category)}</td>"
            f'\n        <td class="closes" data-label="{closes_label}">{closing}</td></tr>\n  '
        )
    return Markup("".join(out))
