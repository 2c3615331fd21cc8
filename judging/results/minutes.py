"""The official minutes of the judging (Berita Acara Hasil Penilaian) as a PDF (A4 portrait,
Bahasa Indonesia, the shared ``competition.pdf`` document: embedded font, PDF/A-2B, "Halaman X dari
Y"): the letterhead, the round, its published stages with their method, version and digest of the
input scores, the judges, the ranking per category from the frozen publication, and the
signature block, kept on one page with the closing sentence. No heading ends a page: each keeps
the start of what follows (two lines of text, or its table's heading row and first row).

The minutes are dated by the latest publication they record, never by the download, and carry
the audit trail's anchor at that publication: the same publications give the same bytes.
Judging hands over the judges and the method names as plain values."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from fpdf.fonts import FontFace

from competition.audit import services as audit
from competition.pdf import (
    MAROON,
    SANS,
    Block,
    Document,
    Letterhead,
    Signer,
    draw_closing,
    draw_letterhead,
    keep_together,
    local_date,
    paragraph,
    space,
    together,
)
from competition.rounds.models import Round, Stage
from judging.results.certificates import Layout
from judging.results.models import Certificate, Publication, Result


@dataclass(frozen=True)
class JudgeLine:
    name: str
    affiliation: str


def _scale(stage, params: dict) -> str:
    """The scale of the published scores: the stage's rubric, or the publication's own (a
    combined final ranking is on 0-100)."""
    lo, hi = params.get("scale") or (stage.scale_min, stage.scale_max)
    return f"{lo}-{hi}"


def _weights(params: dict) -> str:
    """For a combined final ranking: the stages and their weights."""
    stages = params.get("stages")
    if not stages:
        return ""
    return " (" + ", ".join(f"{s['name']} {s['weight']:g}%" for s in stages) + ")"


def _date(value: datetime, fmt: str = "d MMMM y") -> str:
    return local_date(value, fmt)


def anchor_of(published) -> audit.Anchor | None:
    """The audit trail's anchor printed on the minutes: the chain at the last record of the
    latest of their publications."""
    anchors = [audit.anchor_of("publications", pub.id) for _stage, pub, _results in published]
    anchors = [a for a in anchors if a is not None]
    return max(anchors, key=lambda a: a.length) if anchors else None


def letterhead_of(layout: Layout, round_: Round) -> Letterhead:
    """The kop surat from the round's certificate layout: its government, organiser, address
    and logo."""
    return Letterhead(
        government=layout.government,
        organiser=getattr(layout, "organiser", "") or "",
        address=getattr(layout, "address", "") or "",
        logo=layout.logo,
    )


HEAD_STYLE = FontFace(emphasis="BOLD", fill_color=(235, 228, 228))  # tables' heading rows
TWO_LINES = space(2 * 5.5)  # what a heading keeps under it: two lines of the text that follows


def _judges_table(rows: list[list[str]]) -> Block:
    """A ``Block``: the judges' table with ``rows`` (No, name, affiliation, room to sign)."""

    def draw(pdf) -> None:
        pdf.set_font(SANS, "", 9)
        with pdf.table(
            col_widths=(8, 62, 60, 40),
            headings_style=HEAD_STYLE,
            line_height=7,
            text_align=("RIGHT", "LEFT", "LEFT", "LEFT"),
        ) as table:
            table.row(["No", "Nama", "Instansi", "Tanda tangan"])
            for row in rows:
                table.row(row)

    return draw


def _result_row(r: Result, ranges: dict[int, tuple[int, int, bool]]) -> list[str]:
    """A ranked entry's row: place, title, OPD, score, (likely places,) award."""
    row = [
        str(r.rank),
        r.entry.title,
        r.entry.organisation.name,
        f"{r.score:.2f}".replace(".", ","),
        r.award or "-",
    ]
    if ranges:
        lo, hi, tied = ranges.get(r.entry_id, (0, 0, False))
        row[0] += " ~" if tied else ""  # the font subset has no ≈
        row.insert(4, (str(lo) if lo == hi else f"{lo}-{hi}") if hi else "-")
    return row


