"""The committee's analysis pages (blueprint ``analysis``, under ``/committee``): a stage's
ranking, method, comparison and judges; the round's combined final ranking and stage weights;
advancement to the next stage; the round dashboard."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from competition import charts, exports
from competition.db import db, utcnow
from competition.entries import dashboard, screening
from competition.entries.screening_views import entry_filter_page
from competition.forms import ActionForm
from competition.pagination import MAX_PER_PAGE
from competition.permissions import require_role
from competition.roles import Role
from competition.rounds.forms import STAGE_KIND_LABELS
from competition.rounds.models import Round, Stage, StageKind
from competition.web import requested_page, writing
from judging.analysis import (
    advancement,
    blunders,
    combined,
    comparison,
    explain,
    extra_judges,
    judge_report,
    methods,
    stage_data,
    uncertainty,
    uncertainty_pages,
)
from judging.analysis import ranking_export as ranking_export_rows
from judging.analysis import services as analysis
from judging.analysis.forms import (
    AcrossForm,
    AdvanceForm,
    CheckScoreForm,
    MethodForm,
    StageMethodForm,
    weights_form,
)
from judging.analysis.permissions import can_manage_stage
from judging.scoring import rubric as rubric_service
from judging.scoring import sheets as sheet_service
from judging.scoring.progress import sheet_counts

analysis_bp = Blueprint("analysis", __name__, url_prefix="/committee")
require_role(analysis_bp, Role.COMMITTEE)


def _advance_params(form: AdvanceForm) -> dict:
    if form.mode.data == "threshold" and form.threshold.data is not None:
        return {"threshold": float(form.threshold.data)}
    return {"top_n": form.top_n.data or 5}


@analysis_bp.route("/timeline/<int:stage_id>/advance", methods=["GET", "POST"])
def stage_advance(stage_id: int):
    """Preview who advances from a scored stage into the next one, override single entries
    with a reason, and confirm."""
    stage = db.get_or_404(Stage, stage_id)
    to_stage = advancement.next_scored_stage(stage)
    form = (
        AdvanceForm(request.args, meta={"csrf": False})
        if request.method == "GET"
        else AdvanceForm(meta={"csrf": False})
    )
    form.validate()
    params = _advance_params(form)
    confirmed = to_stage is not None and advancement.is_confirmed(to_stage)
    candidates = advancement.propose(stage=stage, **params) if stage.is_scored else []
    advance = {c.entry.id for c in candidates if c.proposed}
    reasons: dict[int, str] = {}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST" and ActionForm().validate_on_submit():
        advance = {int(i) for i in request.form.getlist("advance") if i.isdigit()}
        reasons = {c.entry.id: request.form.get(f"reason_{c.entry.id}", "") for c in candidates}
        with writing() as w:
            n = advancement.confirm(
                stage=stage,
                candidates=candidates,
                advance=advance,
                reasons=reasons,
                actor=current_user,
                now=utcnow(),
            )
            w.success = ngettext(
                "%(num)d entry advances to %(stage)s.",
                "%(num)d entries advance to %(stage)s.",
                n,
                stage=to_stage.name,
            )
        if not w.failed:
            return redirect(url_for("analysis.stage_advance", stage_id=stage.id))
        errors = {name: _("Give a reason.") for name in getattr(w.error, "missing", [])}
        status = w.status
    return render_template(
        "judging/analysis/advance.html",
        stage=stage,
        to_stage=to_stage,
        form=form,
        candidates=candidates,
        advance=advance,
        reasons=reasons,
        errors=errors,
        spread=advancement.spread(candidates, advance),
        confirmed=advancement.advanced_ids(to_stage) if confirmed else None,
        action_form=ActionForm(),
        params=params,
    ), status


DASHBOARD_ROWS = 100  # entries per page of the dashboard's filtered list


@analysis_bp.route("/rounds/<int:round_id>/dashboard")
def round_dashboard(round_id: int):
    round_ = db.get_or_404(Round, round_id)
    form, found, entry_page = entry_filter_page(round_, DASHBOARD_ROWS)
    overview = dashboard.overview(round_, utcnow())
    counts = {s.id: sheet_counts(s) for s in round_.stages if s.kind == StageKind.SCORED}
    bars = charts.progress_bars(
        dashboard.stage_bars(round_, overview.totals, counts), title=_("Progress per stage")
    )
    return render_template(
        "judging/analysis/dashboard.html",
        round=round_,
        form=form,
        entries=found,
        entry_page=entry_page,
        overview=overview,
        stage_bars=bars,
        progress=screening.progress(round_),
        states=dashboard.STATES,
        state_of=dashboard.state_of,
        kind_labels=STAGE_KIND_LABELS,
        export_args=request.args.to_dict(),
        action_form=ActionForm(),
        can_remind=utcnow() <= round_.submission_closes_at,
    )


RANKING_ROWS = 50  # rows per page of the ranking page (every category, place by place)
COMPARE_ROWS = 50  # rows per category on the comparison page unless "show all" is asked


@analysis_bp.route("/stages/<int:stage_id>/ranking")
def ranking(stage_id: int):
    """The stage's ranking, one page of ``RANKING_ROWS`` rows (``?page=``, ``?per_page=``) of
    the list by category then place, or of one category (``?category=``); the whole list is
    the download (``ranking_export``). ``?all=1`` (older links) asks for the largest page."""
    stage = db.get_or_404(Stage, stage_id)
    form = MethodForm(request.args)
    method = form.method.data if form.method.data in methods.REGISTRY else analysis.method_of(stage)
    form.method.data = method
    page, per_page = requested_page(RANKING_ROWS)
    if request.args.get("all") == "1":
        per_page = MAX_PER_PAGE
    category_id = request.args.get("category", type=int)
    data = stage_data.load_stage(stage)  # once, for the uncertainty and the ranking
    unc = uncertainty_pages.ranking_page(stage, data=data)
    ranking = analysis.compute_ranking(
        stage,
        method,
        uncertainty=unc.result is None,  # the judge model's ranges replace the bootstrap's
        data=data,
        page=page,
        per_page=per_page,
        category_id=category_id,
    )
    return render_template(
        "judging/analysis/ranking.html",
        stage=stage,
        form=form,
        ranking=ranking,
        unc=unc,
        explain=explain,
        across_form=AcrossForm(across=uncertainty.across_of(stage)),
        action_form=ActionForm(),
        category_id=category_id,
        mistakes=unc.mistakes,
        stage_closed=blunders.stage_closed(stage, utcnow()),
        method=methods.get(method),
        method_form=StageMethodForm(method=analysis.method_of(stage)),
        # a submitted sheet freezes the rubric: no second count of the stage's sheets
        frozen=bool(data.sheets_submitted) or rubric_service.rubric_is_frozen(stage),
    )


@analysis_bp.route("/stages/<int:stage_id>/ranking.csv", defaults={"fmt": "csv"})
@analysis_bp.route("/stages/<int:stage_id>/ranking.xlsx", defaults={"fmt": "xlsx"})
def ranking_export(stage_id: int, fmt: str):
    """The stage's whole ranking (every entry of every category) as CSV or XLSX."""
    stage = db.get_or_404(Stage, stage_id)
    method = request.args.get("method")
    return exports.download(
        ranking_export_rows.ranking_rows(
            stage, method if method in methods.REGISTRY else analysis.method_of(stage)
        ),
        fmt,
        f"{stage.round.slug}-{stage.id}-ranking",
        title=stage.name,
        widths=ranking_export_rows.WIDTHS,
    )


