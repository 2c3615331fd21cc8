"""The committee's results pages (blueprint ``publishing``): publishing, awards, layout, ZIP,
berita acara, announcements of a stage's result and the feedback settings. The judges'
certificates are ``judge_views`` (``judge_certificates``), the OPD's entry page with its
certificates ``opd_views`` (``opd_results``)."""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from competition import downloads
from competition.accounts.models import User
from competition.announcements import services as announcements
from competition.announcements.forms import AnnounceForm
from competition.db import db, utcnow
from competition.entries.models import Entry
from competition.errors import ConcurrentChange, NotAllowed
from competition.forms import ActionForm
from competition.i18n.formatting import before_full_stop
from competition.pagination import make_page
from competition.permissions import require_role
from competition.roles import Role
from competition.rounds.models import Round, Stage
from competition.storage import get_storage
from competition.web import requested_page, writing
from judging.analysis import combined, explain, uncertainty_pages
from judging.analysis import services as analysis
from judging.analysis import uncertainty as stage_uncertainty
from judging.analysis.services import METHOD_LABELS
from judging.panels.models import Assignment
from judging.results import (
    awards,
    certificate_register,
    certificates,
    feedback,
    minutes,
    publications,
    recompute,
)
from judging.results import publication as publication_service
from judging.results import zips as bulk
from judging.results.certificates import Layout, render_certificate
from judging.results.forms import (
    AwardsForm,
    ConfirmUncertainForm,
    FeedbackSettingsForm,
    LayoutForm,
    PublishForm,
    RevokeForm,
    SpecialAwardForm,
    format_levels,
    parse_levels,
)
from judging.results.models import Certificate
from judging.scoring import progress

publishing_bp = Blueprint("publishing", __name__, url_prefix="/committee")


require_role(publishing_bp, Role.COMMITTEE)


REVIEW_ROWS = 10  # ranked rows per category on the results page (more when awards go further)
CERTIFICATE_ROWS = 50  # certificates a page of the results page's list (``?cert_page=``)


def _review_page(
    round_: Round, forms: dict | None = None, awards_form=None, status=200, special_form=None
):
    stages, now = [], utcnow()
    # Only scored stages have a ranking to publish (registration, screening and announcement
    # stages would show empty tables and a button that can only answer 409).
    for stage in (s for s in round_.stages if s.is_scored and not s.is_skipped):
        awarded = awards.gives_awards(stage)
        levels = awards.levels_for(stage)  # none before the last scored stage
        # The award places and the next few of each category: a national round ranks
        # thousands, whose full list is the ranking page's (linked from each category).
        shown = max(REVIEW_ROWS, max((lv.up_to_rank for lv in levels), default=0))
        # the stage's arrays are read once for both (and come from the bridge's cache while
        # the sheets do not change); the judge model's ranges, stretched to hold the method's
        # places, replace the bootstrap's, which is then not computed
        data = analysis.load_stage(stage)
        unc = uncertainty_pages.ranking_page(stage, data=data)
        ranking = analysis.compute_ranking(
            stage, limit=shown, data=data, uncertainty=not unc.measurable, judge_totals=False
        )
        stages.append(
            {
                "stage": stage,
                "ranking": ranking,
                "levels": levels,
                "awarded": awarded,
                "award_for": awards.award_for,
                "versions": publications.list_publications(stage),
                "combined": combined.publishes_combined(stage),
                "unc": unc,
                "form": (forms or {}).get(stage.id) or PublishForm(formdata=None),
                "open_sheets": _open_sheets(stage, now, data),
            }
        )
    settings = awards.settings_of(round_)
    if awards_form is None:
        awards_form = AwardsForm(
            formdata=None,
            style=settings.style,
            announcement=settings.announcement,
            levels=format_levels(
                [awards.Level(r.title, r.up_to_rank, r.prize) for r in awards.list_levels(round_)]
            ),
        )
    search = request.args.get("q", "")
    # A page of certificates (a national round issues thousands; the search finds one).
    cert_page, per_page = requested_page(CERTIFICATE_ROWS, "cert_page")
    certs, n_certs = certificate_register.list_certificates(
        round_, search=search, limit=per_page, offset=(cert_page - 1) * per_page
    )
    cert_at = make_page(n_certs, cert_page, per_page, "cert_page")
    return render_template(
        "judging/results/publishing_review.html",
        round=round_,
        stages=stages,
        awards_form=awards_form,
        certificates=certs,
        n_certificates=n_certs,
        certificates_page=cert_at,
        search=search,
        special_form=special_form or SpecialAwardForm.for_round(round_, formdata=None),
        specials=certificate_register.list_special_awards(round_),
        action_form=ActionForm(),
        explain=explain,
        feedback_form=FeedbackSettingsForm(
            formdata=None,
            opd_sees_comments=settings.opd_sees_comments,
            publishes_sheets=settings.publishes_sheets,
        ),
    ), status


