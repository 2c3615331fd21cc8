"""The official minutes of the judging (Berita Acara Hasil Penilaian) as a PDF (fpdf2, A4
portrait, Bahasa Indonesia): the round, its published stages with their method, version and
digest of the input scores, the judges, the ranking per category from the frozen publication,
and signature blocks. Judging hands over the judges and the method names as plain values."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import datetime

from babel.dates import format_date
from fpdf import FPDF
from fpdf.fonts import FontFace

from competition.rounds.models import Round, Stage
from judging.results.certificates import MAROON, Layout, _latin1
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
    return format_date(value, fmt, locale="id")


def render_minutes(
    *,
    round_: Round,
    published: list[tuple[Stage, Publication, list[Result]]],
    judges: list[JudgeLine],
    layout: Layout,
    method_labels: dict[str, str],
    now: datetime,
    specials: list[Certificate] = (),
    method_sentences: list[str] = (),
    across: dict[int, str] | None = None,
) -> bytes:
    """The minutes as PDF bytes. ``published`` is ``awards.list_published_results(round_)``;
    ``specials`` the valid special awards (``awards.list_special_awards``);
    ``method_sentences`` the uncertainty method in plain sentences
    (``judging.analysis.explain.method_sentences``); ``across`` per stage id the rule for
    judges who share no entry, in one sentence."""
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_title(_latin1(f"Berita Acara Hasil Penilaian {round_.name}"))
    pdf.set_author("Juri")
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()
    width = pdf.epw
    heading = FontFace(emphasis="BOLD", fill_color=(235, 228, 228))

    def text(value, size=10, style="", align="L", h=5.5):
        pdf.set_font("Helvetica", style, size)
        pdf.multi_cell(width, h, _latin1(value), align=align, new_x="LMARGIN", new_y="NEXT")

    if layout.logo:
        pdf.image(io.BytesIO(layout.logo), x=pdf.w / 2 - 8, y=12, h=18)
        pdf.set_y(32)
    if layout.government:
        text(layout.government.upper(), 12, "B", "C")
    pdf.set_text_color(*MAROON)
    text("BERITA ACARA HASIL PENILAIAN", 15, "B", "C", 8)
    pdf.set_text_color(0)
    text(round_.name.upper(), 12, "B", "C")
    pdf.ln(4)
    text(
        f"Pada hari ini, {_date(now, 'EEEE, d MMMM y')}, Panitia {round_.name} menetapkan "
        "hasil penilaian berdasarkan penilaian Tim Juri, dengan rincian sebagai berikut."
    )

    pdf.ln(2)
    text("I. Tahapan dan metode penilaian", 11, "B")
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
        text("Ketidakpastian peringkat dinilai sebagai berikut:", 10)
        for k, sentence in enumerate(method_sentences, start=1):
            text(f"{k}. {sentence}", 9)

    pdf.ln(2)
    text("II. Tim Juri", 11, "B")
    pdf.set_font("Helvetica", "", 9)
    with pdf.table(
        col_widths=(8, 62, 60, 40),
        headings_style=heading,
        line_height=7,
        text_align=("RIGHT", "LEFT", "LEFT", "LEFT"),
    ) as table:
        table.row(["No", "Nama", "Instansi", "Tanda tangan"])
        for i, j in enumerate(judges, start=1):
            table.row([str(i), _latin1(j.name), _latin1(j.affiliation or "-"), f"{i}. ........"])

    pdf.ln(3)
    text("III. Hasil penilaian per kategori", 11, "B")
    for stage, _pub, results in published:
        by_category: dict[int, list[Result]] = {}
        for r in results:
            by_category.setdefault(r.category_id, []).append(r)
        for rows in by_category.values():
            pdf.ln(1)
            text(f"{stage.name} - Kategori {rows[0].category.name}", 10, "B")
            pdf.set_font("Helvetica", "", 8.5)
            with pdf.table(
                col_widths=(10, 62, 52, 16, 30),
                headings_style=heading,
                line_height=5,
                text_align=("RIGHT", "LEFT", "LEFT", "RIGHT", "LEFT"),
            ) as table:
                table.row(["No", "Inovasi", "OPD", "Nilai", "Penghargaan"])
                for r in sorted(rows, key=lambda r: r.rank):
                    table.row(
                        [
                            str(r.rank),
                            _latin1(r.entry.title),
                            _latin1(r.entry.organisation.name),
                            f"{r.score:.2f}".replace(".", ","),
                            _latin1(r.award or "-"),
                        ]
                    )

    if specials:
        pdf.ln(3)
        text("IV. Penghargaan khusus", 11, "B")
        pdf.set_font("Helvetica", "", 8.5)
        with pdf.table(col_widths=(40, 70, 60), headings_style=heading, line_height=5) as table:
            table.row(["Penghargaan", "Inovasi", "OPD"])
            for c in specials:
                table.row([_latin1(c.award), _latin1(c.title), _latin1(c.holder)])

    pdf.ln(4)
    text(
        "Demikian berita acara ini dibuat dengan sebenarnya untuk dipergunakan "
        "sebagaimana mestinya."
    )
    signers = layout.signers or (("", "Ketua Panitia", None), ("", "Sekretaris Panitia", None))
    if pdf.get_y() > pdf.h - 70:
        pdf.add_page()
    pdf.ln(6)
    place = f"{layout.place}, " if layout.place else ""
    col = width / 2
    top = pdf.get_y()
    pdf.set_font("Helvetica", "", 10)
    pdf.set_xy(pdf.l_margin + col, top)
    pdf.cell(col, 5, _latin1(f"{place}{_date(now)}"), align="C")
    for k, (name, role, image) in enumerate(signers[:2]):
        x = pdf.l_margin + (col if len(signers) == 1 or k == 1 else 0)
        pdf.set_xy(x, top + 6)
        pdf.set_font("Helvetica", "", 10)
        pdf.multi_cell(col, 5, _latin1(role), align="C")
        if image:
            pdf.image(io.BytesIO(image), x=x + col / 2 - 15, y=top + 14, h=14)
        pdf.set_xy(x, top + 32)
        pdf.set_font("Helvetica", "BU", 10)
        pdf.cell(col, 5, _latin1(name or "(..............................)"), align="C")
    return bytes(pdf.output())
