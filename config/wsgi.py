import os

from django.core.wsgi import get_wsgi_application

from config.runtime import settle_for_serving

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()
settle_for_serving()