@publishing_bp.route("/rounds/<int:round_id>/results")
def review(round_id: int):
    return _review_page(db.get_or_404(Round, round_id))


@publishing_bp.route("/rounds/<int:round_id>/results/awards", methods=["POST"])
def awards_settings(round_id: int):
    round_ = db.get_or_404(Round, round_id)
    form = AwardsForm()
    if not form.validate_on_submit():
        return _review_page(round_, awards_form=form, status=422)
    levels = (
        awards.PRESETS[form.preset.data] if form.preset.data else parse_levels(form.levels.data)
    )
    with writing(_("Award settings saved."), field=form.levels) as w:
        awards.save_award_settings(
            round_=round_,
            levels=levels,
            style=form.style.data,
            announcement=form.announcement.data or "",
            actor=current_user,
        )
    if w.failed:
        return _review_page(round_, awards_form=form, status=422)
    return redirect(url_for("publishing.review", round_id=round_.id))


def _open_sheets(stage: Stage, now, data: analysis.StageData | None = None) -> int:
    """Score sheets judges can still submit: those not yet submitted while the stage is open
    (counted with the stage's arrays when given: ``load_stage`` read them already)."""
    if not stage.is_open(now):
        return 0
    if data is not None and data.sheets_expected is not None:
        return data.sheets_expected - data.sheets_submitted
    submitted, expected = progress.sheet_counts(stage)
    return expected - submitted


def _confirm_uncertain(stage: Stage, form: PublishForm, risks):
    """Ask for a tick before publishing awards below the pass mark or in an undecided order."""
    return render_template(
        "judging/results/publish_confirm.html",
        stage=stage,
        form=form,
        risks=risks,
        confirm_form=ConfirmUncertainForm(),
        explain=explain,
    ), 409


@publishing_bp.route("/stages/<int:stage_id>/publish", methods=["POST"])
def publish(stage_id: int):
    stage = db.get_or_404(Stage, stage_id)
    form = PublishForm()
    if not form.validate_on_submit():
        return _review_page(stage.round, {stage.id: form}, status=422)
    if not progress.sheet_counts(stage)[0]:
        # The pages offer no button then; a page left open or a hand-made request lands here.
        flash(_("There is nothing to publish: no entry has a submitted score."), "danger")
        return _review_page(stage.round, status=409)
    if _open_sheets(stage, utcnow()) and not form.confirm_open.data:
        # Judges are still scoring: publishing now freezes a ranking that may still change.
        form.confirm_open.errors.append(_("Tick this box to publish while scoring is open."))
        return _review_page(stage.round, {stage.id: form}, status=422)
    risks = publication_service.review_risks(
        stage, combined=False if form.stage_only.data else None
    )
    if risks and not ConfirmUncertainForm().validate_on_submit():
        return _confirm_uncertain(stage, form, risks)
    # A unique version number: another committee member may publish the same one meanwhile.
    conflict = _("Someone else has just published this stage: check the new version.")
    with writing(conflict=conflict) as w:
        pub = publication_service.publish_results(
            stage=stage,
            actor=current_user,
            now=utcnow(),
            reason=form.reason.data or "",
            combined=False if form.stage_only.data else None,
            ranges=risks.ranges,
        )
        w.success = _("Results published (version %(n)d).", n=pub.version)
    if w.failed:
        if not isinstance(w.error, ConcurrentChange):
            form.reason.errors.append(str(w.error.message))
        return _review_page(stage.round, {stage.id: form}, status=w.status)
    return redirect(url_for("public.results", slug=stage.round.slug))


