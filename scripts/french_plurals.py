"""Write the French catalogues that give French its plural rule (0 and 1 singular).

French is the source language, so its strings need no translation; but Django counts a
string that no catalogue holds the English way ("0 réponses"). Each app's French catalogue
copies the plural entries of its English one, with `plural=(n > 1)`. Run after
`makemessages`: `.venv/bin/python scripts/french_plurals.py` (needs msgfmt).
"""

import pathlib
import subprocess

import polib

root = pathlib.Path("engagements")
for en in sorted(root.glob("**/locale/en/LC_MESSAGES/django.po")):
    src = polib.pofile(str(en))
    plurals = [e for e in src if e.msgid_plural and not e.obsolete]
    if not plurals:
        continue
    fr = polib.POFile()
    fr.metadata = {
        "Project-Id-Version": "engagements",
        "Language": "fr",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": "nplurals=2; plural=(n > 1);",
    }
    fr.header = (
        "French is the source language: this catalogue only gives French its plural rule "
        "(0 and 1 take the singular), for the strings counted with ngettext."
    )
    for e in plurals:
        fr.append(
            polib.POEntry(
                msgid=e.msgid,
                msgid_plural=e.msgid_plural,
                msgctxt=e.msgctxt,
                msgstr_plural={0: e.msgid, 1: e.msgid_plural},
                occurrences=e.occurrences,
            )
        )
    out = en.parent.parent.parent / "fr" / "LC_MESSAGES" / "django.po"
    out.parent.mkdir(parents=True, exist_ok=True)
    fr.save(str(out))
    subprocess.run(["msgfmt", "-o", str(out.with_suffix(".mo")), str(out)], check=True)
    print(out, len(plurals))
