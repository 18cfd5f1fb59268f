from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls

from cms import admin_reports
from cms.graphql_view import graphql_view
from cms.health import healthz, readyz
from cms.notice_api import send_notice, send_outcome

urlpatterns = [
    path("healthz", healthz, name="healthz"),  # liveness
    path("readyz", readyz, name="readyz"),  # readiness
    path("graphql/", graphql_view, name="graphql"),
    path("api/notices/send/", send_notice, name="notices_send"),  # template messages for business systems
    path("api/notices/sends/<str:account>/<str:client_msg_id>/", send_outcome, name="notices_send_outcome"),
    path("wechat/", include("callback.urls")),  # WeChat callback per official account
    path("django-admin/", admin.site.urls),
    # Wagtail's reports under organisation isolation, ahead of the ones they replace.
    path("admin/", include(admin_reports)),
    path("admin/", include(wagtailadmin_urls)),
    # Channel renditions: short links in SMS texts lead to the web rendition.
    path("s/", include("renditions.urls")),
    # The reference web hall, only with WEB_HALL_DEMO (docs/web-hall.md).
    path("demo/web-hall/", include("cms.web_hall")),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