@analysis_bp.route("/stages/<int:stage_id>/method", methods=["POST"])
def stage_method(stage_id: int):
    stage = db.get_or_404(Stage, stage_id)
    form = StageMethodForm()
    if form.validate_on_submit():
        with writing(_("Method saved.")):
            analysis.set_method(stage=stage, method=form.method.data, actor=current_user)
    return redirect(url_for("analysis.ranking", stage_id=stage.id))


@analysis_bp.route("/stages/<int:stage_id>/compare")
def compare(stage_id: int):
    stage = db.get_or_404(Stage, stage_id)
    show_all = request.args.get("all") == "1"
    categories, method, _fit = comparison.compare_methods(
        stage, limit=None if show_all else COMPARE_ROWS
    )
    return render_template(
        "judging/analysis/compare.html",
        stage=stage,
        categories=categories,
        method=methods.get(method),
        methods=methods.all_methods(),
    )


JUDGE_ROWS = 50  # judges (each with a chart) per page of the judges' page


@analysis_bp.route("/stages/<int:stage_id>/judges")
def judges(stage_id: int):
    stage = db.get_or_404(Stage, stage_id)
    q, flagged_only = request.args.get("q", ""), request.args.get("flagged") == "1"
    page, per_page = requested_page(JUDGE_ROWS)
    report = judge_report.judge_report(
        stage, page=page, per_page=per_page, q=q, flagged_only=flagged_only
    )
    return render_template(
        "judging/analysis/judges.html",
        stage=stage,
        report=report,
        q=q,
        flagged_only=flagged_only,
        method=methods.get(report.method),
        explain=explain,
    )


