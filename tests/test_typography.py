"""A figure and its unit stay on one line: French typography puts a no-break space before
"%", and a table cell or a PDF column cut "82,2" from its "%" on the next line (the
surveys' results, the register's figures, the committee's space, the survey report)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "engagements"


def test_no_template_writes_a_breakable_space_before_a_percent_sign():
    found = []
    for path in sorted(ROOT.rglob("*.html")) + sorted(ROOT.rglob("*.txt")):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            # A value printed by the template, then a plain space, then "%": the value's
            # own "%" (not a tag's "{% … %}").
            if re.search(r"\}\} %(?!\})", line):
                found.append(f"{path.relative_to(ROOT)}:{number}")
    assert found == []