def _layout_page(round_: Round, form=None, status=200):
    settings = awards.settings_of(round_)
    if form is None:
        form = LayoutForm(formdata=None, obj=settings)
    return render_template(
        "judging/results/certificate_layout.html", round=round_, form=form, settings=settings
    ), status


@publishing_bp.route("/rounds/<int:round_id>/results/layout", methods=["GET", "POST"])
def layout(round_id: int):
    """The round's certificate layout: issuer, logo and signatories (images content-checked)."""
    round_ = db.get_or_404(Round, round_id)
    form = LayoutForm()
    if not form.validate_on_submit():
        return _layout_page(round_, form if form.errors else None, 422 if form.errors else 200)
    images = {
        slot: getattr(form, slot).data.read() if getattr(form, slot).data else None
        for slot in certificates.IMAGE_SLOTS
    }
    # a refused image under its own field (the refusal names it), anything else under the logo
    with writing(_("Certificate layout saved."), form=form, field=form.logo) as w:
        certificates.save_layout(
            round_=round_,
            government=form.government.data or "",
            organiser=form.organiser.data or "",
            address=form.address.data or "",
            place=form.place.data or "",
            signers=[
                (form.signer1_name.data or "", form.signer1_title.data or ""),
                (form.signer2_name.data or "", form.signer2_title.data or ""),
            ],
            images=images,
            actor=current_user,
        )
    if w.failed:
        return _layout_page(round_, form, 422)
    return redirect(url_for("publishing.layout", round_id=round_.id))


@publishing_bp.route("/rounds/<int:round_id>/results/layout/preview.pdf")
def layout_preview(round_id: int):
    """A sample certificate with the round's layout (nothing is issued)."""
    round_ = db.get_or_404(Round, round_id)
    sample = Certificate(
        code="XXXX-XXXX-XXXX-XXXX",
        kind="award",
        round=round_,
        holder="Dinas Contoh",
        title="Inovasi Contoh",
        category="Kategori",
        award="Juara I",
        issued_at=utcnow(),
    )
    settings = awards.settings_of(round_)
    pdf = render_certificate(
        sample,
        certificates.verify_url(sample),
        Layout.of(settings),
    )
    return pdf, 200, {"Content-Type": "application/pdf"}


def judges_of(round_: Round) -> list[User]:
    """The judges with at least one assignment in the round."""
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.id.in_(
                    select(Assignment.judge_id)
                    .join(Stage, Assignment.stage_id == Stage.id)
                    .where(Stage.round_id == round_.id)
                )
            )
            .order_by(User.name)
        )
    )


@publishing_bp.route("/rounds/<int:round_id>/results/special", methods=["POST"])
def special_award(round_id: int):
    round_ = db.get_or_404(Round, round_id)
    form = SpecialAwardForm.for_round(round_)
    if not form.validate_on_submit():
        return _review_page(round_, special_form=form, status=422)
    entry = db.session.get(Entry, form.entry.data)
    with writing(field=form.title) as w:
        cert = awards.give_special_award(
            round_=round_, entry=entry, title=form.title.data, actor=current_user, now=utcnow()
        )
        w.success = _(
            "%(award)s given to %(holder)s.", award=cert.award, holder=before_full_stop(cert.holder)
        )
    if w.failed:
        return _review_page(round_, special_form=form, status=w.status)
    return redirect(url_for("publishing.review", round_id=round_.id) + "#certificates")


