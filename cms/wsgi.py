import gc

from django.core.wsgi import get_wsgi_application

from cms.settings_module import default_settings_module

default_settings_module()
_django = get_wsgi_application()

# The routes import views: Django is set up first.
from callback.wsgi import route_callbacks
from cms.graphql_reads import route_cached_reads

# WeChat's callbacks and cached GraphQL reads skip the middleware they have no use for
# (callback.wsgi, cms.graphql_reads).
application = route_cached_reads(route_callbacks(_django))

# The objects of the loaded application live as long as the process: keep them out of
# the garbage collector's full passes, which otherwise walk them all (pauses of several
# milliseconds in the middle of a request) and, in forked workers, unshare their pages.
gc.freeze()
