from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """Running the product: `/metrics`, backups and restores, the error tracker."""

    name = "engagements.operations"
    label = "operations"
    verbose_name = "Exploitation"

    def ready(self):
        from django.core.signals import got_request_exception, request_started

        from engagements import db, metrics

        got_request_exception.connect(
            metrics.count_request_exception, dispatch_uid="operations-database-errors"
        )
        # After Django's own receiver (connected when django.db is imported), which marks
        # kept connections for a health check: a quiet socket spares the check's round trip.
        request_started.connect(
            db.quiet_connections_are_healthy, dispatch_uid="operations-quiet-connections"
        )