def _results_table(rows: list[list[str]], with_ranges: bool) -> Block:
    """A ``Block``: a category's results table with ``rows`` (``_result_row``), with the
    column of likely places when the publication has them."""

    def draw(pdf) -> None:
        pdf.set_font(SANS, "", 8.5)
        if with_ranges:  # with the range of likely places and the ties
            widths, align = (
                (12, 49, 40, 14, 27, 28),
                ("RIGHT", "LEFT", "LEFT", "RIGHT", "LEFT", "LEFT"),
            )
            head = ["No", "Inovasi", "OPD", "Nilai", "Kemungkinan peringkat", "Penghargaan"]
        else:
            widths, align = (10, 62, 52, 16, 30), ("RIGHT", "LEFT", "LEFT", "RIGHT", "LEFT")
            head = ["No", "Inovasi", "OPD", "Nilai", "Penghargaan"]
        with pdf.table(
            col_widths=widths, headings_style=HEAD_STYLE, line_height=5, text_align=align
        ) as table:
            table.row(head)
            for row in rows:
                table.row(row)

    return draw


def _specials_table(rows: list[list[str]]) -> Block:
    """A ``Block``: the special awards' table with ``rows`` (award, innovation, OPD)."""

    def draw(pdf) -> None:
        pdf.set_font(SANS, "", 8.5)
        with pdf.table(
            col_widths=(40, 70, 60), headings_style=HEAD_STYLE, line_height=5, text_align="LEFT"
        ) as table:
            table.row(["Penghargaan", "Inovasi", "OPD"])
            for row in rows:
                table.row(row)

    return draw


