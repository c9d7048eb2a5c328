"""Form field for an address the outbox can deliver to."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator

from .services import OutboxError, validate_address


class DeliverableEmailField(forms.EmailField):
    """An e-mail address the mail server will accept: Django's syntax check plus an
    IDNA-encodable domain (`rep1@exemple\\u0095.fr` passes the first, not the second).
    The error is Django's own (translated) "enter a valid address"."""

    def validate(self, value):
        super().validate(value)
        if value in self.empty_values:
            return
        try:
            validate_address(value)
        except OutboxError as exc:
            raise ValidationError(EmailValidator.message, code="invalid") from exc
