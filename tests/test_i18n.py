"""The Indonesian catalogue is complete and in step with the source."""

import ast
import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "competition/translations/id/LC_MESSAGES/messages.po"


def _catalog():
    with PO.open("rb") as f:
        return read_po(f)


def test_every_indonesian_message_is_translated_and_not_fuzzy():
    catalog = _catalog()
    untranslated = [m.id for m in catalog if m.id and not m.string]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert untranslated == [] and fuzzy == []


def test_every_message_in_the_source_is_in_the_catalogue():
    """Fails when a new user-visible string was added without `make extract` + translation."""
    method_map = [("**.html", "jinja2"), ("**.py", "python")]
    keywords = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None}
    ids = set()
    for sub in ("app.py", "competition", "judging", "templates"):
        path = ROOT / sub
        if path.is_file():
            continue
        for _, _, message, _, _ in extract_from_dir(str(path), method_map, keywords=keywords):
            ids.add(message if isinstance(message, str) else message[0])
    catalog = _catalog()
    missing = sorted(i for i in ids if catalog.get(i) is None)
    assert missing == []


GETTEXT_CALLS = {"_", "_l", "gettext", "lazy_gettext", "ngettext", "lazy_ngettext"}


def _gettext_calls_in_fstrings(source: str) -> list[int]:
    """Line numbers of gettext calls written inside an f-string's braces."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FormattedValue):
            for inner in ast.walk(node.value):
                if (
                    isinstance(inner, ast.Call)
                    and isinstance(inner.func, ast.Name)
                    and inner.func.id in GETTEXT_CALLS
                ):
                    lines.append(inner.lineno)
    return lines


def test_the_fstring_check_sees_a_nested_call():
    assert _gettext_calls_in_fstrings("x = f\"{_l('A %(n)d', n=1)}.pdf\"\n") == [1]
    assert _gettext_calls_in_fstrings("s = _l('A')\nx = f'{s}.pdf'\n") == []


def test_no_gettext_call_inside_an_fstring():
    """pybabel's extractor does not look inside f-strings, so `make extract` would drop such a
    message from the catalogue (and its translation with it): take the call out first."""
    found = [
        f"{path.relative_to(ROOT)}:{line}"
        for sub in ("competition", "judging")
        for path in sorted((ROOT / sub).rglob("*.py"))
        for line in _gettext_calls_in_fstrings(path.read_text(encoding="utf-8"))
    ]
    found += [
        f"app.py:{line}" for line in _gettext_calls_in_fstrings((ROOT / "app.py").read_text())
    ]
    assert found == []


# Words the Indonesian catalogue no longer uses, each with the one it says instead (README,
# "Words of the interface"): a translator's new message using one reads wrong beside the others.
RETIRED_WORDS = {
    r"\bentri": "inovasi",
    r"\blembar nilai\b": "lembar penilaian",
    r"\bputaran\b": "babak",
    r"\bsertifikat\b": "piagam",
    r"\bpublikasi\b": "pengumuman",
    r"\bkiriman\b": "proposal",
}


def _retired_words_in(text: str) -> list[str]:
    text = re.sub(r"%\(\w+\)[sd]", "", text)  # placeholders such as %(entries)d
    return [w for w in RETIRED_WORDS if re.search(w, text, re.IGNORECASE)]


def test_the_retired_words_are_found_but_not_in_placeholders():
    assert _retired_words_in("Tidak ada entri yang cocok.") == [r"\bentri"]
    assert _retired_words_in("%(entries)d inovasi, Lembar nilai") == [r"\blembar nilai\b"]
    assert _retired_words_in("%(entries)d inovasi; lembar penilaian") == []


def test_the_indonesian_catalogue_keeps_to_the_words_of_the_interface():
    found = []
    for m in _catalog():
        if not m.id:
            continue
        for text in m.string if isinstance(m.string, tuple) else (m.string,):
            found += [(m.id, RETIRED_WORDS[w]) for w in _retired_words_in(text)]
    assert found == []


def _says_round(text: str) -> bool:
    return re.search(r"\brounds?\b", text, re.IGNORECASE) is not None


def test_babak_translates_round_and_nothing_else():
    """*babak* is the round (KOINYANLIK 2026), *tahap* one of its stages (README, "Words of
    the interface"): an entry's badge for a stage it never reached read "tidak sampai ke babak
    ini" beside the stage's name."""
    assert _says_round("Copy the round") and _says_round("No rounds yet.")
    assert not _says_round("not reached") and not _says_round("surrounding")
    found = [
        m.id
        for m in _catalog()
        if m.id
        and not any(_says_round(i) for i in (m.id if isinstance(m.id, tuple) else (m.id,)))
        and any(
            "babak" in s.lower() for s in (m.string if isinstance(m.string, tuple) else (m.string,))
        )
    ]
    assert found == []


MENU = [
    "Rounds",
    "Audit trail",
    "Import accounts",
    "Outbox",
    "Accounts",
    "Organisations",
    "My assignments",
    "My certificates",
    "My entries",
    "Our units",
]


def test_the_menu_items_are_in_sentence_case():
    """The committee's menu read "Babak Kompetisi · Jejak audit · Impor akun": one item in
    title case among the others (an abbreviation such as OPD keeps its capitals)."""
    catalog = _catalog()
    title_case = [
        (m, catalog.get(m).string)
        for m in MENU
        if any(w[0].isupper() for w in catalog.get(m).string.split()[1:] if w not in ("OPD",))
    ]
    assert title_case == []
