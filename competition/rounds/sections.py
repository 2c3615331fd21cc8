"""The proposal's structure, following KIPP (Kompetisi Inovasi Pelayanan Publik, KemenPAN-RB):
groups of participants, the sections each group fills with their word limits, and the
minimum age of an innovation per group. Pure definitions and text helpers: no database.

Three of the KIPP sections reuse the columns of the first proposal form: ``summary``,
``novelty`` (the innovative idea, which also describes the problem it solves) and ``impact``
(significance and impact). The older ``problem`` and ``implementation`` columns are no longer
in the form; the migration that added the KIPP sections folded their text into ``novelty`` and
``sustainability``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import date

from flask_babel import lazy_gettext as _l


class EntryGroup(enum.StrEnum):
    """KIPP groups: general, replication (copies a past winner) and special (past winners,
    by invitation)."""

    UMUM = "umum"
    REPLIKASI = "replikasi"
    KHUSUS = "khusus"


GROUP_LABELS = {
    EntryGroup.UMUM: _l("General (umum)"),
    EntryGroup.REPLIKASI: _l("Replication (replikasi)"),
    EntryGroup.KHUSUS: _l("Special (khusus)"),
}


# An innovation must have been running this many years when it is submitted.
MIN_AGE_YEARS = {EntryGroup.UMUM: 1, EntryGroup.REPLIKASI: 2, EntryGroup.KHUSUS: 2}


ALL_GROUPS = frozenset(EntryGroup)


@dataclass(frozen=True)
class Section:
    """One proposal section: the Entry column that stores it, its label, its word limit, a
    line of guidance, and the groups whose form has it."""

    name: str
    label: object
    words: int
    help: object
    groups: frozenset = ALL_GROUPS
    custom: bool = False  # added by the committee for one round (text kept in a JSON column)


SECTIONS: tuple[Section, ...] = (
    Section(
        "summary", _l("Summary"), 200, _l("What the innovation is, for whom, and its main result.")
    ),
    Section(
        "novelty",
        _l("Innovative idea"),
        600,
        _l("The problem it solves and what is new in the way it solves it."),
    ),
    Section(
        "impact",
        _l("Significance and impact"),
        600,
        _l("Results with evidence: figures before and after the innovation."),
    ),
    Section(
        "sdg",
        _l("Contribution to the SDGs"),
        200,
        _l("Which Sustainable Development Goals and targets it supports, and how."),
    ),
    Section(
        "adaptability",
        _l("Adaptability and replication"),
        400,
        _l("Whether other units or regions have adopted it, or could, and at what cost."),
    ),
    Section(
        "sustainability",
        _l("Sustainability"),
        600,
        _l("Regulations, budget, people and methods that keep it running."),
    ),
    Section(
        "collaboration",
        _l("Stakeholder collaboration"),
        200,
        _l("Who takes part (community, private sector, other agencies) and their role."),
    ),
    Section(
        "inspiration",
        _l("Source of inspiration"),
        200,
        _l("The innovation replicated, where it comes from and why it was chosen."),
        frozenset({EntryGroup.REPLIKASI}),
    ),
    Section(
        "replication_process",
        _l("Replication process"),
        400,
        _l("How it was adapted to local conditions, step by step."),
        frozenset({EntryGroup.REPLIKASI}),
    ),
    Section(
        "distinguishing",
        _l("Distinguishing factor"),
        200,
        _l("What this replication adds or does differently from the original."),
        frozenset({EntryGroup.REPLIKASI}),
    ),
)


SECTION_NAMES = tuple(s.name for s in SECTIONS)


def sections_for(group: EntryGroup | str) -> list[Section]:
    """The sections of ``group``'s form, in form order."""
    group = EntryGroup(group)
    return [s for s in SECTIONS if group in s.groups]


def count_words(text: str | None) -> int:
    """Words as a reader counts them: runs of non-space characters."""
    return len((text or "").split())


def limits(overrides: dict[str, int] | None = None, settings: dict | None = None) -> dict[str, int]:
    """Every section's word limit: the KIPP default, or the round's own (``overrides``);
    with the round's section ``settings``, its custom sections too."""
    overrides = overrides or {}
    out = {s.name: int(overrides.get(s.name) or s.words) for s in SECTIONS}
    for c in (settings or {}).get("custom") or []:
        out[c["name"]] = int(overrides.get(c["name"]) or c["words"])
    return out


def configured_sections(
    settings: dict | None, overrides: dict[str, int] | None = None
) -> list[tuple[Section, bool]]:
    """Every section of a round, each with whether it is switched on: the KIPP sections with
    the round's labels and word limits, then the committee's own sections, in form order.

    ``settings`` is ``Round.section_settings``: ``{"labels": {name: label}, "off": [name],
    "custom": [{"name", "label", "words", "groups", "help"}]}``; any part may be missing. A
    KIPP section without its own label keeps the default, translated, label."""
    settings = settings or {}
    labels = settings.get("labels") or {}
    off = set(settings.get("off") or [])
    limit = limits(overrides, settings)
    out = [
        (replace(s, label=labels.get(s.name) or s.label, words=limit[s.name]), s.name not in off)
        for s in SECTIONS
    ]
    for c in settings.get("custom") or []:
        section = Section(
            c["name"],
            labels.get(c["name"]) or c["label"],
            limit[c["name"]],
            c.get("help") or "",
            frozenset(EntryGroup(g) for g in c.get("groups") or ALL_GROUPS),
            custom=True,
        )
        out.append((section, c["name"] not in off))
    return out


def active_sections(
    settings: dict | None,
    overrides: dict[str, int] | None = None,
    group: EntryGroup | str | None = None,
) -> list[Section]:
    """The switched-on sections of a round (of ``group``'s form when given), in form order."""
    return [
        s
        for s, on in configured_sections(settings, overrides)
        if on and (group is None or EntryGroup(group) in s.groups)
    ]


def over_limit(
    data: dict[str, str], overrides: dict[str, int] | None = None, settings: dict | None = None
) -> dict[str, tuple[int, int]]:
    """Sections of ``data`` longer than their limit: name -> (words, limit)."""
    limit = limits(overrides, settings)
    out = {}
    for name, text in data.items():
        if name in limit and (n := count_words(text)) > limit[name]:
            out[name] = (n, limit[name])
    return out


def latest_start(group: EntryGroup | str, on: date) -> date:
    """The latest start date an innovation of ``group`` may have to be old enough ``on``."""
    years = MIN_AGE_YEARS[EntryGroup(group)]
    try:
        return on.replace(year=on.year - years)
    except ValueError:  # 29 February
        return on.replace(year=on.year - years, day=28)
