from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from graphene_django.views import GraphQLView
from grapple.middleware import GrappleMiddleware
from grapple.schema import schema as grapple_schema
from wagtail.api.v2.router import WagtailAPIRouter

from bench.graphql_api_server import views
from cms.urls import urlpatterns as project

api = WagtailAPIRouter("benchapi")
api.register_endpoint("packages", views.PackagesAPIViewSet)
api.register_endpoint("smstemplates", views.SmsTemplatesAPIViewSet)
api.register_endpoint("articles", views.ArticlesAPIViewSet)

urlpatterns = [
    path("bench/static/<str:name>", views.static_bytes),
    path("bench/django/packages", views.django_packages),
    path("bench/django/changes", views.django_changes),
    path("bench/django/menu", views.django_menu),
    path("bench/django/article", views.django_article),
    path("bench/django/article_html", views.django_article_html),
    path("bench/api/v2/", api.urls),
    path("bench/grapple/", csrf_exempt(GraphQLView.as_view(schema=grapple_schema, middleware=[GrappleMiddleware()]))),
    *project,
]
