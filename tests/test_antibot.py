import pytest
import time_machine

from engagements import antibot


@pytest.mark.django_db
def test_a_solved_challenge_passes_once():
    payload = antibot.solve(antibot.new_challenge())
    assert antibot.verify(payload) is True
    assert antibot.verify(payload) is False, "a replayed solution must be refused"


@pytest.mark.django_db
def test_forged_or_expired_solutions_fail():
    challenge = antibot.new_challenge()
    forged = antibot.solve({**challenge, "signature": "0" * 64})
    assert antibot.verify(forged) is False
    assert antibot.verify("") is False
    assert antibot.verify("not base64 at all") is False
    payload = antibot.solve(antibot.new_challenge())
    with time_machine.travel(antibot.timezone.now() + antibot.CHALLENGE_LIFETIME * 2):
        assert antibot.verify(payload) is False


@pytest.mark.django_db
def test_rate_limit_counts_hits_in_a_window():
    with time_machine.travel("2026-11-23 10:00:00+00:00", tick=False):
        results = [antibot.rate_limited("test:ip", limit=3, window=60) for _ in range(5)]
        assert results == [False, False, False, True, True]
    with time_machine.travel("2026-11-23 10:02:00+00:00", tick=False):
        assert antibot.rate_limited("test:ip", limit=3, window=60) is False