def _final_page(round_: Round, form=None, status=200):
    stages = combined.scored_stages(round_)
    if form is None:
        form = weights_form(
            stages, formdata=None, data={combined.field_name(st): st.weight for st in stages}
        )
    ranking = combined.combined_ranking(round_) if combined.weights_of(round_) else None
    return render_template(
        "judging/analysis/final_ranking.html",
        round=round_,
        stages=stages,
        form=form,
        ranking=ranking,
        final_stage=combined.final_stage(round_),
        explain=explain,
    ), status


@analysis_bp.route("/rounds/<int:round_id>/results/final")
def final_ranking(round_id: int):
    """The combined final ranking of the round's scored stages, and their weights."""
    return _final_page(db.get_or_404(Round, round_id))


@analysis_bp.route("/rounds/<int:round_id>/results/weights", methods=["POST"])
def stage_weights(round_id: int):
    round_ = db.get_or_404(Round, round_id)
    form = weights_form(combined.scored_stages(round_))
    if not form.validate_on_submit():
        return _final_page(round_, form, 422)
    values = {
        int(f.name.removeprefix("weight_")): None if f.data is None else float(f.data)
        for f in form.stage_fields
    }
    with writing() as w:
        combined.set_stage_weights(round_=round_, weights=values, actor=current_user)
        w.success = (
            _("Stage weights saved.")
            if combined.weights_of(round_)
            else _("Stage weights cleared: each stage is published on its own.")
        )
    if w.failed:
        for name, message in getattr(w.error, "errors", {}).items():
            form[name].errors.append(str(message))
        return _final_page(round_, form, w.status)
    return redirect(url_for("analysis.final_ranking", round_id=round_.id))


@analysis_bp.route("/stages/<int:stage_id>/entries/<int:entry_id>/why")
def why_place(stage_id: int, entry_id: int):
    """Why an entry has its place: each judge's score and habits, its adjusted score and
    range of likely places."""
    stage = db.get_or_404(Stage, stage_id)
    why = uncertainty_pages.why_place(stage, entry_id)
    if why is None:
        abort(404)
    return render_template(
        "judging/analysis/why_place.html",
        stage=stage,
        why=why,
        explain=explain,
        top_n=max(1, stage.winners_per_category),
    )


# Rows a page of the undecided page: its undecided (entry, cut) rows (``?page=``) and its
# proposed (entry, judge) pairs (``?pairs_page=``); a national stage has ~800 and ~735.
UNDECIDED_ROWS = 100
NO_JUDGE_NAMED = 50  # entries with no eligible judge named by title (the rest counted)


