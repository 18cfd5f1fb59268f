"""The /graphql/ endpoint: authenticated callers only, typed errors, size, depth
and cost limits, persisted queries, ETag / 304 and the shared answer cache.

GET and POST; a request names its document by text (``query``), by the hash of a
persisted query (``id`` or ``extensions.persistedQuery.sha256Hash``), or both (the
automatic-persisted-queries retry: the hash must be the document's). The answer is
``application/json`` or ``application/graphql-response+json`` as ``Accept`` asks
(GraphQL over HTTP)."""

import hashlib
import json
import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, HttpResponseNotModified, JsonResponse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from graphene_django.views import GraphQLView

from api import budget, cache, local_cache, media_types, persisted
from api.errors import ApiError, ErrorCode, error_body, status_for
from api.execution import run
from api.scalars import encode
from api.text import refused_value
from cms.bad_input import checks_own_input
from cms.callers.preview import read_preview_token
from cms.callers.principal import (
    authenticate,
    bearer_token,
    principal_key,
    token_digest,
)

logger = logging.getLogger("cms.graphql")


# What a POST body may be: GraphQL-over-HTTP's JSON, a bare document, or a form.
BODY_TYPES = {"application/json", "application/graphql", "application/x-www-form-urlencoded", "multipart/form-data"}


def max_request_bytes():
    return settings.GRAPHQL_MAX_REQUEST_BYTES


def _json_param(value, name):
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):
            raise ApiError(ErrorCode.BAD_REQUEST, f"{name} is not valid JSON", field=name) from None
    if value is not None and not isinstance(value, dict):
        raise ApiError(ErrorCode.BAD_REQUEST, f"{name} must be a JSON object", field=name)
    return value


# A HEAD is a GET whose body the server does not send (gunicorn, runserver): the same
# parameters, the same cached answer and headers.
READS = ("GET", "HEAD")


def _body(request):
    """The request's parameters as a dict, refusing oversized or malformed input."""
    if request.method in READS:
        if len(request.META.get("QUERY_STRING", "")) > max_request_bytes():
            raise ApiError(ErrorCode.REQUEST_TOO_LARGE, f"request exceeds {max_request_bytes()} bytes")
        return request.GET.dict()
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise ApiError(ErrorCode.BAD_REQUEST, "bad Content-Length") from None
    if length > max_request_bytes():
        raise ApiError(ErrorCode.REQUEST_TOO_LARGE, f"request exceeds {max_request_bytes()} bytes")
    try:
        raw = request.body
    except RequestDataTooBig:
        raise ApiError(ErrorCode.REQUEST_TOO_LARGE, f"request exceeds {max_request_bytes()} bytes") from None
    if len(raw) > max_request_bytes():
        raise ApiError(ErrorCode.REQUEST_TOO_LARGE, f"request exceeds {max_request_bytes()} bytes")
    content_type = request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
    if content_type not in BODY_TYPES:
        # No type (which fetch sends as text/plain) is no GraphQL request: say so rather than guess.
        raise ApiError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "send the body with Content-Type: application/json",
                       field="Content-Type")
    if content_type == "application/graphql":
        try:
            return {"query": raw.decode("utf-8")}
        except UnicodeDecodeError:
            raise ApiError(ErrorCode.BAD_REQUEST, "body is not UTF-8") from None
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return request.POST.dict()
    try:
        data = json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise ApiError(ErrorCode.BAD_REQUEST, "body is not valid JSON") from None
    except RecursionError:
        # JSON nested deeper than the parser's stack (a 64 KiB body holds 30,000 brackets).
        raise ApiError(ErrorCode.BAD_REQUEST, "body nests too deeply") from None
    if not isinstance(data, dict):
        raise ApiError(ErrorCode.BAD_REQUEST, "body must be one JSON object (batches are not supported)")
    return data


