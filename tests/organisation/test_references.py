"""The one gapless yearly reference service: numbers per prefecture, scope and year, a
rolled-back creation gives its number back, an imported number moves the counter past it."""

import pytest
from django.db import transaction

from engagements.organisation import references
from tests.factories import PrefectureFactory


class Rollback(Exception):
    pass


@pytest.mark.django_db
def test_numbers_are_gapless_per_scope_and_year(prefecture):
    with transaction.atomic():
        first = references.next_number(prefecture, references.MESSAGES, 2026)
        second = references.next_number(prefecture, references.MESSAGES, 2026)
        other_scope = references.next_number(prefecture, references.ACTIONS, 2026)
        other_year = references.next_number(prefecture, references.MESSAGES, 2027)
        other_prefecture = references.next_number(PrefectureFactory(), references.MESSAGES, 2026)
    assert (first, second, other_scope, other_year, other_prefecture) == (1, 2, 1, 1, 1)


@pytest.mark.django_db
def test_a_rolled_back_creation_gives_its_number_back(prefecture):
    with pytest.raises(Rollback), transaction.atomic():
        references.next_number(prefecture, references.MESSAGES, 2026)
        raise Rollback
    with transaction.atomic():
        assert references.next_number(prefecture, references.MESSAGES, 2026) == 1


@pytest.mark.django_db
def test_a_claimed_number_is_never_given_again(prefecture):
    with transaction.atomic():
        references.claim_number(prefecture, references.ACTIONS, 2026, 41)
        references.claim_number(prefecture, references.ACTIONS, 2026, 7)  # lower: no effect
        assert references.next_number(prefecture, references.ACTIONS, 2026) == 42
