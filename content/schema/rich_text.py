"""Stored rich text as front-end HTML in API answers.

Expanding Wagtail's image and link references costs milliseconds and several queries
per value (Wagtail looks each image's rendition up on its own): most of an article
read by POST. The expanded HTML is kept in the shared cache under the value's digest
and the content generation, so it is expanded once per publish, as channel renditions
are (renditions.schema); a value without references is answered as stored."""

import hashlib

from django.conf import settings

from api import cache
from content.services.html import has_references, rich_text_html


def front_end_html(value):
    if not value or not has_references(value) or not cache.enabled():
        return rich_text_html(value)
    key = "gql:html:" + hashlib.sha256(value.encode()).hexdigest()
    generation, html = cache.get(cache.CONTENT, key)
    if html is None:
        html = rich_text_html(value)
        cache.put(generation, key, html, settings.GRAPHQL_CACHE_TIMEOUT)
    return html
