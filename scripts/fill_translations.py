"""Fill a .po file from a Python dict {msgid: msgstr} and compile it (no gettext needed).

Usage: python scripts/fill_translations.py PO_FILE TABLE.py
Entries already translated are kept; fuzzy flags are dropped for the entries filled.
"""

import runpy
import sys

import polib


def main(po_path: str, table_path: str) -> int:
    table = runpy.run_path(table_path)["T"]
    po = polib.pofile(po_path)
    missing = []
    for entry in po:
        if entry.msgid in table:
            entry.msgstr = table[entry.msgid]
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        elif not entry.msgstr:
            missing.append(entry.msgid)
    po.save(po_path)
    po.save_as_mofile(po_path[:-3] + ".mo")
    for msgid in missing:
        print(f"untranslated: {msgid!r}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
