"""The scope audit: every agent URL (walked from the URL patterns, with the sample records of
`tests/<app>/agent_urls.py`) opened by every role, checked for what the role must not get.

- read-only roles (auditor, committee member) are refused every write: a POST answers 403,
  404 or 405 and changes no row;
- an agent or a site manager opening a record of another site gets 404 (the record is not
  his), never the record;
- a link shown to a role on a page it may open does not answer 403 or 404 when followed.

A new agent view without its check fails here (tests/organisation/test_cross_prefecture.py
already fails if the view has no sample case).
"""

import re
import subprocess
from html import unescape

import pytest
from django.db import connection
from django.urls import resolve, reverse

from tests.organisation.test_cross_prefecture import _collect_cases, _is_record_key
from tests.tooling import pdf_text, read_to_end, require_postgres

# Walks of every agent page per role (10 to 40 s each): permissions, not the database's
# dialect, so the PostgreSQL pass runs them and the SQLite pass skips them.
pytestmark = pytest.mark.slow

# Capabilities that write: a read-only role is refused these views outright (403).
WRITING = {"work", "manage", "import"}

# Views of a reading capability that take a POST and check the write themselves, and how.
# A new one fails the audit until it is reviewed and listed here.
INLINE_CHECKED = {
    "appointments:agents-slot": "moving the slot needs `work` (message, nothing moved)",
    "quality:agents-assessments": "creating needs `manage` (message)",
    "quality:agents-labels": "adding needs `manage`",
    "quality:agents-trainings": "adding needs `manage`",
    "quality:agents-service-scopes": "changing needs `manage`",
    "indicators:agents-manual": "adding needs `manage` (403)",
    # the committee members' own contributions (the CLU comments and suggests)
    "correspondence:agents-version-observe": "committee members comment on templates",
    "committee:members-suggest": "committee members make suggestions",
    "committee:members-observe": "committee members comment on the decisions record",
}
# What the committee members write (their role's purpose); the auditor is refused these.
COMMITTEE_WRITES = {
    "correspondence:agents-version-observe",
    "committee:members-suggest",
    "committee:members-observe",
}

# Records of another site that an agent or a site manager may still open, and why.
OPEN_ACROSS_SITES = {
    "appointments:agents-book": "the desk books any procedure of the prefecture for a person",
    "correspondence:agents-template": "answer templates belong to the prefecture",
    "correspondence:agents-topic-toggle": "topics of the register belong to the prefecture",
    "faq:agents-sheet": "procedure sheets are read by every agent (editing is the service's)",
    "faq:agents-sheet-edit": "sends a non-editor back to the sheet with a message",
    "faq:agents-sheet-review": "sends a non-editor back to the sheet with a message",
    "surveys:agents-check-perform": "a mystery check is done by the assigned prefecture's agents",
}

# Pages that show every site of the prefecture to any of its agents, and why.
WHOLE_PREFECTURE_PAGES = {
    "appointments:agents-book-start": "the desk books any procedure of the prefecture",
    "faq:agents-sheets": "procedure sheets are read by every agent",
    "organisation:agents-settings": "the organisation (sites, services, hours) is no record",
    "organisation:agents-history": "the changes to that organisation",
    "surveys:agents-checks-todo": "mystery checks are done across sites and prefectures",
}

# Links that answer 404 with the sample records (see test_every_role_every_page).
SAMPLE_404 = {
    "correspondence:agents-attachment",
    "correspondence:agents-quarantine-raw",
    "appointments:agents-certificate",
}


def _view(name: str):
    from django.urls import get_resolver

    *namespaces, bare = name.split(":")
    resolver = get_resolver()
    for namespace in namespaces:
        resolver = resolver.namespace_dict[namespace][1]
    for pattern in resolver.url_patterns:
        if getattr(pattern, "name", None) == bare:
            return pattern.callback
    raise LookupError(name)


def _handles_post(view) -> bool:
    import inspect

    while hasattr(view, "__wrapped__"):
        view = view.__wrapped__
    return "POST" in inspect.getsource(view)


