"""Django's PostgreSQL backend, with a kept connection checked by its socket first, and
this process's session settings set on each new connection.

With CONN_HEALTH_CHECKS, Django sends `SELECT 1` on a connection kept from an earlier
request before the request's first query: a round trip to the server on every request. A
server that ends a connection (a restart, `pg_terminate_backend`, a crash) sends its last
message or closes the socket, which is then readable; a healthy idle connection has nothing
to read. So a quiet socket counts as healthy without the round trip, and only a readable one
gets Django's own check (a failed one reconnects). A host gone without a word (no packet
at all) is found by the first query, as it would be by the check itself.

A database's `SESSION_SETTINGS` (settings.py: `jit`, and a web process's
`statement_timeout`) are set by one `set_config` statement on each new connection, not sent
as libpq startup `options`: a pooler such as PgBouncer refuses a connection that carries
them ("unsupported startup parameter"), or drops them when told to ignore them.
"""

from __future__ import annotations

import select

import psycopg
from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def init_connection_state(self):
        super().init_connection_state()
        values = self.settings_dict.get("SESSION_SETTINGS") or {}
        if values and self.connection is not None:
            calls = ", ".join(["set_config(%s, %s, false)"] * len(values))
            params = [str(part) for item in values.items() for part in item]
            with self.connection.cursor() as cursor:
                cursor.execute(f"SELECT {calls}", params)
            if not self.get_autocommit():
                self.connection.commit()

    def close_if_health_check_failed(self):
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and socket_quiet(self.connection)
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()


def socket_quiet(raw: psycopg.Connection) -> bool:
    """Nothing waiting on the connection's socket (no message, no end of stream)."""
    if raw.closed or raw.broken:
        return False
    try:
        poller = select.poll()
        poller.register(raw.fileno(), select.POLLIN | select.POLLPRI)
        return not poller.poll(0)
    except (OSError, ValueError, psycopg.Error):
        return False
