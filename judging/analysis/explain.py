"""Plain-language texts for a ranking's uncertainty: places and ranges in words, chances,
agreement bands, a judge's habits, and the model's warnings with what would help. Pure text
functions over numbers (no database); translated through Flask-Babel. ``method_sentences``
renders the method's partial template to plain text for the berita acara."""

from __future__ import annotations

import math
import re
from html import unescape

from flask import render_template
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from markupsafe import Markup

ALPHA_LOW, ALPHA_GOOD = 0.667, 0.8  # Krippendorff's conventional bands
NARROW, WIDE = 0.8, 1.25  # a judge's scale: points moved per point of quality


def ordinal(n: int) -> str:
    """1 -> "1st" (English) or "ke-1" (Indonesian)."""
    n = int(n)
    locale = get_locale()
    if locale is not None and locale.language == "id":
        return f"ke-{n}"
    if 10 <= n % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def place_range(lo: int, hi: int) -> Markup:
    """The range of likely places: "3rd–6th" ("ke-3 sampai ke-6": "ke-3–ke-6" read as a string
    of hyphens), or "3rd" when it is one place; for a page, each place kept on one line (a
    narrow cell broke "ke-" from its number)."""
    if not lo or not hi:
        return Markup("")
    one = Markup('<span class="nowrap">{}</span>')
    if lo == hi:
        return one.format(ordinal(lo))
    locale = get_locale()
    if locale is not None and locale.language == "id":
        return Markup("{} sampai {}").format(one.format(ordinal(lo)), one.format(ordinal(hi)))
    return Markup("{}–{}").format(one.format(ordinal(lo)), one.format(ordinal(hi)))


def percent(p: float) -> str:
    """A probability as a whole percentage in the locale's format, "72%" in both languages
    (CLDR's pattern for id and en; "72 %" also broke across lines between number and sign);
    below 1% / above 99% say so."""
    if p is None or not math.isfinite(p):
        return ""
    if 0 < p < 0.01:
        return "<\u00a01%"
    if 0.99 < p < 1:
        return ">\u00a099%"
    return f"{round(p * 100):d}%"


def cut_label(cut) -> str:
    """An award or advancement cut in words: "Winners (places 1-3)", "Juara I (place 1)",
    "Up to Juara III (places 1-3)"."""
    if cut.place == 1:
        if cut.kind == "level":
            return _("%(title)s (place 1)", title=cut.title)
        if cut.kind == "award":
            return _("Winner (place 1)")
        return _("Advancement (place 1)")
    if cut.kind == "level":
        # the cut below the level: every entry placed at it or above (Juara I, II and III)
        return _("Up to %(title)s (places 1–%(n)d)", title=cut.title, n=cut.place)
    if cut.kind == "award":
        return _("Winners (places 1–%(n)d)", n=cut.place)
    return _("Advancement (places 1–%(n)d)", n=cut.place)


def points(value: float, signed: bool = False) -> str:
    """A number of rubric points in the page's language: "16,1 poin", "-16.1 points"."""
    if value is None or not math.isfinite(value):
        return "–"
    number = format_decimal(value, format="+0.0;-0.0" if signed else "0.0")
    return _("%(number)s points", number=number)


def plus_minus_note() -> str:
    """What "± 3.17" after a score means, for pages that show one."""
    return _(
        "± after a score is its uncertainty in rubric points: the score could plausibly be "
        "that much higher or lower (about two chances in three of lying within it)."
    )


def columns_note() -> str:
    """The ranking page's two scores: which gives the place and which the range."""
    return _(
        "Score: the score of the stage's method, which gives the place. Adjusted score: the "
        "judge model's score, which gives the range of likely places and the chances."
    )


def chance_top(p: float, n: int) -> str:
    if p is None or not math.isfinite(p):
        return ""
    return _("chance of a top-%(n)d place: %(p)s", n=n, p=percent(p))


def agreement(alpha: float) -> str:
    """Krippendorff's alpha in words, with its scale and bands (below 0.667 low, 0.667-0.8
    tentative, above 0.8 good), so that the number needs no statistics to be read."""
    if alpha is None or not math.isfinite(alpha):
        return _("Agreement between the judges cannot be measured: no entry has two judges.")
    if alpha < ALPHA_LOW:
        band = _(
            "low: the judges often disagree about which entry is better, so the ranking rests "
            "on few judgements"
        )
    elif alpha <= ALPHA_GOOD:
        band = _("tentative: the judges mostly agree, enough for tentative conclusions")
    else:
        band = _("good: the judges agree on which entries are better")
    return _(
        "Agreement between the judges: %(alpha)s, on a scale from 0 (no more agreement than "
        "chance) to 1 (full agreement; Krippendorff's alpha). Below %(low)s is low, "
        "%(low)s to %(good)s tentative, above %(good)s good; here it is %(band)s.",
        alpha=format_decimal(alpha, format="0.00"),
        low=format_decimal(ALPHA_LOW, format="0.00"),
        good=format_decimal(ALPHA_GOOD, format="0.00"),
        band=band,
    )


def reliability(r: float, alpha: float | None = None) -> str:
    """The reliability of the adjusted scores in words (share of their spread due to quality).
    With the judges' ``alpha`` well below it, one more sentence says why both can be true (a
    reader otherwise sees "low agreement" next to "92 % quality" as a contradiction)."""
    if r is None or not math.isfinite(r):
        return _("The reliability of the scores cannot be measured: no entry has two judges.")
    text = _(
        "Reliability of the adjusted scores: %(r)s, that is %(pct)s of the differences between "
        "entries are differences in quality, the rest is the judges' noise.",
        r=format_decimal(r, format="0.00"),
        pct=percent(r),
    )
    if alpha is not None and math.isfinite(alpha) and r > alpha + 0.1:
        text += " " + _(
            "It is higher than the agreement because an adjusted score combines all of the "
            "entry's judges and removes each judge's habits, while the agreement compares "
            "single judges' raw scores."
        )
    return text


