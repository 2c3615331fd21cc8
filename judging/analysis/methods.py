"""The one registry of normalization methods: what each is called on the pages, what it does,
and whether it models the judges (fits an offset, and a scale, per judge).

The methods themselves are ``judging.normalize.METHODS``; this registry is built over them, so
a method added there appears on every page, form and document from here. One without a label
or help text below is still listed (under its bare name) and a test fails until it is
described and translated.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial

from flask_babel import lazy_gettext as _l

from judging import normalize

# The baseline every other method is compared with: the judges' plain mean.
BASELINE = "raw"


@dataclass(frozen=True)
class Method:
    """``function(entry_idx, judge_idx, score, n_entries, ...) -> Normalized``; ``label`` and
    ``help`` are lazy translations; ``models_judges``: the fit estimates each judge's offset
    (and scale), which the judges' report reads."""

    name: str
    function: Callable
    label: object
    help: object
    models_judges: bool

    @property
    def is_described(self) -> bool:
        return self.name in _TEXTS


_TEXTS: dict[str, tuple[object, object, bool]] = {
    "raw": (
        _l("Raw mean"),
        _l(
            "Mean of the judges' raw weighted totals, without correction for harsh or "
            "lenient judges."
        ),
        False,
    ),
    "median": (
        _l("Median"),
        _l(
            "Median of the judges' raw weighted totals: robust to one extreme judge, "
            "but no correction for harsh or lenient judges."
        ),
        False,
    ),
    "zscore": (
        _l("Z-score per judge"),
        _l(
            "Each judge's totals are standardized (how far above or below that judge's own "
            "average, counted in that judge's usual spread), averaged per entry and mapped "
            "back onto the rubric's scale. Only valid when judges were assigned at random: a judge "
            "who happened to get strong entries is wrongly corrected downwards."
        ),
        False,
    ),
    "rank": (
        _l("Percentile rank per judge"),
        _l(
            "Each judge's totals become percentile ranks (the share of that judge's "
            "entries scored lower), averaged per entry. Only valid when judges were "
            "assigned at random."
        ),
        False,
    ),
    "bias": (
        _l("Judge offset model"),
        _l(
            "Fits score = quality of the entry + offset of the judge: the offset says how "
            "many points a judge scores above or below the panel, estimated from the entries "
            "judges share, so it stays fair when panels see entries of different strength."
        ),
        True,
    ),
    "bias_scale": (
        _l("Judge offset and scale model"),
        _l(
            "Fits score = offset of the judge + scale of the judge x quality of the "
            "entry (the offset: how many points a judge scores above or below the others; "
            "the scale: how much the judge stretches or squeezes the differences between "
            "entries), and weighs noisier judges less. Corrects harsh, lenient and "
            "narrow-scale judges; the most accurate method in Juri's benchmark."
        ),
        True,
    ),
}


def _function(name: str) -> Callable:
    """The method's function in ``judging.normalize`` (``METHODS`` may name them or map names
    to them)."""
    found = normalize.METHODS[name] if isinstance(normalize.METHODS, Mapping) else None
    found = found if callable(found) else getattr(normalize, name, None)
    return found if callable(found) else partial(normalize.normalize, method=name)


def _method(name: str) -> Method:
    label, help_, models_judges = _TEXTS.get(name, (name, "", False))
    return Method(name, _function(name), label, help_, models_judges)


REGISTRY: dict[str, Method] = {name: _method(name) for name in normalize.METHODS}
DEFAULT = normalize.DEFAULT_METHOD


def all_methods() -> list[Method]:
    """Every method, in ``judging.normalize``'s order."""
    return list(REGISTRY.values())


def names() -> list[str]:
    return list(REGISTRY)


def get(name: str | None) -> Method:
    """The method called ``name``; an unknown name (an old stage's, a typo in a URL) gets an
    entry under its bare name rather than an error on the page."""
    return REGISTRY.get(name or "") or _method(name or "")


def label(name: str | None) -> str:
    return str(get(name).label)


def judge_model(name: str | None) -> Method:
    """``name`` when it models the judges, else the default judge model (the judges' report
    and the comparison's reasons read offsets from it)."""
    method = get(name)
    if method.models_judges:
        return method
    default = get(DEFAULT)
    return (
        default if default.models_judges else next(m for m in REGISTRY.values() if m.models_judges)
    )