@analysis_bp.route("/stages/<int:stage_id>/undecided")
def undecided(stage_id: int):
    """The entries whose award or advancement is undecided, and a preview of one more judge
    for each of them: both lists paged (the undecided rows in the plan's order, the proposal
    summarised per judge, then a page of its pairs), the totals and the expected shrink of
    the whole plan; the button assigns the whole plan (its digest covers every pair). Only
    the page's entries and judges are loaded (``extra_judges.plan_page``)."""
    stage = db.get_or_404(Stage, stage_id)
    page, per_page = requested_page(UNDECIDED_ROWS)
    pairs_page, _per_page = requested_page(UNDECIDED_ROWS, "pairs_page")
    plan = extra_judges.plan_page(
        stage,
        page=page,
        pairs_page=pairs_page,
        per_page=per_page,
        no_judge_named=NO_JUDGE_NAMED,
    )
    return render_template(
        "judging/analysis/undecided.html",
        stage=stage,
        plan=plan,
        explain=explain,
        action_form=ActionForm(),
    )


@analysis_bp.route("/stages/<int:stage_id>/undecided/assign", methods=["POST"])
def assign_undecided(stage_id: int):
    stage = db.get_or_404(Stage, stage_id)
    if ActionForm().validate_on_submit():
        with writing() as w:
            done = extra_judges.assign_extra_judges(
                stage=stage, digest=request.form.get("digest", ""), actor=current_user
            )
            w.success = ngettext(
                "%(num)d judge assigned to the undecided entries.",
                "%(num)d judges assigned to the undecided entries.",
                len(done.proposals),
            )
    return redirect(url_for("analysis.undecided", stage_id=stage.id))


@analysis_bp.route("/stages/<int:stage_id>/across", methods=["POST"])
def stage_across(stage_id: int):
    """Save the stage's rule for judges who share no entry."""
    stage = db.get_or_404(Stage, stage_id)
    form = AcrossForm()
    if form.validate_on_submit():
        with writing(_("Rule for judges who share no entry saved.")):
            uncertainty.set_across(stage=stage, across=form.across.data, actor=current_user)
    return redirect(url_for("analysis.ranking", stage_id=stage.id))


def _check_page(stage, sheet, form=None, status=200):
    unc = uncertainty.stage_uncertainty(stage)
    flag = blunders.flag_of(unc, sheet) if sheet.is_submitted else None
    criteria = rubric_service.list_criteria(stage)
    if form is None:
        form = CheckScoreForm(formdata=None, reason=blunders.default_reason(sheet, criteria, flag))
    return render_template(
        "judging/analysis/check_score.html",
        stage=stage,
        sheet=sheet,
        flag=flag,
        criteria=criteria,
        form=form,
        closed=blunders.stage_closed(stage, utcnow()),
    ), status


@analysis_bp.route("/stages/<int:stage_id>/sheets/<int:sheet_id>/check", methods=["GET", "POST"])
def check_score(stage_id: int, sheet_id: int):
    """Ask a judge to check a score that looks like a typing mistake: a preview of the sheet
    with a prefilled, editable message (GET), then the sheet reopened with it (POST)."""
    stage = db.get_or_404(Stage, stage_id)
    if not can_manage_stage(current_user, stage):
        abort(404)
    sheet = sheet_service.get_sheet(stage, sheet_id)
    if request.method == "GET":
        return _check_page(stage, sheet)
    form = CheckScoreForm()
    if not form.validate_on_submit():
        return _check_page(stage, sheet, form, 422)
    done = _(
        "The sheet is reopened and its judge is sent your message; they can correct the score."
    )
    with writing(done) as w:
        blunders.ask_judge_to_check(
            stage=stage, sheet=sheet, reason=form.reason.data, actor=current_user, now=utcnow()
        )
    if w.failed:
        return _check_page(stage, sheet, form, w.status)
    return redirect(url_for("analysis.ranking", stage_id=stage.id) + "#mistakes")