def render_minutes(
    *,
    round_: Round,
    published: list[tuple[Stage, Publication, list[Result]]],
    judges: list[JudgeLine],
    layout: Layout,
    method_labels: dict[str, str],
    specials: list[Certificate] = (),
    method_sentences: list[str] = (),
    across: dict[int, str] | None = None,
    anchor: audit.Anchor | None = None,
    places: dict[int, dict[int, tuple[int, int, bool]]] | None = None,
) -> bytes:
    """The minutes as PDF bytes. ``published`` is ``publications.list_published_results(round_)``
    (at least one); ``specials`` the valid special awards (``certificate_register.list_special_awards``);
    ``method_sentences`` the uncertainty method in plain sentences
    (``judging.analysis.explain.method_sentences``); ``across`` per stage id the rule for
    judges who share no entry, in one sentence; ``anchor`` the audit trail's anchor
    (``anchor_of(published)``), printed in the footer of every page; ``places`` per
    publication id its entries' ranges of likely places and ties
    (``feedback.likely_places``): a column of the results, so that an order the judging has
    not decided does not read as decided."""
    dated = max(pub.published_at for _stage, pub, _results in published)
    pdf = Document(
        title=f"Berita Acara Hasil Penilaian {round_.name}",
        subject=f"Berita Acara Hasil Penilaian {round_.name}",
        created_at=dated,
        footer_note=f"Jejak audit: {anchor}" if anchor else "",
    )
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()

    def text(value, size=10, style="", align="L", h=5.5):
        paragraph(value, size, style, h, align)(pdf)

    def heading(value, then: Block, size=11):
        """A heading, on the next page when ``then`` (the start of what follows) would not fit
        under it on this one."""
        keep_together(pdf, paragraph(value, size, "B"), then=then)

    draw_letterhead(pdf, letterhead_of(layout, round_))
    pdf.set_text_color(*MAROON)
    text("BERITA ACARA HASIL PENILAIAN", 15, "B", "C", 8)
    pdf.set_text_color(0)
    text(round_.name.upper(), 12, "B", "C")
    pdf.ln(4)
    text(
        f"Pada hari ini, {_date(dated, 'EEEE, d MMMM y')}, Panitia {round_.name} menetapkan "
        "hasil penilaian berdasarkan penilaian Tim Juri, dengan rincian sebagai berikut."
    )

    pdf.ln(2)
    heading("I. Tahapan dan metode penilaian", TWO_LINES)
    for stage, pub, results in published:
        params = json.loads(pub.params or "{}")
        text(
            f"{stage.name} ({_date(stage.opens_at)} - {_date(stage.closes_at)}): "
            f"{len(results)} inovasi dinilai dengan {pub.n_sheets} lembar penilaian. "
            f"Metode: {method_labels.get(pub.method, pub.method)}{_weights(params)}; skala "
            f"{_scale(stage, params)}. Hasil versi {pub.version} diumumkan "
            f"{_date(pub.published_at)}"
            + (f"; alasan koreksi: {pub.reason.rstrip('.')}" if pub.reason else "")
            + "."
        )
        text(f"Sidik nilai masukan (SHA-256): {pub.scores_digest}", 8)
        awards = ", ".join(
            f"{a['title']} (s.d. peringkat {a['up_to_rank']})" for a in params.get("awards", [])
        )
        if awards:
            text(f"Penghargaan per kategori: {awards}; peserta lain: partisipasi.", 9)
        if across and stage.id in across:
            text(across[stage.id], 9)
    if method_sentences:
        pdf.ln(1)
        keep_together(
            pdf, paragraph("Ketidakpastian peringkat dinilai sebagai berikut:"), then=TWO_LINES
        )
        for k, sentence in enumerate(method_sentences, start=1):
            text(f"{k}. {sentence}", 9)

    pdf.ln(2)
    judge_rows = [
        [str(i), j.name, j.affiliation or "-", f"{i}. ........"]
        for i, j in enumerate(judges, start=1)
    ]
    heading("II. Tim Juri", _judges_table(judge_rows[:1]))
    _judges_table(judge_rows)(pdf)

    pdf.ln(3)
    places = places or {}
    # each category: its heading, its rows, whether they have the likely places
    categories: list[tuple[Block, list[list[str]], bool]] = []
    for stage, pub, results in published:
        ranges = places.get(pub.id) or {}
        by_category: dict[int, list[Result]] = {}
        for r in results:
            by_category.setdefault(r.category_id, []).append(r)
        for rows in by_category.values():
            head = paragraph(f"{stage.name} - Kategori {rows[0].category.name}", 10, "B")
            ranked = [_result_row(r, ranges) for r in sorted(rows, key=lambda r: r.rank)]
            categories.append((head, ranked, bool(ranges)))
    # The section's heading stays with its note and the start of its first table; each
    # category's heading with its table's first row.
    section: list[Block] = [paragraph("III. Hasil penilaian per kategori", 11, "B")]
    if any(places.values()):
        section.append(
            paragraph(
                "Kemungkinan peringkat: rentang peringkat yang dicapai inovasi pada 90% hasil "
                "penilaian yang masuk akal, dengan memperhitungkan kebiasaan dan "
                "ketidakkonsistenan juri. Tanda ~ pada peringkat: inovasi itu tidak dapat "
                "dibedakan dari inovasi tepat di bawahnya, sehingga urutan keduanya belum pasti.",
                9,
            )
        )
    if categories:
        head, rows, ranged = categories[0]
        keep_together(
            pdf, *section, then=together(space(1), head, _results_table(rows[:1], ranged))
        )
    else:
        keep_together(pdf, *section)
    for head, rows, ranged in categories:
        pdf.ln(1)
        keep_together(pdf, head, then=_results_table(rows[:1], ranged))
        _results_table(rows, ranged)(pdf)

    if specials:
        pdf.ln(3)
        special_rows = [[c.award, c.title, c.holder] for c in specials]
        heading("IV. Penghargaan khusus", _specials_table(special_rows[:1]))
        _specials_table(special_rows)(pdf)

    closing = (
        "Demikian berita acara ini dibuat dengan sebenarnya untuk dipergunakan "
        "sebagaimana mestinya."
    )
    pdf.ln(4)
    signers = [Signer(n, t, img) for n, t, img in layout.signers] or [
        Signer("", "Ketua Panitia"),
        Signer("", "Sekretaris Panitia"),
    ]
    place = f"{layout.place}, " if layout.place else ""
    # The closing sentence and the signatures stay together: never signatures alone on a page.
    draw_closing(
        pdf, paragraph(closing), place_date=f"{place}{_date(dated)}", signers=signers, gap=6
    )
    return bytes(pdf.output())
