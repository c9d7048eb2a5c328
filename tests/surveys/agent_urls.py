"""Sample URL arguments for every agent URL of the surveys app (cross-prefecture test)."""

from engagements.surveys.enums import CheckStatus
from engagements.surveys.models import CheckResult
from tests.surveys.factories import (
    CampaignFactory,
    CommentFactory,
    MysteryCheckFactory,
    ResponseFactory,
)


def cases(prefecture, site, service) -> dict[str, dict]:
    campaign = CampaignFactory(site=site, services=[service])
    comment = CommentFactory(response=ResponseFactory(campaign=campaign, service=service))
    question = campaign.questionnaire.questions.first()
    campaign.questionnaire.extra_languages = ["de"]
    campaign.questionnaire.save()
    check = MysteryCheckFactory(service=service)
    done = MysteryCheckFactory(service=service, status=CheckStatus.DONE)
    CheckResult.objects.create(check_run=done, criterion=done.grid.criteria.first(), passed=False)
    return {
        "surveys:agents-campaigns": {},
        "surveys:agents-campaign-new": {},
        "surveys:agents-campaign": {"pk": campaign.pk},
        "surveys:agents-campaign-edit": {"pk": campaign.pk},
        "surveys:agents-campaign-csv": {"pk": campaign.pk},
        "surveys:agents-campaign-pdf": {"pk": campaign.pk},
        "surveys:agents-posters": {"pk": campaign.pk},
        "surveys:agents-poster": {"pk": campaign.pk, "service_pk": service.pk},
        "surveys:agents-coupons": {"pk": campaign.pk},
        "surveys:agents-coupon-entry": {"pk": campaign.pk},
        "surveys:agents-coupon-campaigns": {},
        "surveys:agents-comments": {},
        "surveys:agents-comment-review": {"pk": comment.pk},
        "surveys:agents-questionnaires": {},
        "surveys:agents-questionnaire": {"pk": campaign.questionnaire.pk},
        "surveys:agents-questionnaire-copy": {"pk": campaign.questionnaire.pk},
        "surveys:agents-questionnaire-languages": {"pk": campaign.questionnaire.pk},
        "surveys:agents-questionnaire-translation": {
            "pk": campaign.questionnaire.pk,
            "language": "de",
        },
        "surveys:agents-question-edit": {
            "pk": campaign.questionnaire.pk,
            "question_pk": question.pk,
        },
        "surveys:agents-checks": {},
        "surveys:agents-check-plan": {},
        "surveys:agents-grid-new": {},
        "surveys:agents-checks-todo": {},
        "surveys:agents-check-perform": {"pk": check.pk},
        "surveys:agents-check": {"pk": check.pk},
        "surveys:agents-check-cancel": {"pk": check.pk},
    }
