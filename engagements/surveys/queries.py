"""Read-side aggregates of surveys and mystery checks (docs/indicators.md "Surveys").

The future indicators app reads these: `campaign_report`, `figures_by`, `satisfaction`.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet

from .enums import SCALE_POINTS, CheckStatus, Criterion
from .models import Answer, Campaign, CheckResult, MysteryCheck, Question, Response

# No figure is published for a group with fewer answers than this.
MIN_ANSWERS = 5


def _one_decimal(numerator: int, denominator: int) -> float:
    value = Decimal(numerator * 100) / Decimal(denominator)
    return float(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def classify(value: int, scale: int) -> int:
    """+1 satisfied (top k points), -1 dissatisfied (bottom k), 0 neutral; k = n // 2."""
    k = scale // 2
    if value > scale - k:
        return 1
    if value <= k:
        return -1
    return 0


@dataclass
class Figure:
    answers: int = 0
    satisfied: int = 0
    dissatisfied: int = 0

    def add(self, value: int, scale: int, count: int = 1) -> None:
        self.answers += count
        side = classify(value, scale)
        if side > 0:
            self.satisfied += count
        elif side < 0:
            self.dissatisfied += count

    @property
    def published(self) -> bool:
        return self.answers >= MIN_ANSWERS

    @property
    def rate(self) -> float | None:
        return _one_decimal(self.satisfied, self.answers) if self.published else None

    @property
    def net(self) -> float | None:
        if not self.published:
            return None
        return _one_decimal(self.satisfied - self.dissatisfied, self.answers)

    def as_dict(self) -> dict:
        # Spelled out: dataclasses.asdict deep-copies field by field, and a results page
        # asks for about fifty of these.
        return {
            "answers": self.answers,
            "satisfied": self.satisfied,
            "dissatisfied": self.dissatisfied,
            "rate": self.rate,
            "net": self.net,
        }


def satisfaction(values: Iterable[int], scale: int) -> Figure:
    """The figure of a list of answers on an n-point scale (blank answers already left out)."""
    figure = Figure()
    for value in values:
        figure.add(value, scale)
    return figure


def scored_questions(campaign: Campaign) -> list[Question]:
    return [q for q in campaign.questionnaire.questions.all() if q.is_scored]


def figures_by(
    answers: QuerySet[Answer], group: str | None = None
) -> dict[object, dict[str, dict[str, Figure]]]:
    """{group value: {"questions": {code: Figure}, "criteria": {criterion: Figure}}}.

    `group` is an Answer lookup (e.g. "response__service_id", "response__channel"); one
    query whatever the number of groups.
    """
    fields = ["question__code", "question__kind", "question__criterion", "value"]
    if group:
        fields.insert(0, group)
    rows = (
        # "Not concerned" (0) is left out like a blank (docs/indicators.md "Surveys").
        answers.filter(question__kind__in=list(SCALE_POINTS), value__gte=1)
        .values(*fields)
        .annotate(n=Count("pk"))
        .order_by()
    )
    result: dict[object, dict[str, dict[str, Figure]]] = defaultdict(_empty_figures)
    for row in rows:
        _count(
            result[row[group] if group else None],
            row["question__code"],
            row["question__criterion"],
            row["value"],
            SCALE_POINTS[row["question__kind"]],
            row["n"],
        )
    return result


def campaign_answers(campaign: Campaign, **filters) -> QuerySet[Answer]:
    return Answer.objects.filter(response__campaign=campaign, **filters)


def campaign_report(campaign: Campaign) -> dict:
    """The `survey_report` JSON: per question and per criterion, rates null under 5."""
    figures = figures_by(campaign_answers(campaign)).get(None)
    questions = {}
    criteria = {}
    for question in scored_questions(campaign):
        figure = figures["questions"].get(question.code, Figure()) if figures else Figure()
        questions[question.code] = {
            "criterion": question.criterion,
            "answers": figure.answers,
            "satisfied": figure.satisfied,
            "rate": figure.rate,
            "net": figure.net,
        }
    for criterion in Criterion:
        if not any(q.criterion == criterion for q in scored_questions(campaign)):
            continue
        figure = figures["criteria"].get(criterion.value, Figure()) if figures else Figure()
        criteria[criterion.value] = {
            "criterion": criterion.value,
            "answers": figure.answers,
            "satisfied": figure.satisfied,
            "rate": figure.rate,
            "net": figure.net,
        }
    return {"questions": questions, "criteria": criteria}


def previous_campaign(campaign: Campaign) -> Campaign | None:
    """The same site's campaign of the same kind that ended before this one began."""
    return (
        Campaign.objects.filter(
            site=campaign.site, kind=campaign.kind, ends_on__lt=campaign.starts_on
        )
        .order_by("-ends_on")
        .first()
    )


