"""The HTTP door for GraphQL: ``/graphql`` over strawberry's ASGI view, per GraphQL-over-HTTP.

- POST (JSON) runs any operation; GET runs queries only (a mutation over GET is a 405).
- ``Accept: application/graphql-response+json`` gets that media type and the spec's
  status codes (400 when the request failed before execution); otherwise
  ``application/json`` with 200 for any GraphQL result.
- One database session per request, opened here and ended once the result is built: a
  query's is read-only and rolled back; a mutation's (POST only) is a writing transaction
  (BEGIN IMMEDIATE on SQLite) committed at the end, each mutation field inside a SAVEPOINT.
- A WebSocket on the same path carries subscriptions (graphql-transport-ws); they open
  their own short sessions (api.graphql.sync.subscriptions).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any, NamedTuple

import orjson
from cross_web import HTTPException
from graphql import (
    FieldNode,
    GraphQLError,
    OperationType,
    Visitor,
    get_operation_ast,
    parse,
    visit,
)
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter, GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError

from api.db.database import Database
from api.db.faults import db_fault
from api.errors import ServiceUnavailable
from api.graphql.core.context import Context, build_context
from api.graphql.core.errors import INTERNAL, UNAVAILABLE, Phase, format_error
from api.graphql.limits.rules import MAX_BODY_BYTES, MAX_TOKENS
from api.graphql.metrics import record_graphql
from api.graphql.schema import build_schema
from api.settings import Settings

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
PATH = "/graphql"


def negotiate(accept: str | None) -> str:
    """The response media type for an Accept header: the one the client prefers, by q."""
    if not accept:
        return JSON
    best, best_q = JSON, -1.0
    for part in accept.split(","):
        media, _, params = part.strip().partition(";")
        media = media.strip().lower()
        if media not in (GRAPHQL_RESPONSE, JSON, "application/*", "*/*"):
            continue
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        # An explicit graphql-response+json beats a wildcard or json at the same q.
        candidate = GRAPHQL_RESPONSE if media == GRAPHQL_RESPONSE else JSON
        if q > best_q or (q == best_q and candidate == GRAPHQL_RESPONSE):
            best, best_q = candidate, q
    return best if best_q > 0 else JSON


# Documents above this are parsed every time: the cache must not hold 256 KiB bodies.
CACHED_DOCUMENT_CHARS = 8192


# Fields whose resolvers rank or score (search, related, trending): a document selecting
# any of them keeps its reads off the event loop's thread on SQLite (Database.session).
OFFLOADED_FIELDS = frozenset({"search", "related", "relatedEntities", "trendingEntities"})


class OperationPlan(NamedTuple):
    kind: OperationType | None
    offload: bool


def operation_plan(query: str | None, operation_name: str | None) -> OperationPlan:
    """What a request's operation is, known before the session opens.

    ``kind`` is None for anything that does not parse or select exactly one operation:
    execution then refuses it without touching the database, with the proper error.
    """
    if not query:
        return OperationPlan(None, False)
    if len(query) <= CACHED_DOCUMENT_CHARS:
        return _operation_plan_cached(query, operation_name)
    return _operation_plan(query, operation_name)


@lru_cache(maxsize=256)
def _operation_plan_cached(query: str, operation_name: str | None) -> OperationPlan:
    return _operation_plan(query, operation_name)


class _FieldNames(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_field(self, node: FieldNode, *_args: object) -> None:
        self.names.add(node.name.value)


def _operation_plan(query: str, operation_name: str | None) -> OperationPlan:
    try:
        document = parse(query, max_tokens=MAX_TOKENS, no_location=True)
    except GraphQLError:
        return OperationPlan(None, False)
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return OperationPlan(None, False)
    fields = _FieldNames()
    visit(document, fields)  # fragments included: they may hold the heavy fields
    return OperationPlan(operation.operation, not fields.names.isdisjoint(OFFLOADED_FIELDS))


class TextFrames(ASGIWebSocketAdapter):
    """graphql-transport-ws messages go out as text frames, as the protocol requires
    (``encode_json`` gives bytes, which strawberry would send as binary frames)."""

    async def send_json(self, message: Mapping[str, object]) -> None:
        try:
            await self.ws.send_text(orjson.dumps(message).decode())
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc


class GraphQLView(GraphQL[Context, None]):
    websocket_adapter_class = TextFrames

    def __init__(self, settings: Settings) -> None:
        super().__init__(
            build_schema(debug=settings.debug, compiled=settings.graphql_compiled),
            graphql_ide="graphiql",
            # Subscriptions: graphql-transport-ws only (the legacy graphql-ws is not offered).
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            allowed_origins=settings.cors_origins,
        )
        self.debug = settings.debug

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":  # subscriptions; the access gate checked the key
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        media_type = negotiate(request.headers.get("accept"))
        request.state.graphql_media_type = media_type
        try:
            response = await self.run(request)
        except HTTPException as error:
            response = self._http_error(error, request)
        except Exception as error:  # the session could not open, commit or roll back
            fault = db_fault(error)
            if fault is None:
                raise
            response = self._unavailable(fault, media_type)
        await response(scope, receive, send)

    def _unavailable(self, fault: ServiceUnavailable, media_type: str) -> Response:
        body = {"errors": [{"message": fault.detail, "extensions": {"code": fault.code}}]}
        headers = {"Retry-After": str(fault.retry_after)}
        return Response(orjson.dumps(body), 503, headers, media_type=media_type)

    def _http_error(self, error: HTTPException, request: Request) -> Response:
        status, headers, code = error.status_code, {}, "BAD_REQUEST"
        if status == 405:
            code = "METHOD_NOT_ALLOWED"
            headers["Allow"] = getattr(request.state, "graphql_allow", "GET, POST")
        media_type = request.state.graphql_media_type
        body = {"errors": [{"message": error.reason, "extensions": {"code": code}}]}
        return Response(orjson.dumps(body), status, headers, media_type=media_type)

    async def get_context(self, request: Any, response: Any) -> Context:
        return build_context(request)

    async def execute_single(
        self,
        request: Request,
        request_adapter: Any,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        kind, offload = operation_plan(request_data.query, request_data.operation_name)
        if kind is OperationType.SUBSCRIPTION:
            raise HTTPException(
                400, "subscriptions run over a WebSocket to /graphql (graphql-transport-ws)"
            )
        # For the operation metrics, counted once the result is formatted (process_result).
        request.state.graphql_request = (request_data.query, request_data.operation_name)
        # GET never writes: a mutation over GET is refused (405) below, in a read session.
        write = request.method == "POST" and kind is OperationType.MUTATION
        database: Database = request.app.state.db
        try:
            async with database.session(write=write, offload=offload) as session:
                context.run.bind(session, writable=write)
                if write:  # committed as the block ends; failed mutations left nothing
                    return await super().execute_single(
                        request, request_adapter, sub_response, context, root_value, request_data
                    )
                try:
                    return await super().execute_single(
                        request, request_adapter, sub_response, context, root_value, request_data
                    )
                finally:
                    # Queries only read: end with a rollback, which (unlike a commit)
                    # cannot fail on a transaction an error broke.
                    await session.rollback()
        except HTTPException as error:
            cause = error.__cause__
            if isinstance(cause, InvalidOperationTypeError) and request.method == "GET":
                # GraphQL-over-HTTP: a mutation over GET is 405, not 400.
                request.state.graphql_allow = "POST"
                reason = f"{cause.as_http_error_reason('GET')}; send them with POST"
                raise HTTPException(405, reason) from error
            raise

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        errors = result.errors or []
        # Nothing executed: a parse/validation/limit error, or variables that did not coerce.
        request_error = isinstance(result, PreExecutionError) or (
            result.data is None and bool(errors) and all(e.path is None for e in errors)
        )
        if isinstance(result, PreExecutionError):
            phase = Phase.PREPARE
        else:
            phase = Phase.VARIABLES if request_error else Phase.EXECUTION
        formatted = [format_error(e, phase, debug=self.debug) for e in errors]
        query, operation_name = getattr(request.state, "graphql_request", (None, None))
        record_graphql(request, query, operation_name, formatted)
        response: GraphQLHTTPResponse = {}
        if not request_error:
            response["data"] = result.data
        if formatted:
            response["errors"] = list(formatted)
        if result.extensions:
            response["extensions"] = result.extensions
        if any(e["extensions"]["code"] == UNAVAILABLE for e in formatted):
            # The database failed under this request: a retryable 503 whatever was asked.
            sub_response = request.state.graphql_sub_response
            sub_response.status_code = 503
            sub_response.headers["Retry-After"] = str(ServiceUnavailable.retry_after)
        elif request_error and request.state.graphql_media_type == GRAPHQL_RESPONSE:
            internal = any(e["extensions"]["code"] == INTERNAL for e in formatted)
            request.state.graphql_sub_response.status_code = 500 if internal else 400
        return response

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        # The request is not passed here, so the negotiated type rides on the sub-response.
        return Response(
            orjson.dumps(response_data),
            status_code=sub_response.status_code or 200,
            headers=dict(sub_response.headers),
            media_type=sub_response.media_type,
        )

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        sub_response = await super().get_sub_response(request)
        sub_response.media_type = request.state.graphql_media_type
        request.state.graphql_sub_response = sub_response
        return sub_response

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)


def graphql_routes(settings: Settings) -> list[BaseRoute]:
    """``/graphql`` exactly: a Route (not a Mount), so no redirect to ``/graphql/``."""
    view = GraphQLView(settings)
    return [
        Route(PATH, endpoint=view, name="graphql", max_body_size=MAX_BODY_BYTES),
        WebSocketRoute(PATH, endpoint=view, name="graphql-ws"),
    ]
