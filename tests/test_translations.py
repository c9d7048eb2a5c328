"""Public pages exist in English, and the public flows (booking, contact form, survey,
FAQ) in Arabic, Spanish, Portuguese and Ukrainian: every catalogue is complete, with the
right plural forms, and the committed .mo files (compiled without gettext on the machine)
match their .po sources; every string the flows' templates, forms, messages, mails and
SMS mark for translation is translated in each of the flows' languages."""

import gettext
import re
import subprocess
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils.translation.template import templatize

from tests.tooling import require_tool

ROOT = Path(__file__).resolve().parent.parent / "engagements"
FLOW_LANGUAGES = ["ar", "es", "pt", "uk"]
CATALOGUES = sorted(
    path
    for language in ["en", *FLOW_LANGUAGES]
    for path in ROOT.glob(f"**/locale/{language}/LC_MESSAGES/django.po")
)
FLOW_APPS = ["appointments", "correspondence", "surveys", "faq"]
# n → plural form index: Arabic has six forms, Ukrainian three.
PLURALS = {
    "ar": {0: 0, 1: 1, 2: 2, 3: 3, 10: 3, 11: 4, 99: 4, 100: 5, 102: 5, 103: 3, 111: 4},
    "uk": {1: 0, 21: 0, 2: 1, 4: 1, 22: 1, 5: 2, 11: 2, 12: 2, 14: 2, 25: 2},
    "es": {1: 0, 2: 2, 0: 2, 1000000: 1},
    "pt": {1: 0, 2: 1, 0: 1},
}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{[^}]*\}")


def test_there_is_a_catalogue_for_the_shell():
    assert ROOT / "locale/en/LC_MESSAGES/django.po" in CATALOGUES


def test_the_flow_languages_are_offered():
    assert [code for code, _ in settings.LANGUAGES] == ["fr", "en", *FLOW_LANGUAGES]
    assert settings.FLOW_LANGUAGES == FLOW_LANGUAGES
    names = dict(settings.LANGUAGES)
    assert names["ar"] == "العربية" and names["uk"] == "Українська"
    for language in FLOW_LANGUAGES:
        for app in ["", *FLOW_APPS]:
            assert (ROOT / app / f"locale/{language}/LC_MESSAGES/django.po").exists(), (
                app,
                language,
            )


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_catalogue_is_complete_and_compiled(po_path):
    po = polib.pofile(str(po_path))
    assert not po.untranslated_entries(), [e.msgid for e in po.untranslated_entries()][:10]
    assert not po.fuzzy_entries(), [e.msgid for e in po.fuzzy_entries()][:10]
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"compile {po_path}"
    with mo_path.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [
        e.msgid
        for e in po.translated_entries()
        if not e.msgid_plural and compiled.gettext(e.msgid) != e.msgstr
    ]
    assert not stale, f"{mo_path} is out of date for: {stale[:10]}"
    language = po_path.parent.parent.name
    if language not in PLURALS:
        return
    nplurals = int(re.search(r"nplurals=(\d+)", po.metadata["Plural-Forms"]).group(1))
    assert nplurals == len(set(PLURALS[language].values())), po.metadata["Plural-Forms"]
    assert {n: compiled.plural(n) for n in PLURALS[language]} == PLURALS[language]
    for entry in po:
        wanted = set(PLACEHOLDER.findall(entry.msgid + entry.msgid_plural))
        if entry.msgid_plural:
            assert len(entry.msgstr_plural) == nplurals, entry.msgid
            assert all(entry.msgstr_plural.values()), entry.msgid
            for form in entry.msgstr_plural.values():
                # A form may leave the number out ("نجمتان": two stars), never add one.
                assert set(PLACEHOLDER.findall(form)) <= wanted, (entry.msgid, form)
            assert compiled.ngettext(entry.msgid, entry.msgid_plural, 1) in (
                entry.msgstr_plural.values()
            )
        else:
            assert set(PLACEHOLDER.findall(entry.msgstr)) == wanted, (entry.msgid, entry.msgstr)


def _flow_sources():
    """Files of the public flows that mark strings for translation (no agents' page)."""
    for app in FLOW_APPS:
        for path in sorted((ROOT / app).rglob("*")):
            rel = "/" + path.relative_to(ROOT / app).as_posix()
            if "/agents/" in rel or "agents" in path.stem or "/migrations/" in rel:
                continue
            if path.name in ("todos.py", "quarantine.py"):  # the agents' home and screens
                continue
            if path.suffix == ".py" or (path.suffix in (".html", ".txt") and "/templates/" in rel):
                yield path
    yield from [ROOT / "templates/base.html", *sorted((ROOT / "templates/components").glob("*"))]
    yield from [ROOT / f"templates/{code}.html" for code in (403, 404, 500)]
    yield from [ROOT / "antibot.py", ROOT / "forms.py"]


def _flow_msgids(tmp_path) -> dict[str, str]:
    xgettext = require_tool("xgettext", "gettext")
    keywords = ["gettext_lazy", "ngettext_lazy:1,2", "gettext", "ngettext:1,2", "_"]
    keywords += ["pgettext:1c,2", "pgettext_lazy:1c,2", "gettext_noop"]
    found: dict[str, str] = {}
    for path in _flow_sources():
        target = path
        if path.suffix != ".py":
            target = tmp_path / f"{path.name}.py"
            target.write_text(templatize(path.read_text(encoding="utf-8")), encoding="utf-8")
        output = subprocess.run(
            [xgettext, "--language=Python", "--from-code=UTF-8", "-o", "-", str(target)]
            + [f"--keyword={k}" for k in keywords],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for entry in polib.pofile(output) if output else []:
            found.setdefault(entry.msgid, str(path.relative_to(ROOT)))
    return found


@pytest.fixture(scope="module")
def flow_msgids(tmp_path_factory):
    return _flow_msgids(tmp_path_factory.mktemp("templatized"))


@pytest.mark.parametrize("language", FLOW_LANGUAGES)
def test_every_string_of_the_flows_is_translated(language, flow_msgids):
    assert len(flow_msgids) > 300  # the flows' templates, forms, messages, mails, SMS
    translated = {}
    for path in ROOT.glob(f"**/locale/{language}/LC_MESSAGES/django.po"):
        for entry in polib.pofile(str(path)).translated_entries():
            if "fuzzy" not in entry.flags:
                translated[entry.msgid] = entry
    missing = sorted(
        f"{where}: {msgid}" for msgid, where in flow_msgids.items() if msgid not in translated
    )
    assert not missing, "\n".join(missing[:30])
