"""The words the catalogue uses for the ranking's explanations, in both languages: one word for
a lenient judge, and none of the statistics jargon a committee member or an OPD cannot read
(bootstrap, resamples, P(top N), "statistical tie", correlation)."""

from pathlib import Path

from babel.messages.pofile import read_po

PO = Path(__file__).resolve().parents[3] / "competition/translations/id/LC_MESSAGES/messages.po"
JARGON = (
    "bootstrap",
    "resampl",
    "p(top",
    "statistical tie",
    "sampel ulang",
    "seri secara statistik",
    "correlation",  # the judges' agreement is said in words (from -1 to 1, in step or not)
    "korelasi",
)


def _text(value) -> str:
    """A message's id or string as one text (a plural message has several)."""
    return " ".join(value) if isinstance(value, (tuple, list)) else (value or "")


def _messages():
    with PO.open("rb") as f:
        return [(_text(m.id), _text(m.string)) for m in read_po(f, locale="id") if m.id]


def test_no_statistics_jargon_in_either_language():
    found = [
        (msgid, word)
        for msgid, msgstr in _messages()
        for word in JARGON
        if word in msgid.lower() or word in msgstr.lower()
    ]
    assert found == []


def test_a_lenient_judge_is_longgar_never_murah():
    """ "Murah" means cheap; the pages call a lenient judge "longgar", as the methods do."""
    murah = [msgid for msgid, msgstr in _messages() if "murah" in msgstr.lower()]
    assert murah == []
    lenient = [msgstr for msgid, msgstr in _messages() if "(lenient)" in msgid]
    assert lenient and all("(longgar)" in s for s in lenient)