def leniency(offset: float, span: float) -> str:
    """A judge's offset in words: "scores about 8 points above the others". Offsets within
    2 % of the rubric's span (``span`` = scale_max - scale_min) read as "like the others"."""
    if offset is None or not math.isfinite(offset):
        return _("too few sheets to tell")
    if abs(offset) < 0.02 * span:
        return _("scores about like the others")
    points = format_decimal(abs(offset), format="0.#" if abs(offset) < 10 else "0")
    if offset > 0:
        return _("scores about %(points)s points above the others (lenient)", points=points)
    return _("scores about %(points)s points below the others (strict)", points=points)


def spread(scale: float) -> str:
    """A judge's scale in words: narrow below 0.8, wide above 1.25."""
    if scale is None or not math.isfinite(scale):
        return _("too few sheets to tell")
    if scale < NARROW:
        return _("uses a narrow range: good and weak entries get close scores")
    if scale > WIDE:
        return _("uses a wide range: differences between entries are stretched")
    return _("uses a range like the others")


def consistency(noise: float, typical: float) -> str:
    """A judge's noise against the panel's typical noise, in words."""
    if noise is None or not math.isfinite(noise) or not math.isfinite(typical) or typical <= 0:
        return _("too few sheets to tell")
    if noise > 1.5 * typical:
        return _("less consistent than the others (their scores carry less weight)")
    if noise < typical / 1.5:
        return _("more consistent than the others (their scores carry more weight)")
    return _("about as consistent as the others")


def warnings(result) -> list[str]:
    """The model's warnings in words, each with what would help."""
    out = []
    codes = set(getattr(result, "warning_codes", ()) or ())
    if "mostly_noise" in codes:
        out.append(
            _(
                "The judges hardly agree: the ranking is mostly noise. What would help: more "
                "judges per entry, a short calibration session on a few sample entries, and "
                "clearer descriptions of what each band of the rubric means."
            )
        )
    if "disconnected" in codes:
        out.append(
            _(
                "The judges fall into %(n)d groups that share no entry, so nothing links their "
                "scores: entries are placed only within their own group. What would link them: "
                "one or more judges who score entries of every group.",
                n=result.n_components,
            )
        )
    if "assumed_equal" in codes:
        out.append(
            _(
                "The judges fall into %(n)d groups that share no entry. The ranking across "
                "groups assumes their entries are equally strong on average, and the ranges "
                "of places include that uncertainty. What would remove the assumption: judges "
                "who score entries of several groups.",
                n=result.n_components,
            )
        )
    if "se_not_estimable" in codes:
        out.append(
            _(
                "No entry has two judges, so the judges' noise cannot be measured and no "
                "range of places can be given. What would help: a second judge for each entry."
            )
        )
    if "not_converged" in codes:
        out.append(
            _(
                "The computation has not fully settled; the ranges are approximate. Compute "
                "it again from the command line before publishing."
            )
        )
    return out


def across_text(mode: str, n_components: int) -> str:
    """Which of the two modes for judges who share no entry applies, and why."""
    if n_components <= 1:
        return _(
            "All judges are linked through entries they share, so every entry is compared "
            "with every other entry of its category directly."
        )
    return across_rule(mode)


def across_rule(mode: str) -> str:
    """The stage's rule for judges who share no entry, in one sentence."""
    if mode == "refuse":
        return _(
            "Judges who share no entry: places are counted only within each group of linked "
            "judges (the committee's setting), because the groups may differ in strength."
        )
    return _(
        "Judges who share no entry: one ranking across groups, assuming each group's entries "
        "are equally strong on average (the committee's setting), as when entries were "
        "split between panels at random."
    )


def place_sentence(combined: bool = False) -> str:
    """Which place is shown, in one plain sentence (the ranking page, the publishing page and
    the berita acara say the same): the stage's method gives the place, the judge model the
    range and the chances, and the range is stretched to hold the place where they differ
    (``judging.ranking.range_with_place``). ``combined``: the same for the combined final
    ranking, whose place comes from the stages' methods together."""
    if combined:
        return _(
            "The place is the combined ranking of the stages' methods; the range and the "
            "chance come from the judge model, so they can differ slightly: the range always "
            "includes the place."
        )
    return _(
        "The place comes from the stage's scoring method; the range of likely places and the "
        "chances come from the judge model, so the two can differ slightly, and the range "
        "always includes the place."
    )


def method_sentences(*, stage: bool = True, combined: bool = False) -> list[str]:
    """The five sentences of ``_method.html`` as plain text, then which place is shown (for
    the berita acara's PDF): :func:`place_sentence` for a stage's own ranking (``stage``),
    for the combined final ranking (``combined``), or both when the minutes hold both kinds;
    in the current locale; needs an application context."""
    html = render_template("judging/analysis/_method.html")
    items = re.findall(r"<li>(.*?)</li>", html, flags=re.S)
    sentences = [unescape(re.sub(r"<[^>]+>|\s+", " ", item)).strip() for item in items]
    if stage or not combined:
        sentences.append(str(place_sentence()))
    if combined:
        sentences.append(str(place_sentence(combined=True)))
    return sentences
