"""Signals organisation sends for the apps above it (which connect in their ready())."""

from django.dispatch import Signal

# A prefecture's public holidays changed (another holiday subdivision); kwargs: prefecture.
holidays_changed = Signal()