@publishing_bp.route("/rounds/<int:round_id>/results/appreciation", methods=["POST"])
def appreciation(round_id: int):
    round_ = db.get_or_404(Round, round_id)
    if ActionForm().validate_on_submit():
        with writing() as w:
            n = awards.issue_appreciation_certificates(
                round_=round_, judges=judges_of(round_), actor=current_user, now=utcnow()
            )
            w.success = ngettext(
                "%(num)d certificate of appreciation issued to a judge.",
                "%(num)d certificates of appreciation issued to judges.",
                n,
            )
    return redirect(url_for("publishing.review", round_id=round_.id) + "#certificates")


@publishing_bp.route("/rounds/<int:round_id>/results/zip")
def bulk_page(round_id: int):
    round_ = db.get_or_404(Round, round_id)
    return render_template(
        "judging/results/certificates_zip.html",
        round=round_,
        job=bulk.latest_job(round_.id),
        valid=certificate_register.count_certificates(round_),
        action_form=ActionForm(),
    )


@publishing_bp.route("/rounds/<int:round_id>/results/zip/start", methods=["POST"])
def bulk_start(round_id: int):
    """Queue the ZIP; a worker (or on SQLite a thread of this process) builds it."""
    round_ = db.get_or_404(Round, round_id)
    if ActionForm().validate_on_submit():
        with writing(flash_error=False) as w:
            bulk.start_job(round_=round_, actor=current_user)
        if w.failed:  # answered by the error page
            raise w.error
    return redirect(url_for("publishing.bulk_page", round_id=round_.id))


@publishing_bp.route("/rounds/<int:round_id>/results/zip/status")
def bulk_status(round_id: int):
    """The ZIP job's progress as JSON, for the page's script (404 before the first job)."""
    round_ = db.get_or_404(Round, round_id)
    job = bulk.latest_job(round_.id)
    if job is None:
        raise NotAllowed()
    return jsonify(job.as_dict())


@publishing_bp.route("/rounds/<int:round_id>/results/zip/step", methods=["POST"])
def bulk_step(round_id: int):
    """The address the page used to post one chunk after another: the job now runs by itself,
    so this only answers its state (JSON) or goes back to the page."""
    round_ = db.get_or_404(Round, round_id)
    job = bulk.latest_job(round_.id)
    if job is None or not ActionForm().validate_on_submit():
        raise NotAllowed()
    if request.accept_mimetypes.best == "application/json":
        return jsonify(job.as_dict())
    return redirect(url_for("publishing.bulk_page", round_id=round_.id))


@publishing_bp.route("/rounds/<int:round_id>/results/zip/download")
def bulk_download(round_id: int):
    round_ = db.get_or_404(Round, round_id)
    key = bulk.finished_zip(round_.id)
    if key is None:
        raise NotAllowed()
    try:
        return get_storage().send(
            key, "application/zip", downloads.safe_filename(f"piagam-{round_.slug}.zip")
        )
    except FileNotFoundError:
        raise NotAllowed() from None


def _minutes_texts(published) -> dict:
    """The berita acara's texts that come from the interface's catalogue, always in Indonesian
    whatever the language of the committee member who downloads it (the letter's bytes do not
    depend on it): the methods' names, the method's sentences (with where the place comes
    from: a stage's method, or the stages' methods combined) and each stage's rule for judges
    who share no entry."""
    combined_pubs = [
        bool(json.loads(pub.params or "{}").get("stages")) for _s, pub, _r in published
    ]
    with force_locale("id"):
        return {
            "method_labels": {
                **{k: str(v) for k, v in METHOD_LABELS.items()},
                combined.METHOD: str(combined.LABEL),
            },
            "method_sentences": explain.method_sentences(
                stage=not all(combined_pubs), combined=any(combined_pubs)
            ),
            "across": {
                stage.id: explain.across_rule(stage_uncertainty.across_of(stage))
                for stage, _pub, _results in published
            },
        }