class Operation:
    """What a request asks: the document, its variables, and whether it is persisted."""

    def __init__(self, data):
        extensions = _json_param(data.get("extensions"), "extensions") or {}
        self.variables = _json_param(data.get("variables"), "variables")
        refused = refused_value(self.variables, "variables")
        if refused:
            raise ApiError(ErrorCode.INVALID_ARGUMENT, f"{refused[0]} {refused[1]}", field=refused[0])
        operation_name = data.get("operationName")
        if operation_name is not None and not isinstance(operation_name, str):
            raise ApiError(ErrorCode.BAD_REQUEST, "operationName must be a string", field="operationName")
        self.operation_name = operation_name or None
        query = data.get("query")
        if query is not None and not isinstance(query, str):
            raise ApiError(ErrorCode.BAD_REQUEST, "query must be a string", field="query")
        sha, sha_field = _hash(data, extensions)
        if query:
            if sha is not None and persisted.document_hash(query) != sha:
                raise ApiError(ErrorCode.PERSISTED_QUERY_HASH_MISMATCH,
                               "the hash is not the SHA-256 of the query sent with it", field=sha_field)
            self.persisted = persisted.lookup(persisted.document_hash(query))
            if self.persisted is None and settings.GRAPHQL_PERSISTED_QUERIES_ONLY:
                # However the client spaced or printed it, only an allow-listed document runs.
                self.persisted = persisted.matching(query)
            self.text = self.persisted.text if self.persisted is not None else query
        elif sha is not None:
            self.persisted = persisted.lookup(sha)
            if self.persisted is None:
                raise ApiError(ErrorCode.PERSISTED_QUERY_NOT_FOUND, "no persisted query has this hash; send the "
                               "query with it", field=sha_field)
            self.text = self.persisted.text
        else:
            raise ApiError(ErrorCode.BAD_REQUEST, "send a query or the id of a persisted query", field="query")
        if self.persisted is None and settings.GRAPHQL_PERSISTED_QUERIES_ONLY:
            raise ApiError(ErrorCode.PERSISTED_QUERY_REQUIRED, "this server answers persisted queries only", field="id")

    def cache_key(self, token_digest):
        """The answer's key: per token, so one lookup finds it before authentication."""
        variables = json.dumps(self.variables or {}, sort_keys=True, separators=(",", ":"))
        basis = f"{token_digest}|{self.persisted.sha256}|{self.operation_name}|{variables}"
        return "gql:answer:" + hashlib.sha256(basis.encode()).hexdigest()


# Where clients put a persisted query's hash besides Apollo's extension: ``id`` (ours,
# Relay's examples), ``doc_id`` (Relay's) and ``documentId`` (GraphQL over HTTP's
# persisted documents, "sha256:<hex>").
ID_PARAMETERS = ("id", "doc_id", "documentId")


def _hash(data, extensions):
    """(the persisted-query hash the request sends, the parameter that holds it)."""
    named = next((name for name in ID_PARAMETERS if data.get(name) is not None), None)
    if named is not None:
        sha, field = data[named], named
        if isinstance(sha, str):
            sha = sha.removeprefix("sha256:")
    else:
        persisted_query = extensions.get("persistedQuery")
        if persisted_query is None:
            return None, None
        if not isinstance(persisted_query, dict):
            raise ApiError(ErrorCode.BAD_REQUEST, "extensions.persistedQuery must be a JSON object",
                           field="extensions.persistedQuery")
        sha, field = persisted_query.get("sha256Hash"), "extensions.persistedQuery.sha256Hash"
    if not isinstance(sha, str):
        raise ApiError(ErrorCode.BAD_REQUEST, f"{field} must be a string", field=field)
    return sha, field


def _etag(body):
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def etag_matches(if_none_match, etag):
    """Whether an ``If-None-Match`` header's value names ``etag`` (weakly) or ``*``."""
    if not if_none_match:
        return False
    candidates = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return etag in candidates or "*" in candidates


# What every answer to /graphql/ varies by, and how long a client may reuse a cacheable one.
VARY = "Accept, Authorization, Cookie, X-Preview-Token"


def cache_control():
    return f"private, max-age={settings.GRAPHQL_HTTP_MAX_AGE}"


def cached_answer(answer_key, principal_key, if_none_match=None):
    """``((body, status, etag) or None, the Redis lookup made or None)`` of a persisted GET
    by token: from this process's memory, else generations and answer in one round trip.
    A revalidation (``if_none_match``) reads the answer's tag from Redis, not the answer:
    when its ETag matches, the body is None (a 304 sends none)."""
    lookup = None
    hit = local_cache.get(answer_key)
    if hit is None:
        lookup = cache.Lookup(principal_key, answer_key, revalidating=bool(if_none_match))
        local_cache.note_generations(lookup.generations)
        tag = lookup.tag()
        if tag is not None and etag_matches(if_none_match, tag[1]):
            hit = (None, *tag)
        else:
            hit = lookup.answer()
            if hit is not None:
                local_cache.put(answer_key, lookup.generations, hit, len(hit[0]))
    if hit is not None and (hit[3] is None or hit[3] > timezone.now()):
        return hit[:3], lookup
    return None, lookup


