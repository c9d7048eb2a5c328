import logging
import sys

from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@require_GET
@never_cache
def healthz(request):
    """Liveness and database reachability, for load balancers and monitoring."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        database = "ok"
    except Exception:  # any failure of the database is reported, not raised
        database = "error"
    status = "ok" if database == "ok" else "error"
    return JsonResponse(
        {"status": status, "database": database}, status=200 if status == "ok" else 503
    )


logger = logging.getLogger("engagements.request")
QUERY_CANCELED = "57014"  # PostgreSQL: statement_timeout reached (or a cancel)
RETRY_AFTER_TIMEOUT = 30


def is_statement_timeout(exc: BaseException | None) -> bool:
    """A database statement stopped by `statement_timeout` (Django wraps psycopg's error)."""
    while exc is not None:
        if getattr(exc, "sqlstate", None) == QUERY_CANCELED:
            return True
        exc = exc.__cause__
    return False


def server_error(request, template_name="500.html"):
    """500 page, except for a request the database stopped (WEB_STATEMENT_TIMEOUT): a 503
    page saying so, in French and English, without touching the database again."""
    if is_statement_timeout(sys.exc_info()[1]):
        logger.warning("request stopped by the statement timeout", extra={"path": request.path})
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = str(RETRY_AFTER_TIMEOUT)
        return response
    return defaults.server_error(request, template_name)
