import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")
_django = get_wsgi_application()

from publishing.callback.wsgi import route_callbacks  # noqa: E402 (needs Django set up)

# WeChat's callbacks skip the middleware they have no use for (publishing.callback.wsgi).
application = route_callbacks(_django)