def overall_figure(campaign: Campaign) -> Figure:
    """Overall satisfaction: its own question(s), never an average of the criteria."""
    figures = figures_by(campaign_answers(campaign)).get(None)
    if not figures:
        return Figure()
    return figures["criteria"].get(Criterion.OVERALL.value, Figure())


def response_counts(campaign: Campaign) -> dict[str, int]:
    counts = campaign.responses.aggregate(
        total=Count("pk"),
        **{f"channel_{c}": Count("pk", filter=Q(channel=c)) for c in _channels()},
    )
    return counts


def _channels() -> list[str]:
    from .enums import Channel

    return list(Channel.values)


# Mystery checks ------------------------------------------------------------------------


def check_score(check: MysteryCheck) -> Decimal | None:
    """Weighted share of the criteria met, over the criteria assessed (one decimal)."""
    total = met = 0
    for result in check.results.select_related("criterion"):
        if result.passed is None:
            continue
        total += result.criterion.weight
        met += result.criterion.weight if result.passed else 0
    if not total:
        return None
    return (Decimal(met * 100) / Decimal(total)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def mystery_results_by_service(checks: QuerySet[MysteryCheck]) -> list[dict]:
    """Per service: checks done, average score, criteria met / assessed."""
    done = checks.filter(status=CheckStatus.DONE)
    rows: dict[int, dict] = {}
    for check in done.select_related("service", "service__site"):
        row = rows.setdefault(
            check.service_id, {"service": check.service, "checks": 0, "scores": []}
        )
        row["checks"] += 1
        if check.score is not None:
            row["scores"].append(check.score)
    met = (
        CheckResult.objects.filter(check_run__in=done, passed__isnull=False)
        .values("check_run__service_id")
        .annotate(assessed=Count("pk"), met=Count("pk", filter=Q(passed=True)))
        .order_by()
    )
    for item in met:
        row = rows.get(item["check_run__service_id"])
        if row:
            row["assessed"] = item["assessed"]
            row["met"] = item["met"]
    result = []
    for row in rows.values():
        scores = row.pop("scores")
        row["average"] = (
            (sum(scores) / len(scores)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
            if scores
            else None
        )
        row.setdefault("assessed", 0)
        row.setdefault("met", 0)
        result.append(row)
    return sorted(result, key=lambda r: (r["service"].site.name, r["service"].name))


# Results pages ------------------------------------------------------------------------


def _row(label: str, figure: Figure, previous: Figure | None = None) -> dict:
    row = {"label": label, **figure.as_dict(), "previous": None, "delta": None}
    if previous is not None:
        row["previous"] = previous.rate
        if figure.rate is not None and previous.rate is not None:
            row["delta"] = round(figure.rate - previous.rate, 1)
    return row


def _empty_figures() -> dict[str, dict[str, Figure]]:
    return {"questions": defaultdict(Figure), "criteria": defaultdict(Figure)}


def _count(figures: dict, code: str, criterion: str, value: int, scale: int, n: int) -> None:
    """Add `n` answers of `value` to a question's figure and to its criterion's, if any."""
    figures["questions"][code].add(value, scale, n)
    if criterion:
        figures["criteria"][criterion].add(value, scale, n)


def _fold(counts: dict[tuple, int], scored: dict[int, tuple[str, int, str]]) -> dict:
    """{group: {"questions": {code: Figure}, "criteria": {criterion: Figure}}} from answer
    counts keyed (group, question pk, value); `scored` maps the pk of each scored question
    to its code, scale and criterion (answers to other questions are left out)."""
    result: dict[object, dict[str, dict[str, Figure]]] = defaultdict(_empty_figures)
    for (group, question_id, value), n in counts.items():
        known = scored.get(question_id)
        if known is None:
            continue
        code, scale, criterion = known
        _count(result[group], code, criterion, value, scale, n)
    return result


def campaign_results(campaign: Campaign, *, service_ids: set[int] | None = None) -> dict:
    """Everything the results page, the CSV and the CLU report show: the answers of the
    campaign and of the previous one in one aggregation pass (counts per campaign, service,
    channel, question and value, rolled up here), the responses in another. With
    `service_ids` (a reader who sees only some services), both campaigns are read on those
    services only.

    Kept FIGURES_CACHE_SECONDS in the shared cache (as the correspondence figures are),
    under a key naming the campaign, its questionnaire, the previous campaign, the services
    in scope and how many responses each campaign has in that scope and its latest one:
    responses are only ever added, each with its answers in one transaction, so a new
    response is a new key, and the figures are never older than the last response read.
    What the key does not follow (a service or question renamed) shows within that time.
    """
    previous = previous_campaign(campaign)
    responses = Response.objects.filter(_scope(campaign, previous, service_ids))
    counts = list(
        responses.values_list("campaign_id", "service_id", "channel")
        .annotate(n=Count("pk"), last=Max("pk"))
        .order_by()
    )
    seconds = settings.FIGURES_CACHE_SECONDS
    if seconds <= 0:
        found = _campaign_figures(campaign, previous, service_ids, counts)
    else:
        version = {}
        for campaign_id, _service_id, _channel, n, last in counts:
            total, latest = version.get(campaign_id, (0, 0))
            version[campaign_id] = (total + n, max(latest, last))
        scope = sorted(service_ids) if service_ids is not None else None
        identity = (campaign.pk, campaign.questionnaire_id, previous and previous.pk, scope)
        digest = hashlib.sha256(repr((identity, sorted(version.items()))).encode()).hexdigest()
        key = f"survey-results:1:{digest}"
        found = cache.get(key)
        if found is None:
            found = _campaign_figures(campaign, previous, service_ids, counts)
            cache.set(key, found, seconds)
    return {"previous": previous, **found}


def _scope(
    campaign: Campaign, previous: Campaign | None, service_ids: set[int] | None, prefix: str = ""
) -> Q:
    """The responses (through `prefix`) of the campaign and of the previous one, both in the
    same services when the reader sees only some: the comparison with the previous campaign
    is then on the same services, and shows nothing of the others."""
    scope = Q(**{f"{prefix}campaign": campaign})
    if previous is not None:
        scope |= Q(**{f"{prefix}campaign": previous})
    if service_ids is not None:
        scope &= Q(**{f"{prefix}service_id__in": service_ids})
    return scope


def _campaign_figures(
    campaign: Campaign,
    previous: Campaign | None,
    service_ids: set[int] | None,
    counts: list[tuple],
) -> dict:
    """`campaign_results` but "previous", from the responses' `counts` (campaign, service,
    channel, count, latest pk).

    The pass groups by the answers' own question key, as a hand-written GROUP BY would:
    joining the questions to group by their code, kind and criterion made PostgreSQL hash
    three strings per answer (about half again the statement's time on 20,000 answers).
    The questions are read apart, and each (question, value) is classified once per group.
    """
    from engagements.organisation.models import Service

    from .enums import Channel

    rows = (
        # "Not concerned" (0) is left out like a blank (docs/indicators.md "Surveys").
        Answer.objects.filter(_scope(campaign, previous, service_ids, "response__"), value__gte=1)
        .values_list(
            "response__campaign_id",
            "response__service_id",
            "response__channel",
            "question_id",
            "value",
        )
        .annotate(n=Count("pk"))
        .order_by()
    )
    overall: dict[tuple, int] = defaultdict(int)
    before: dict[tuple, int] = defaultdict(int)
    by_service: dict[tuple, int] = defaultdict(int)
    by_channel: dict[tuple, int] = defaultdict(int)
    for campaign_id, service_id, channel, question_id, value, n in rows:
        if campaign_id != campaign.pk:
            before[None, question_id, value] += n
            continue
        overall[None, question_id, value] += n
        if service_id:
            by_service[service_id, question_id, value] += n
        by_channel[channel, question_id, value] += n
    # The campaign's questions, and those of any other questionnaire answered (the previous
    # campaign's, or the campaign's before its questionnaire was changed), by code.
    answered = {key[1] for key in overall} | {key[1] for key in before}
    all_questions = Question.objects.filter(
        Q(questionnaire_id=campaign.questionnaire_id) | Q(pk__in=answered)
    )
    questions = []
    scored: dict[int, tuple[str, int, str]] = {}
    for question in all_questions:
        if not question.is_scored:
            continue
        scored[question.pk] = (question.code, SCALE_POINTS[question.kind], question.criterion)
        if question.questionnaire_id == campaign.questionnaire_id:
            questions.append(question)
    overall_figures = _fold(overall, scored).get(None) or _empty_figures()
    before_figures = _fold(before, scored).get(None) or _empty_figures()
    service_figures = _fold(by_service, scored)
    channel_figures = _fold(by_channel, scored)
    criteria = [c for c in Criterion if any(q.criterion == c for q in questions)]
    services = {s.pk: s for s in Service.objects.filter(pk__in=list(service_figures))}
    channel_counts: dict[str, int] = defaultdict(int)
    service_counts: dict[int, int] = defaultdict(int)
    for campaign_id, service_id, channel, n, _last in counts:
        if campaign_id == campaign.pk:
            channel_counts[channel] += n
            service_counts[service_id] += n
    return {
        "total": sum(channel_counts.values()),
        "criteria": [
            _row(
                c.label,
                overall_figures["criteria"].get(c.value, Figure()),
                before_figures["criteria"].get(c.value, Figure()) if previous else None,
            )
            | {"code": c.value}
            for c in criteria
        ],
        "questions": [
            _row(
                q.text,
                overall_figures["questions"].get(q.code, Figure()),
                before_figures["questions"].get(q.code, Figure()) if previous else None,
            )
            | {"code": q.code, "criterion": q.get_criterion_display()}
            for q in questions
        ],
        "criteria_labels": [c.label for c in criteria],
        "services": [
            {
                "label": str(services[pk].name),
                "responses": service_counts.get(pk, 0),
                "cells": [
                    service_figures[pk]["criteria"].get(c.value, Figure()).as_dict()
                    for c in criteria
                ],
            }
            for pk in sorted(services, key=lambda pk: services[pk].name)
        ],
        "channels": [
            {
                "label": Channel(ch).label,
                "code": ch,
                "responses": channel_counts.get(ch, 0),
                "overall": channel_figures.get(ch, {"criteria": {}})["criteria"]
                .get(Criterion.OVERALL.value, Figure())
                .as_dict(),
            }
            for ch in Channel.values
            if channel_counts.get(ch)
        ],
    }


def bar_chart(rows: list[dict], *, bar_x: int = 340, scale: int = 3) -> dict:
    """Geometry of a horizontal bar chart of rates (0–100 %), for an inline SVG."""
    bars = []
    for i, row in enumerate(rows):
        width = round((row["rate"] or 0) * scale)
        bars.append(
            {
                "label": row["label"],
                "rate": row["rate"],
                "y": i * 24 + 4,
                "text_y": i * 24 + 17,
                "width": width,
                "value_x": bar_x + width + 6,
            }
        )
    return {
        "bars": bars,
        "bar_x": bar_x,
        "width": bar_x + 100 * scale + 90,  # room for "100,0 %" after a full bar
        "height": len(rows) * 24 + 8,
    }


def yearly_overall_by_site(prefecture, year: int) -> list[dict]:
    """Overall satisfaction of each site's yearly campaign(s) ending in `year` (indicators).

    One row per site: answers, satisfied, rate and net of the overall-satisfaction
    question(s) — never an average of the criteria.
    """
    from .enums import CampaignKind

    campaigns = Campaign.objects.filter(
        prefecture=prefecture, kind=CampaignKind.CAMPAIGN, ends_on__year=year
    ).select_related("site")
    by_site = figures_by(
        Answer.objects.filter(
            response__campaign__in=campaigns, question__criterion=Criterion.OVERALL
        ),
        "response__campaign__site_id",
    )
    sites = {c.site_id: c.site for c in campaigns}
    return [
        {
            "site": sites[pk],
            **by_site.get(pk, {"criteria": {}})["criteria"]
            .get(Criterion.OVERALL.value, Figure())
            .as_dict(),
        }
        for pk in sorted(sites, key=lambda pk: (sites[pk].position, sites[pk].name))
    ]


# A response with at least one answer (a semi-join: each response once, however many
# answers it holds; a join would carry every answer to the DISTINCT).
_HAS_ANSWERS = Exists(Answer.objects.filter(response=OuterRef("pk")))


def yearly_answer_services(prefecture, year: int) -> dict[int, set[int | None]]:
    """Per site, the services (None: the site as a whole) that received answers to the
    site's yearly campaign(s) ending in `year` (the label cycle's obligations read it to
    count only the services in a labelled module's scope)."""
    from .enums import CampaignKind

    rows = (
        Response.objects.filter(
            campaign__prefecture=prefecture,
            campaign__kind=CampaignKind.CAMPAIGN,
            campaign__ends_on__year=year,
        )
        .filter(_HAS_ANSWERS)
        .values_list("campaign__site_id", "service_id")
        .distinct()
    )
    out: dict[int, set[int | None]] = {}
    for site_id, service_id in rows:
        out.setdefault(site_id, set()).add(service_id)
    return out


def yearly_answer_services_by_prefecture(
    prefectures, year: int
) -> dict[int, dict[int, set[int | None]]]:
    """`yearly_answer_services` of many prefectures in one query, by prefecture pk."""
    from .enums import CampaignKind

    rows = (
        Response.objects.filter(
            campaign__prefecture__in=prefectures,
            campaign__kind=CampaignKind.CAMPAIGN,
            campaign__ends_on__year=year,
        )
        .filter(_HAS_ANSWERS)
        .values_list("campaign__prefecture_id", "campaign__site_id", "service_id")
        .distinct()
    )
    out: dict[int, dict[int, set[int | None]]] = {}
    for prefecture_id, site_id, service_id in rows:
        out.setdefault(prefecture_id, {}).setdefault(site_id, set()).add(service_id)
    return out


def year_checks_of(prefectures, year: int) -> QuerySet[MysteryCheck]:
    """Mystery checks of many prefectures planned in a year."""
    return MysteryCheck.objects.filter(prefecture__in=prefectures, planned_on__year=year)


def overall_between(
    prefecture, start, end, *, site=None, at=None, service=None, services=None
) -> Figure:
    """Overall satisfaction of the answers given between two dates included (to `at` at the
    latest), for a prefecture, one site, one service or a set of services' pks: its own
    question(s), never an average."""
    answers = Answer.objects.filter(
        response__campaign__prefecture=prefecture,
        response__answered_on__range=(start, end),
        question__criterion=Criterion.OVERALL,
    )
    if at is not None:
        answers = answers.filter(response__answered_on__lte=at)
    if site is not None:
        answers = answers.filter(response__campaign__site=site)
    if service is not None:
        answers = answers.filter(response__service=service)
    if services is not None:
        answers = answers.filter(response__service__in=services)
    figures = figures_by(answers).get(None)
    if not figures:
        return Figure()
    return figures["criteria"].get(Criterion.OVERALL.value, Figure())


def latest_campaigns(prefecture, limit: int) -> list[Campaign]:
    """The prefecture's `limit` latest campaigns (by start date, then name)."""
    return list(
        Campaign.objects.filter(prefecture=prefecture).order_by("-starts_on", "name")[:limit]
    )


def year_campaigns(prefecture, year: int) -> QuerySet[Campaign]:
    """The yearly campaigns (not the permanent polls) that ended in a year."""
    from .enums import CampaignKind

    return Campaign.objects.filter(
        prefecture=prefecture, kind=CampaignKind.CAMPAIGN, ends_on__year=year
    ).select_related("site", "questionnaire")


def year_checks(prefecture, year: int) -> QuerySet[MysteryCheck]:
    """Mystery checks of a prefecture planned in a year."""
    return MysteryCheck.objects.filter(prefecture=prefecture, planned_on__year=year)


def prefecture_campaigns(prefecture) -> QuerySet[Campaign]:
    """The prefecture's satisfaction survey campaigns."""
    return Campaign.objects.filter(prefecture=prefecture)


def failed_check_results(prefecture) -> QuerySet[CheckResult]:
    """Criteria a mystery check of the prefecture failed, oldest first, with their check,
    service, site and criterion."""
    return (
        CheckResult.objects.filter(check_run__prefecture=prefecture, passed=False)
        .select_related("check_run__service__site", "criterion")
        .order_by("pk")
    )


def overall_by_month(prefecture, start, end, *, at, services=None) -> list[dict]:
    """Overall-satisfaction counts of the answers given between two dates (to `at` at the
    latest) per month, site and service, in one query: rows of `month`, `site_id`,
    `service_id`, `answers`, `satisfied`, `dissatisfied` (additive: a period's figure is
    the sum of its months', its rate computed once from the sums)."""
    from django.db.models.functions import TruncMonth

    answers = Answer.objects.filter(
        response__campaign__prefecture=prefecture,
        response__answered_on__range=(start, min(end, at)),
        question__criterion=Criterion.OVERALL,
        question__kind__in=list(SCALE_POINTS),
        value__gte=1,
    )
    if services is not None:  # a module's scope: the answers given for its services
        answers = answers.filter(response__service__in=services)
    rows = (
        answers.annotate(month=TruncMonth("response__answered_on"))
        .values(
            "month",
            "response__campaign__site_id",
            "response__service_id",
            "question__kind",
            "value",
        )
        .annotate(n=Count("pk"))
        .values_list(
            "month",
            "response__campaign__site_id",
            "response__service_id",
            "question__kind",
            "value",
            "n",
        )
        .order_by()
    )
    groups: dict[tuple, Figure] = defaultdict(Figure)
    for month, site_id, service_id, kind, value, n in rows:
        groups[(month, site_id, service_id)].add(value, SCALE_POINTS[kind], n)
    return [
        {
            "month": month,
            "site_id": site_id,
            "service_id": service_id,
            "answers": figure.answers,
            "satisfied": figure.satisfied,
            "dissatisfied": figure.dissatisfied,
        }
        for (month, site_id, service_id), figure in groups.items()
    ]
