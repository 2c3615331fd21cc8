"""The one registry of normalization methods: every method of ``judging.normalize`` is
described (label and help, translated into Indonesian) and offered on every page and form."""

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale
from markupsafe import escape

from judging import normalize
from judging.analysis import methods
from judging.analysis.forms import MethodForm, StageMethodForm
from tests.judging.analysis.test_analysis_views import scored_stage  # noqa: F401 - fixture

CATALOG = Path(__file__).resolve().parents[3] / "competition/translations/id/LC_MESSAGES"


def _undescribed() -> list[str]:
    return [
        m.name
        for m in methods.all_methods()
        if not (m.is_described and str(m.label).strip() and str(m.help).strip())
    ]


@pytest.fixture
def without_a_label(monkeypatch):
    """Pretend the registry lost the texts of one method (a method added to
    ``judging.normalize`` and not described yet)."""
    texts = {k: v for k, v in methods._TEXTS.items() if k != "median"}
    monkeypatch.setattr(methods, "_TEXTS", texts)
    monkeypatch.setitem(methods.REGISTRY, "median", methods._method("median"))


def test_every_normalize_method_is_registered_and_described():
    assert methods.names() == list(normalize.METHODS)
    assert methods.DEFAULT in methods.REGISTRY
    assert _undescribed() == []
    assert {m.name for m in methods.all_methods() if m.models_judges} == {"bias", "bias_scale"}
    for m in methods.all_methods():
        assert callable(m.function)


def test_every_label_and_help_is_translated_into_indonesian():
    with open(CATALOG / "messages.po", "rb") as f:
        catalog = read_po(f, locale="id")
    for m in methods.all_methods():
        for text in (m.label, m.help):
            message = catalog.get(text._args[0])
            assert message is not None, f"{m.name}: {text._args[0]!r} not in messages.po"
            assert message.string and not message.fuzzy, f"{m.name}: {text._args[0]!r}"


def test_method_without_a_label_fails_the_description_check(without_a_label):
    assert _undescribed() == ["median"]
    assert methods.label("median") == "median"  # shown under its name meanwhile


def test_unknown_method_name_never_raises():
    assert methods.get("tidak-ada").label == "tidak-ada"
    assert methods.get(None).help == ""
    assert methods.judge_model("raw").models_judges


def _labels_in_id(app) -> dict[str, str]:
    with app.test_request_context(), force_locale("id"):
        return {m.name: str(escape(str(m.label))) for m in methods.all_methods()}


def test_forms_offer_every_method(app):
    with app.test_request_context():
        for form in (MethodForm(), StageMethodForm()):
            assert [c.value for c in form.method.choices] == methods.names()


def test_ranking_and_compare_pages_show_every_method(app, login, committee, scored_stage):  # noqa: F811
    client = login(committee)
    labels = _labels_in_id(app)
    ranking = client.get(f"/committee/stages/{scored_stage.id}/ranking").text
    compare = client.get(f"/committee/stages/{scored_stage.id}/compare").text
    for name, label in labels.items():
        assert f'value="{name}"' in ranking, name  # the method form
        assert label in ranking and label in compare, name
    for m in methods.all_methods():
        with app.test_request_context(), force_locale("id"):
            assert str(escape(str(m.help))) in compare, m.name


def test_pages_show_a_method_without_a_label_by_its_name(
    app,
    login,
    committee,
    scored_stage,  # noqa: F811
    without_a_label,
):
    client = login(committee)
    for page in ("ranking", "compare", "judges"):
        response = client.get(f"/committee/stages/{scored_stage.id}/{page}")
        assert response.status_code == 200, page
    compare = client.get(f"/committee/stages/{scored_stage.id}/compare").text
    assert ">median<" in compare