def _written_rows() -> dict[str, tuple[int, int, int]]:
    """Rows inserted, updated and deleted so far in this transaction, per table (PostgreSQL's
    pg_stat_xact_user_tables), sessions left out (a request may save the session)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_xact_user_tables"
            " WHERE relname NOT IN ('django_session', 'engagements_cache')"
        )
        return {name: tuple(counts) for name, *counts in cursor.fetchall()}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["auditor", "committee_member"])
def test_read_only_roles_are_refused_every_write(request, role, prefecture, site, service):
    require_postgres()
    cases = _collect_cases(prefecture, site, service)
    client = _client_for(request, role)
    client.get(reverse("organisation:agents-prefecture", args=[prefecture.slug]))
    failures = []
    for name, kwargs in sorted(cases.items()):
        view = _view(name)
        capability = view.agent_capability
        if capability not in WRITING and _handles_post(view) and name not in INLINE_CHECKED:
            failures.append(f"{name}: a {capability} view taking POST, not reviewed")
        url = reverse(name, kwargs={"prefecture": prefecture.slug, **kwargs})
        before = _written_rows()
        response = client.post(url, {"confirm": "1"})
        read_to_end(response)
        written = {
            table: counts
            for table, counts in _written_rows().items()
            if counts != before.get(table, (0, 0, 0))
        }
        refused = response.status_code in {403, 404, 405}
        must_refuse = capability in WRITING or (
            name in COMMITTEE_WRITES and role != "committee_member"
        )
        if (must_refuse and not refused) or written:
            failures.append(f"POST {url}: {response.status_code}, wrote {sorted(written)}")
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["agent", "site_manager"])
def test_records_of_another_site_are_not_found(
    request, role, prefecture, site, service, other_site, other_service
):
    """The sample records are made in `other_site`: the agent of `service` and the site
    manager of `site` get 404 for each (405 for a GET refused before any lookup)."""
    cases = _collect_cases(prefecture, other_site, other_service)
    client = _client_for(request, role)
    failures = []
    for name, kwargs in sorted(cases.items()):
        if name in OPEN_ACROSS_SITES or not any(_is_record_key(key) for key in kwargs):
            continue
        url = reverse(name, kwargs={"prefecture": prefecture.slug, **kwargs})
        for method, allowed in (("get", {403, 404, 405}), ("post", {403, 404})):
            response = getattr(client, method)(url)
            read_to_end(response)
            if response.status_code not in allowed:
                failures.append(f"{role} {method.upper()} {url}: {response.status_code}")
    assert not failures, "\n".join(failures)


HREF = re.compile(r'href="(/agents/[^"#?]*)(?:\?[^"#]*)?"')


def _client_for(request, role: str):
    from django.test import Client

    client = Client()
    client.force_login(request.getfixturevalue(role))
    return client


def _html_pages(client, prefecture, site, service):
    """(address, HTML) of the agents' home and of every sample page that answers the
    client with a page."""
    cases = _collect_cases(prefecture, site, service)
    pages = [reverse("organisation:agents-prefecture", args=[prefecture.slug])]
    pages += [
        reverse(name, kwargs={"prefecture": prefecture.slug, **kwargs})
        for name, kwargs in sorted(cases.items())
    ]
    for page in pages:
        response = client.get(page)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            read_to_end(response)
            continue
        yield page, response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role", ["site_manager", "agent", "committee_member", "auditor", "quality_lead"]
)
def test_links_shown_to_a_role_lead_somewhere(request, role, prefecture, site, service):
    """Every agents' link on the pages a role opens answers (no 403, no 404)."""
    client = _client_for(request, role)
    links: dict[str, str] = {}
    for page, html in _html_pages(client, prefecture, site, service):
        for link in HREF.findall(unescape(html)):
            links.setdefault(link, page)
    failures = []
    for link, page in sorted(links.items()):
        name = resolve(link).view_name
        if name in SAMPLE_404 or "logout" in name:
            continue
        response = client.get(link)
        read_to_end(response)
        if response.status_code in {403, 404}:
            failures.append(f"{role}: {link} (shown on {page}) answers {response.status_code}")
    assert len(links) > 5
    assert not failures, "\n".join(failures)


