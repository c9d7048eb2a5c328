"""Sent by the worker after a delivery's outcome; receivers get `delivery` (its `record`
is the object it was queued for). Apps connect in AppConfig.ready(), filtering on purpose."""

from django.dispatch import Signal

delivery_sent = Signal()
delivery_failed = Signal()