@publishing_bp.route("/rounds/<int:round_id>/results/berita-acara.pdf")
def minutes_pdf(round_id: int):
    """The official minutes (Berita Acara Hasil Penilaian) of the published results."""
    round_ = db.get_or_404(Round, round_id)
    published = publications.list_published_results(round_)
    if not published:
        raise NotAllowed()
    pdf = minutes.render_minutes(
        round_=round_,
        published=published,
        judges=[minutes.JudgeLine(u.name, u.affiliation or "") for u in judges_of(round_)],
        layout=certificates.layout_for_round(round_),
        specials=certificate_register.list_special_awards(round_),
        anchor=minutes.anchor_of(published),
        places={
            pub.id: feedback.likely_places(stage, pub, results) for stage, pub, results in published
        },
        **_minutes_texts(published),
    )
    return (
        pdf,
        200,
        {
            "Content-Type": "application/pdf",
            "Content-Disposition": downloads.disposition(
                f"berita-acara-{round_.slug}.pdf", inline=True
            ),
        },
    )


def _certificate(round_id: int, certificate_id: int) -> Certificate:
    cert = db.session.get(Certificate, certificate_id)
    if cert is None or cert.round_id != round_id:
        raise NotAllowed()
    return cert


@publishing_bp.route(
    "/rounds/<int:round_id>/results/certificates/<int:certificate_id>",
    endpoint="certificate",
    methods=["GET", "POST"],
)
def publishing_certificate(round_id: int, certificate_id: int):
    cert = _certificate(round_id, certificate_id)
    form = RevokeForm()
    if not form.validate_on_submit():
        return render_template(
            "judging/results/certificate_revoke.html",
            cert=cert,
            form=form,
            replacement=certificate_register.replacement_of(cert),
        ), 422 if form.errors else 200
    with writing(field=form.reason) as w:
        if form.reissue.data:
            new = awards.reissue_certificate(
                certificate=cert,
                reason=form.reason.data,
                actor=current_user,
                now=utcnow(),
                holder=form.holder.data or None,
                title=form.title.data or None,
            )
        else:
            awards.revoke_certificate(
                certificate=cert, reason=form.reason.data, actor=current_user, now=utcnow()
            )
            new = None
        w.success = (
            _("Certificate reissued as %(code)s.", code=new.code)
            if new is not None
            else _("Certificate revoked.")
        )
    if w.failed:
        return render_template(
            "judging/results/certificate_revoke.html", cert=cert, form=form, replacement=None
        ), w.status
    return redirect(url_for("publishing.review", round_id=round_id) + "#certificates")


@publishing_bp.route("/timeline/<int:stage_id>/announce", methods=["GET", "POST"])
def stage_announce(stage_id: int):
    """Issue a numbered announcement of the stage's result, optionally with an objection
    period."""
    stage = db.get_or_404(Stage, stage_id)
    form = AnnounceForm()
    if request.method == "GET":
        # The announcement is an official document: its title is printed on its PDF and its
        # public page in Indonesian, whatever the language of the committee member issuing it.
        with force_locale("id"):
            form.title.data = _(
                "Result of %(stage)s, %(round)s", stage=stage.name, round=stage.round.name
            )
    if form.validate_on_submit():
        with writing(_("Announcement issued."), field=form.title) as w:
            announcement = announcements.issue_announcement(
                winners=awards.published_winner_ids,
                stage=stage,
                title=form.title.data,
                objection_days=form.objection_days.data,
                actor=current_user,
                now=utcnow(),
            )
        if not w.failed:
            return redirect(url_for("announcements.announcement", announcement_id=announcement.id))
    return render_template(
        "judging/results/announce.html", stage=stage, form=form
    ), 422 if form.errors else 200


@publishing_bp.route("/rounds/<int:round_id>/results/feedback", methods=["POST"])
def feedback_settings(round_id: int):
    """Whether the round's OPDs read the judges' comments in their feedback."""
    round_ = db.get_or_404(Round, round_id)
    form = FeedbackSettingsForm()
    if form.validate_on_submit():
        with writing(_("Feedback settings saved.")):
            feedback.set_opd_sees_comments(
                round_=round_, value=form.opd_sees_comments.data, actor=current_user
            )
            recompute.set_publishes_sheets(
                round_=round_, value=form.publishes_sheets.data, actor=current_user
            )
    return redirect(url_for("publishing.review", round_id=round_.id) + "#feedback")
