"""Pages anyone can open without logging in: home, published results (every version, CSV and
XLSX exports), certificate verification and the public copy of a valid certificate."""

from __future__ import annotations

import csv
import io

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from competition import downloads, exports
from competition.accounts.services import home_for
from competition.announcements import services as announcements
from competition.announcements.models import Announcement
from competition.announcements.views import notices_bp
from competition.audit import services as audit
from competition.db import db, utcnow
from competition.pdf import Letterhead, Signer
from competition.rounds.models import Round, Stage
from competition.urls import public_url
from judging.analysis import explain
from judging.results import awards, certificate_register, numbers, publications, recompute
from judging.results.certificates import layout_for_round, render_for_request

public_bp = Blueprint("public", __name__)


@public_bp.route("/")
def index():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    now = utcnow()
    return render_template(
        "judging/results/public/index.html",
        rounds=publications.list_published_rounds(),
        announcements=announcements.list_public_announcements(now=now),
        now=now,
    )


@public_bp.route("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico whatever the page links; the icon is an SVG."""
    return redirect(url_for("static", filename="favicon.svg"), 301)


def _published_round(slug: str) -> Round:
    round_ = publications.published_round(slug)
    if round_ is None:
        abort(404)
    return round_


PUBLIC_PLACES = 100  # places per category on the page unless "show all" (exports have all)


@public_bp.route("/results/<slug>")
def results(slug: str):
    """The round's published results and, from its first announcement on (before any result
    is published), its announcements of who passes each stage with their counts."""
    round_ = publications.published_round(slug) or announcements.announced_round(slug)
    if round_ is None:
        abort(404)
    show_all = request.args.get("all") == "1"
    stages, certificates, counts = [], {}, {}
    for stage, pub, rows in publications.list_published_results(
        round_, max_rank=None if show_all else PUBLIC_PLACES, public=True
    ):
        stages.append((stage, pub, rows))
        # the page links only the awards to their certificates
        certificates[stage.id] = certificate_register.valid_certificates_by_entry(
            stage, [r.entry_id for r in rows if r.award]
        )
        # how many the public sees in each category, to offer the rest past the first places
        counts[stage.id] = (
            {} if show_all else {c: n for c, _name, n in publications.count_public_results(pub)}
        )
    history = {s.id: publications.list_publications(s) for s in round_.stages}
    announced = announcements.list_announcements(round_.id)
    return render_template(
        "judging/results/public/results.html",
        round=round_,
        settings=awards.settings_of(round_),
        stages=stages,
        history=history,
        # Each version's audit anchor, public so anyone can keep it (competition.audit).
        anchors=audit.anchors_of("publications", [p.id for v in history.values() for p in v]),
        certificates=certificates,
        counts=counts,
        specials=certificate_register.list_special_awards(round_),
        announcements=announced,
        # per announcement: how many it lists (without those struck off) and where they go on
        summaries={
            a.id: (
                len(set(a.entry_ids) - announcements.struck_ids(a)),
                announcements.goes_on_to(a),
            )
            for a in announced
        },
        now=utcnow(),
        export=round_.results_published_at is not None,
        explain=explain,
    )


def _cell(value):
    """Text starting like a formula is quoted, so a spreadsheet never runs an entry's title;
    control characters are dropped (``competition.exports.safe``)."""
    return exports.safe(value)


def _export_table(round_: Round) -> tuple[list[str], list[list]]:
    """The published ranking of every stage (latest versions) as a header and rows, with the
    range of likely places and the tie (≈) stored with each place; the alphabetical style leaves
    the places, ranges and scores out, as on the page."""
    header = [
        _("Stage"),
        _("Version"),
        _("Category"),
        _("Rank"),
        _("Innovation"),
        _("OPD"),
        _("Score"),
        _("Likely places: first"),
        _("Likely places: last"),
        _("Tied with the next place"),
        _("Award"),
        _("Prize (Rp)"),
        _("Certificate"),
        _("Verification"),
    ]
    rows = []
    for stage, pub, results in publications.list_published_results(round_, public=True):
        certificates = certificate_register.valid_certificates_by_entry(stage)
        ranked = pub.style != "alphabetical"
        for r in results:
            cert = certificates.get(r.entry_id)
            matches = cert is not None and cert.award == (r.award or awards.PARTICIPATION)
            code = cert.code if matches else ""
            rows.append(
                [
                    stage.name,
                    pub.version,
                    r.category.name,
                    r.rank if ranked else None,
                    r.entry.title,
                    r.entry.organisation.name,
                    round(r.score, 4) if ranked else None,
                    # as stored with the publication (none before they were stored)
                    r.rank_lo if ranked else None,
                    r.rank_hi if ranked else None,
                    ("≈" if r.tied_with_next else None) if ranked else None,
                    r.award or None,
                    r.prize,
                    code or None,
                    public_url("public.verify", code=code) if code else None,
                ]
            )
    return header, rows


@public_bp.route("/results/<slug>.<fmt>")
def results_export(slug: str, fmt: str):
    """The published ranking as CSV (UTF-8 with BOM, so Excel reads it) or XLSX."""
    round_ = _published_round(slug)
    if fmt not in ("csv", "xlsx"):
        abort(404)
    header, rows = _export_table(round_)
    name = f"hasil-{round_.slug}.{fmt}"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows([[_cell(v) for v in row] for row in rows])
        body, mimetype = ("\ufeff" + out.getvalue()).encode(), "text/csv; charset=utf-8"
    else:
        wb = exports.openpyxl().Workbook(write_only=True)
        ws = wb.create_sheet(_("Results")[:31])
        ws.append(header)
        for row in rows:
            ws.append([_cell(v) for v in row])
        buf = io.BytesIO()
        wb.save(buf)
        body = buf.getvalue()
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return body, 200, {"Content-Type": mimetype, "Content-Disposition": downloads.disposition(name)}


@public_bp.route("/results/<slug>/stages/<int:stage_id>/v<int:version>")
def results_version(slug: str, stage_id: int, version: int):
    """An earlier (or the current) version of a stage's publication, kept readable."""
    round_ = _published_round(slug)
    stage = db.session.get(Stage, stage_id)
    if stage is None or stage.round_id != round_.id:
        abort(404)
    pub = publications.get_publication(stage, version)
    if pub is None:
        abort(404)
    return render_template(
        "judging/results/public/results_version.html",
        round=round_,
        stage=stage,
        pub=pub,
        results=publications.list_results(pub, public=True),
        latest=publications.latest_publication(stage),
        sheets_public=awards.settings_of(round_).publishes_sheets,
        explain=explain,
    )


@public_bp.route("/verify/", strict_slashes=False)
def verify_form():
    """A field to type a certificate number; ``?number=`` goes to that number's page."""
    number = (request.args.get("number") or "").strip()
    if number:
        return redirect(url_for("public.verify", code=number))
    return render_template("judging/results/public/verify_form.html")


@public_bp.route("/verify/<code>")
def verify(code: str):
    certificate = certificate_register.find_certificate(code)
    replacement = certificate_register.replacement_of(certificate) if certificate else None
    status = 200 if certificate else 404
    return render_template(
        "judging/results/public/verify.html",
        certificate=certificate,
        code=code,
        replacement=replacement,
        well_formed=numbers.is_well_formed(code),
    ), status


@public_bp.route("/verify/<code>.pdf")
def verify_pdf(code: str):
    """Anyone may download a valid certificate once its round's results are public."""
    cert = certificate_register.find_certificate(code)
    if (
        cert is None
        or cert.is_revoked
        or cert.round is None
        or cert.round.results_published_at is None
    ):
        abort(404)
    return (
        render_for_request(cert),
        200,
        {
            "Content-Type": "application/pdf",
            "Content-Disposition": downloads.disposition(f"piagam-{cert.code}.pdf", inline=True),
        },
    )


@public_bp.route("/results/<slug>/stages/<int:stage_id>/v<int:version>/sheets.csv")
def results_sheets(slug: str, stage_id: int, version: int):
    """A publication's anonymised sheets, for anyone to recompute the places (when the
    committee offers them for the round and the sheets are unchanged since publication)."""
    round_ = _published_round(slug)
    stage = db.session.get(Stage, stage_id)
    if stage is None or stage.round_id != round_.id:
        abort(404)
    pub = publications.get_publication(stage, version)
    if pub is None or not awards.settings_of(round_).publishes_sheets:
        abort(404)
    body = recompute.sheets_csv(pub)
    if body is None:
        abort(404)
    name = f"{round_.slug}-tahap-{stage.id}-v{version}-lembar-nilai.csv"
    return (
        body,
        200,
        {
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": downloads.disposition(name),
        },
    )


@notices_bp.route("/<int:announcement_id>.pdf")
def pdf(announcement_id: int):
    """An announcement as PDF (endpoint ``notices.pdf``), with the round's letterhead and first
    signatory from its certificate layout, and the audit trail's anchor at its issue."""
    announcement = db.get_or_404(Announcement, announcement_id)
    layout = layout_for_round(announcement.round)
    signer = Signer(*layout.signers[0]) if layout.signers else None
    body = announcements.render_pdf(
        announcement,
        address=public_url("notices.detail", announcement_id=announcement.id),
        letterhead=Letterhead(layout.government, layout.organiser, layout.address, layout.logo),
        signer=signer,
        place=layout.place,
        anchor=audit.anchor_until(announcement.issued_at),
    )
    name = f"pengumuman-{announcement.sequence:03d}-{announcement.round.slug}.pdf"
    return (
        body,
        200,
        {
            "Content-Type": "application/pdf",
            "Content-Disposition": downloads.disposition(name, inline=True),
        },
    )
