import secrets
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import time_machine
from django.db import connection

from engagements import antibot
from tests.tooling import require_postgres


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


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_hits_at_once_are_each_counted_once():
    """Eight threads (own connections, as many servers would) hit one key 40 times at once:
    exactly 30 pass a limit of 30 (the cache's read-then-write incr let all 40 through)."""
    require_postgres()
    barrier = threading.Barrier(8)
    key = f"test:rush:{secrets.token_hex(4)}"  # the cache table outlives a reused database

    def hits(_n):
        try:
            barrier.wait(timeout=30)
            return [antibot.rate_limited(key, limit=30, window=3600) for _ in range(5)]
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = [r for batch in pool.map(hits, range(8)) for r in batch]
    assert results.count(False) == 30 and results.count(True) == 10


@pytest.mark.django_db
def test_a_count_survives_a_rush_of_other_addresses():
    """Hundreds of other addresses (an opening rush, each with its proof-of-work marker)
    must not cull a bucket: the database cache's default of 300 entries dropped a third of
    them, the first in key order, and an address whose count was dropped started again."""
    first = f"test:!first:{secrets.token_hex(4)}"  # sorts before the others
    assert [antibot.rate_limited(first, limit=3, window=3600) for _ in range(3)] == [False] * 3
    for n in range(400):
        antibot.rate_limited(f"test:rush-{n}:{secrets.token_hex(4)}", limit=3, window=3600)
    assert antibot.rate_limited(first, limit=3, window=3600) is True
