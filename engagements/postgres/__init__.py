"""Django's PostgreSQL backend with a cheaper health check (`base.py`): the ENGINE that
settings.py gives every PostgreSQL database."""
