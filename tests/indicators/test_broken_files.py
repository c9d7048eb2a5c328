"""Every CSV import of the indicators app passes the table of broken files (issue 9), and
each command refuses a broken file with a non-zero exit and the line errors on stderr."""

import pytest

from engagements.indicators.imports import (
    import_footfall,
    import_telephony,
    import_website_updates,
)
from engagements.indicators.models import CallHour, FootfallCount, Indicator, Value, WebsiteUpdate
from engagements.indicators.services import import_manual_values
from tests.command_refusal import run_refused_command
from tests.csv_cases import assert_refuses_broken_files, assert_refuses_broken_raw_files

pytestmark = pytest.mark.django_db


def test_hourly_telephony_passes_the_table_of_broken_files(prefecture, site):
    # No text column in this file: the date cell stands for it (250 characters are no date).
    assert_refuses_broken_files(
        lambda data: import_telephony(prefecture, site, data, fmt="hourly"),
        header="date,hour,offered,answered,answered_within_5_rings",
        good_line="2025-11-03,9,10,9,8",
        text_column="date",
        digit_column="offered",
        written=lambda: CallHour.objects.count(),
    )


def test_footfall_passes_the_table_of_broken_files(prefecture, site, service):
    assert_refuses_broken_files(
        lambda data: import_footfall(prefecture, site, data),
        header="date,hour,service,visitors",
        good_line="2025-11-03,9,sejour,12",
        text_column="service",
        digit_column="visitors",
        written=lambda: FootfallCount.objects.count(),
    )


def test_website_updates_pass_the_table_of_broken_files(prefecture, site):
    assert_refuses_broken_files(
        lambda data: import_website_updates(prefecture, data),
        header="reference,site,page,requested_on,published_on",
        good_line="W1,chef-lieu,/demarches/titres,2025-11-07,2025-11-13",
        text_column="reference",
        digit_column="requested_on",
        written=lambda: WebsiteUpdate.objects.count(),
    )


def _own_indicator(prefecture):
    return Indicator.objects.create(
        prefecture=prefecture, code="delai-cni", name_fr="Délai CNI", family="performance",
        unit="days", is_manual=True,
    )  # fmt: skip


def test_manual_values_pass_the_table_of_broken_files(prefecture, site):
    _own_indicator(prefecture)
    assert_refuses_broken_files(
        lambda data: import_manual_values(prefecture, data),
        header="code,period,site,value,numerator,denominator,source",
        good_line="delai-cni,2025-11,chef-lieu,12.5,,,ANTS",
        text_column="source",
        digit_column="value",
        written=lambda: Value.objects.count(),
        date_columns=("period",),
    )


QUEUE_LOG = (
    "1762156800|c1|accueil|NONE|ENTERQUEUE||0601020304|1\n"  # 2025-11-03 08:00 UTC
    "1762156810|c1|accueil|SIP/201|CONNECT|10|c1.1|3\n"
)


def test_queue_log_passes_the_table_of_broken_files(prefecture, site):
    """Issue 20, rows 6 and 7: a NUL byte, an epoch in year 0001 or 5138, an empty file and
    UTF-16 are line errors of the shared reader, not a traceback or calls in year 5138."""
    from engagements.indicators.models import Call

    enter = "1762156800|c2|accueil|NONE|ENTERQUEUE||0601020305|1\n"
    assert_refuses_broken_raw_files(
        lambda data: import_telephony(prefecture, site, data, fmt="queue_log"),
        good=QUEUE_LOG,
        broken={
            "NUL byte": ((QUEUE_LOG + enter.replace("c2", "c\x002")).encode(), 3),
            "year 0001": ((QUEUE_LOG + enter.replace("1762156800", "-62135596800")).encode(), 3),
            "year 5138": ((QUEUE_LOG + enter.replace("1762156800", "99999999999")).encode(), 3),
            "year 1970": ((QUEUE_LOG + enter.replace("1762156800", "0")).encode(), 3),
        },
        written=lambda: CallHour.objects.count() + Call.objects.count(),
    )
    import_telephony(prefecture, site, QUEUE_LOG.encode(), fmt="queue_log")
    assert CallHour.objects.get().answered == 1


@pytest.mark.parametrize(
    ("period", "value"),
    [("202٤", "10"), ("2025-1٤", "10"), ("2025-11", "123456789012345"), ("2025-11", "-1e3")],
    ids=["arabic-year", "arabic-month", "value-too-large", "exponent"],
)
def test_manual_values_refuse_non_ascii_periods_and_values_too_large(
    prefecture, site, period, value
):
    from engagements.csvio import CsvImportError

    _own_indicator(prefecture)
    data = f"code,period,value,source\ndelai-cni,{period},{value},ANTS\n".encode()
    with pytest.raises(CsvImportError) as error:
        import_manual_values(prefecture, data)
    assert "ligne 2" in str(error.value)
    assert not Value.objects.exists()


BROKEN = "ligne 3"


@pytest.mark.parametrize(
    ("command", "extra", "body"),
    [
        (
            "import_telephony",
            ["--site", "chef-lieu", "--format", "hourly"],
            "date,hour,offered,answered\n2025-11-03,9,10,9\n2025-11-03,10,1²,1\n",
        ),
        (
            "import_footfall",
            ["--site", "chef-lieu"],
            "date,hour,service,visitors\n2025-11-03,9,,12\n2025-11-03,10,,5,en trop\n",
        ),
        (
            "import_website_updates",
            [],
            "reference,site,page,requested_on,published_on\n"
            "W1,chef-lieu,/a,2025-11-07,\nW2,chef-lieu,/b,2025-11-0٤,\n",
        ),
        (
            "import_indicator_values",
            [],
            "code,period,value,source\ndelai-cni,2025-11,10,ANTS\ndelai-cni,2025-10,10,"
            + "t" * 250
            + "\n",
        ),
    ],
)
def test_commands_exit_non_zero_with_the_line_errors_on_stderr(
    tmp_path, monkeypatch, capsys, prefecture, site, command, extra, body
):
    _own_indicator(prefecture)
    path = tmp_path / "broken.csv"
    path.write_bytes(body.encode())
    before = (CallHour, FootfallCount, WebsiteUpdate, Value)
    counts = [model.objects.count() for model in before]
    err = run_refused_command(
        monkeypatch, capsys, "engagements.indicators", command,
        "--prefecture", "alpha", *extra, str(path),
    )  # fmt: skip
    assert BROKEN in err
    assert [model.objects.count() for model in before] == counts


@pytest.mark.parametrize(
    ("importer", "body"),
    [
        ("hourly", "date,hour,offered,answered\n2025-11-03,9,99999999999,1\n"),
        ("footfall", "date,hour,service,visitors\n2025-11-03,9,,99999999999\n"),
    ],
)
def test_counts_beyond_the_columns_are_line_errors(prefecture, site, importer, body):
    from engagements.csvio import CsvImportError

    with pytest.raises(CsvImportError) as error:
        if importer == "hourly":
            import_telephony(prefecture, site, body.encode(), fmt="hourly")
        else:
            import_footfall(prefecture, site, body.encode())
    assert "ligne 2" in str(error.value)
    assert not CallHour.objects.exists() and not FootfallCount.objects.exists()
