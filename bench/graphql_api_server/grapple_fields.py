"""P4: wagtail-grapple on the same models, for the bench server only. The project's
models are left as they are: their ``graphql_fields`` and grapple's query fields are
attached here, in an app listed before ``grapple``, whose ready() builds its types
from them (grapple's schema module, imported by the URLconf, then reads the registry)."""

import graphene
from django.apps import AppConfig


class BenchGrappleConfig(AppConfig):
    name = "bench.graphql_api_server"
    label = "bench_grapple"

    def ready(self):
        from grapple.helpers import register_graphql_schema, register_query_field
        from grapple.models import GraphQLCollection, GraphQLForeignKey, GraphQLInt, GraphQLRichText, GraphQLString
        from grapple.registry import registry
        from grapple.types.structures import QuerySetList
        from grapple.utils import resolve_queryset

        from bench.graphql_api_server.views import _packages
        from content.models import Article, Brand, Package

        Brand.graphql_fields = [GraphQLString("code"), GraphQLString("name")]
        Package.graphql_fields = [
            *(GraphQLString(name) for name in ("code", "name", "family", "monthly_fee")),
            *(GraphQLInt(name) for name in ("data_mb", "voice_minutes", "sms_count", "contract_months")),
            *(GraphQLString(name) for name in ("order_command", "cancel_command", "valid_from", "valid_to")),
            GraphQLCollection(GraphQLString, "highlights"),
            GraphQLCollection(GraphQLForeignKey, "brands", Brand),
        ]
        Article.graphql_fields = [GraphQLString("code"), GraphQLString("title"), GraphQLString("digest"),
                                  GraphQLRichText("body")]
        # article(id: ID, code: String): grapple's singular resolver, cls.objects.get(**arguments).
        register_query_field("article", query_params={"id": graphene.ID(), "code": graphene.String()})(Article)

        # grapple's plural query fields take only limit/offset/order/search/id: "of a brand, on sale
        # in a branch" is not expressible, so packages is grapple's QuerySetList and resolve_queryset
        # over the same queryset as P5 (a custom root field, registered as grapple's own are).
        class PackagesQuery:
            packages = QuerySetList(lambda: registry.models[Package], brand=graphene.String(),
                                    organisation=graphene.String(), enable_search=False)

            def resolve_packages(self, info, brand, organisation, **kwargs):
                return resolve_queryset(_packages(brand, organisation), info, **kwargs)

        register_graphql_schema(PackagesQuery)
