import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "engagements.settings")
# This process serves web requests: its queries get WEB_STATEMENT_TIMEOUT (settings.py).
os.environ["ENGAGEMENTS_WEB"] = "1"
application = get_wsgi_application()
