"""Writes of the committee app, one module per sub-domain (members, meetings, minutes,
suggestions). Each module has its own exception class with a French message."""
