import gc

from django.core.wsgi import get_wsgi_application

from cms.settings_module import default_settings_module

default_settings_module()
_django = get_wsgi_application()

from callback.wsgi import route_callbacks  # noqa: E402 (needs Django set up)

# WeChat's callbacks skip the middleware they have no use for (callback.wsgi).
application = route_callbacks(_django)

# The objects of the loaded application live as long as the process: keep them out of
# the garbage collector's full passes, which otherwise walk them all (pauses of several
# milliseconds in the middle of a request) and, in forked workers, unshare their pages.
gc.freeze()
