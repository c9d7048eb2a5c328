from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """Running the product: `/metrics`, backups and restores, the error tracker."""

    name = "engagements.operations"
    label = "operations"
    verbose_name = "Exploitation"

    def ready(self):
        from django.core.signals import got_request_exception

        from engagements import metrics

        got_request_exception.connect(
            metrics.count_request_exception, dispatch_uid="operations-database-errors"
        )