def _media_type(request):
    return media_types.negotiate(request.META.get("HTTP_ACCEPT"))


def _error_response(request, error):
    response = JsonResponse(error_body(error.code, error.message, **_field(error)), status=error.status,
                            content_type=_media_type(request))
    response["Cache-Control"] = "no-store"
    return response


def _field(error):
    field = (error.extensions or {}).get("field")
    return {"field": field} if field else {}


@method_decorator(csrf_exempt, name="dispatch")
class ApiView(View):
    http_method_names = ["get", "post", "head"]

    def http_method_not_allowed(self, request, *args, **kwargs):
        response = JsonResponse(error_body(ErrorCode.METHOD_NOT_ALLOWED, "use GET or POST"), status=405)
        response["Allow"] = "GET, HEAD, POST"
        return response

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except ApiError as error:
            return _error_response(request, error)
        except Exception:
            logger.exception("GraphQL request failed")
            return JsonResponse(error_body(ErrorCode.INTERNAL_ERROR, "internal error"), status=500)

    def get(self, request):
        if settings.GRAPHQL_GRAPHIQL and not request.GET and _wants_html(request):
            authenticate(request)
            return _graphiql(request)
        return self.answer(request)

    def post(self, request):
        return self.answer(request)

    def answer(self, request):
        data = _body(request)
        operation = None
        lookup = None
        token = bearer_token(request)
        preview = request.META.get("HTTP_X_PREVIEW_TOKEN")
        if token is not None and not preview and request.method in READS and cache.enabled():
            # Persisted GETs by token (most of them take the lean route, cms.graphql_reads).
            operation = Operation(data)
            if operation.persisted is not None:
                digest = token_digest(token)
                hit, lookup = cached_answer(operation.cache_key(digest), principal_key(digest),
                                            request.META.get("HTTP_IF_NONE_MATCH"))
                if hit is not None:
                    return self.respond(request, operation, *hit)
        request.principal = authenticate(request, lookup)
        request.preview = read_preview_token(preview) if preview else None
        operation = operation or Operation(data)
        body, status, clean = self.execute(request, operation)
        http_cacheable = request.method in READS and operation.persisted is not None and request.preview is None
        etag = _etag(body) if http_cacheable and clean else None
        if lookup is not None and lookup.answer_key and clean:
            answer = (body, status, etag, getattr(request.principal, "expires_at", None))
            lookup.put_answer(answer, answer[1:], settings.GRAPHQL_CACHE_TIMEOUT)  # the tag: all but the body
            local_cache.put(lookup.answer_key, lookup.generations, answer, len(body))
        return self.respond(request, operation, body, status, etag)

    def execute(self, request, operation):
        with budget.spending():
            data, errors = run(operation.text, operation.variables, operation.operation_name, request)
        payload = {"errors": errors, "data": data} if errors else {"data": data}
        if errors and data is None:
            payload.pop("data")
        legacy_json = _media_type(request) == media_types.JSON
        return encode(payload), status_for(errors, legacy_json), not errors

    def respond(self, request, operation, body, status, etag):
        if etag is not None and etag_matches(request.META.get("HTTP_IF_NONE_MATCH"), etag):
            # No Content-Type: a cache would take it over for the stored answer (RFC 9111 4.3.4).
            response = HttpResponseNotModified()
        else:
            response = HttpResponse(body, status=status, content_type=_media_type(request))
        if etag is not None:
            response["ETag"] = etag
            response["Cache-Control"] = cache_control()
        else:
            response["Cache-Control"] = "no-store"
        response["Vary"] = VARY
        return response


def _wants_html(request):
    accept = request.META.get("HTTP_ACCEPT", "")
    return "text/html" in accept and "application/json" not in accept


def _graphiql(request):
    return GraphQLView.as_view(graphiql=True)(request)


graphql_view = checks_own_input(ApiView.as_view())
