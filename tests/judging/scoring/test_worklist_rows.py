"""The workspace's rows built in Python (``judging.scoring.worklist_rows``) are byte for byte
what the template's Jinja loop rendered before: the loop is kept here as the reference and both
render the same work items (blind and not, every status, totals to round, text to escape, two
stages, sheets the committee reopened), in both UI languages. The loop gained the "Reopened"
badge and the reason's line when the rows learnt them; the rest of it is as it was."""

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from flask_babel import force_locale

from judging.scoring.models import SheetStatus
from judging.scoring.worklist_rows import shorten, worklist_rows
from judging.scoring.workspace import WorkItem

# templates/judging/scoring/judge_index.html's loop before the rows were built in Python
REFERENCE = """{% from "_macros.html" import dt %}\
{% set lbl = {"stage": _("Stage"), "category": _("Category"), "closes": _("Deadline"), \
"not_started": "not started"|label, "draft": "draft"|label, \
"submitted": "submitted"|label} %}{% set closes = {} %}\
{% for a in work.items %}
    <tr class="{{ 'done' if a.is_submitted else 'todo' }}">
        <td class="what"><a href="{{ sheet_url }}{{ a.id }}">{{ blind[a.entry_id] if a.is_blind \
else a.title }}</a>{% if not a.is_blind %}<br><small class="muted">{{ a.organisation }}</small>\
{% endif %}{% if a.reopen_note is not none %}<br><small class="reopen-note">\
{{ shorten(a.reopen_note) }}</small>{% endif %}</td>
        <td class="status">{% if a.status %}<span class="badge badge-{{ a.status.value }}">\
{{ lbl[a.status.value] }}</span>{% else %}<span class="badge">{{ lbl['not_started'] }}</span>\
{% endif %}{% if a.reopen_note is not none %} <span class="badge badge-flag" \
title="{{ a.reopen_note }}">{{ _("Reopened") }}</span>{% endif %}</td>
        <td class="num total">{% if a.total is not none %}{{ format_decimal(a.total, "0.00") }}\
{% endif %}</td>
        <td class="stage" data-label="{{ lbl['stage'] }}">{{ a.stage }} <small class="muted">\
{{ a.round }}</small></td>
        <td class="category" data-label="{{ lbl['category'] }}">{{ a.category }}</td>
        {% if a.stage_id not in closes %}{% set _ignored = closes.update({a.stage_id: \
dt(a.closes_at)}) %}{% endif %}<td class="closes" data-label="{{ lbl['closes'] }}">\
{{ closes[a.stage_id] }}</td></tr>
  {% endfor %}"""


def _item(id_, stage_id, status, total, *, blind=False, title="Inovasi", closes_hour=9, note=None):
    return WorkItem(
        id=id_,
        entry_id=100 + id_,
        stage_id=stage_id,
        title=title,
        organisation='Dinas "Kesehatan" & <Sosial>',
        category="Umum",
        stage=f"Tahap <{stage_id}>",
        round="KIPP 2026",
        opens_at=datetime(2026, 11, 1, tzinfo=UTC),
        closes_at=datetime(2026, 12, 4, closes_hour, 30, tzinfo=UTC),
        status=status,
        total=total,
        is_blind=blind,
        reopen_note=note,
    )


ITEMS = [
    _item(1, 1, None, None, title="Layanan <b>cepat</b> & 'mudah'"),
    _item(2, 1, SheetStatus.DRAFT, 62.125, blind=True),
    _item(3, 2, SheetStatus.SUBMITTED, 75.5, closes_hour=17),
    _item(4, 2, SheetStatus.SUBMITTED, 0.005),
    _item(5, 1, SheetStatus.DRAFT, 99.995, blind=True, closes_hour=23),
    _item(6, 3, None, 100.0),
    _item(7, 1, SheetStatus.DRAFT, 12.5, note='Cek "Kriteria 2": <b>15</b> & bukan 5?'),
    _item(8, 2, SheetStatus.DRAFT, 40.0, blind=True, note="Mohon periksa kembali\n" + "x " * 80),
]
BLIND = {102: "Inovasi ████ <x>", 105: "█ & █", 108: "▇▇▇"}


@pytest.mark.parametrize("locale", ["id", "en"])
def test_rows_are_the_templates_loop_byte_for_byte(app, locale):
    with app.test_request_context("/judge/"), force_locale(locale):
        expected = app.jinja_env.from_string(REFERENCE).render(
            work=SimpleNamespace(items=ITEMS),
            blind=BLIND,
            sheet_url="/judge/assignments/",
            shorten=shorten,
        )
        got = worklist_rows(ITEMS, blind=BLIND, sheet_url="/judge/assignments/")
    assert str(got) == expected
    assert "&lt;b&gt;cepat&lt;/b&gt;" in got  # escaped, once
    assert "Dinas" not in got.split("\n")[3]  # a blind row names no organisation
    assert got.count("<tr") == len(ITEMS)
    # the reopened sheets (and only they) carry the badge, the reason escaped in its title
    reopened = "Dibuka kembali" if locale == "id" else "Reopened"
    assert got.count(f">{reopened}</span>") == 2
    assert 'title="Cek &#34;Kriteria 2&#34;: &lt;b&gt;15&lt;/b&gt; &amp; bukan 5?"' in got
    assert "Mohon periksa kembali x x" in got and "x x…</small>" in got  # one line, cut


def test_shorten_cuts_at_a_word():
    assert shorten("a  b\nc") == "a b c"
    assert shorten("satu dua tiga empat", limit=12) == "satu dua…"
    assert len(shorten("kata " * 100)) <= 120


def test_no_items_no_rows(app):
    with app.test_request_context("/judge/"):
        assert worklist_rows([], blind={}, sheet_url="/judge/assignments/") == ""