def _text_of(response) -> str:
    """What a user reads in a page, a CSV export or a PDF ("" for anything else)."""
    kind = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if response.status_code != 200:
        return ""
    if "text/html" in kind:
        return unescape(body.decode())
    if "text/csv" in kind:
        return body.decode("utf-8-sig")
    if "application/pdf" in kind:
        return " ".join(pdf_text(body).split())
    return ""


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["agent", "site_manager"])
def test_other_sites_are_not_named_on_scoped_pages(
    request, role, prefecture, site, service, other_site, other_service, agent_other_site
):
    """With the sample records made in `other_site`, the pages of a scoped user (lists,
    counts, filters, select options, "assign to" lists, CSV exports, PDFs) do not name that
    site, its service or its agent."""
    cases = _collect_cases(prefecture, other_site, other_service)
    client = _client_for(request, role)
    failures = []
    for name, kwargs in sorted(cases.items()):
        if name in WHOLE_PREFECTURE_PAGES or any(_is_record_key(key) for key in kwargs):
            continue  # another site's record: 404 (test_records_of_another_site_are_not_found)
        url = reverse(name, kwargs={"prefecture": prefecture.slug, **kwargs})
        page = _text_of(client.get(url))
        for word in (other_service.name, other_site.name, agent_other_site.get_full_name()):
            if word in page:
                failures.append(f"{role} {url}: names « {word} »")
    assert not failures, "\n".join(failures)


FORM = re.compile(r"(<form\b[^>]*>)(.*?)</form>", re.I | re.S)
ACTION = re.compile(r'action="([^"]*)"')


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["auditor", "committee_member"])
def test_read_only_roles_are_offered_no_write_button(request, role, prefecture, site, service):
    """No form on a read-only role's pages posts to a view that would refuse him."""
    client = _client_for(request, role)
    failures = []
    for page, html in _html_pages(client, prefecture, site, service):
        for form, inside in FORM.findall(html):
            if 'method="post"' not in form.lower() or "<button" not in inside:
                continue  # a reading form, or one without a button for this role
            found = ACTION.search(form)
            target = unescape(found.group(1)) if found and found.group(1) else page
            match = resolve(target.split("?")[0])
            if "logout" in match.view_name or "language" in match.view_name:
                continue
            capability = getattr(match.func, "agent_capability", None)
            if capability in WRITING or (
                match.view_name in COMMITTEE_WRITES and role != "committee_member"
            ):
                failures.append(f"{role}: {page} offers a form to {target} ({capability})")
    assert not failures, "\n".join(sorted(set(failures)))


@pytest.mark.django_db
def test_an_anonymous_visitor_is_sent_to_the_login_everywhere(client, prefecture, site, service):
    cases = _collect_cases(prefecture, site, service)
    login = reverse("organisation:agents-login")
    failures = []
    for name, kwargs in sorted(cases.items()):
        url = reverse(name, kwargs={"prefecture": prefecture.slug, **kwargs})
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            read_to_end(response)
            sent = response.status_code == 302 and login in response["Location"]
            if not (sent or response.status_code in {403, 405}):
                failures.append(f"anonymous {method.upper()} {url}: {response.status_code}")
    assert not failures, "\n".join(failures)


def _people_in_sample_records(prefecture) -> set[str]:
    """Names, e-mail addresses and phones of the people in the sample records (bookings,
    the waiting list, the register's senders), as the pages would print them."""
    from engagements.appointments.models import Booking, WaitlistEntry
    from engagements.correspondence.models import Message

    people: set[str] = set()
    for row in Booking.objects.filter(procedure__prefecture=prefecture):
        people |= {row.last_name, row.last_name.upper(), row.email, row.phone}
    for row in WaitlistEntry.objects.filter(procedure__prefecture=prefecture):
        people |= {row.last_name, row.last_name.upper(), row.email}
    for row in Message.objects.filter(prefecture=prefecture):
        people |= {row.sender_name, row.sender_email, row.sender_phone}
    return {value for value in people if value and len(value) > 3}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["auditor", "committee_member"])
def test_read_only_roles_read_no_person_s_name_or_contact(request, role, prefecture, site, service):
    """The auditor checks the approach on the records' facts, the committee member reads
    the committee's documents: no page, CSV export or PDF either opens names a person of
    the records or gives his e-mail address or phone."""
    cases = _collect_cases(prefecture, site, service)
    people = _people_in_sample_records(prefecture)
    assert len(people) > 3
    client = _client_for(request, role)
    failures = []
    for name, kwargs in sorted(cases.items()):
        url = reverse(name, kwargs={"prefecture": prefecture.slug, **kwargs})
        try:
            page = _text_of(client.get(url))
        except subprocess.CalledProcessError:
            continue  # a sample file served as it was uploaded (not a real PDF)
        failures += [f"{role} {url}: « {word} »" for word in sorted(people) if word in page]
    assert not failures, "\n".join(failures)
