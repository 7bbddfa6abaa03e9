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

Reading and checking a request, and choosing its operation, are ``api.graphql.http``'s.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from graphql import GraphQLError, OperationType
from starlette.datastructures import Headers
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
from api.domain.purges import FEED
from api.errors import ServiceUnavailable
from api.graphql.core.context import Context, build_context
from api.graphql.core.errors import (
    BAD_REQUEST,
    INTERNAL,
    OPERATION_RESOLUTION_FAILURE,
    UNAVAILABLE,
    Phase,
    format_error,
)
from api.graphql.execution.fast_path import FastPath
from api.graphql.execution.lean_http import lean_response
from api.graphql.graphiql import graphiql_page, graphiql_routes
from api.graphql.http import body as request_body
from api.graphql.http.media import GRAPHQL_RESPONSE, negotiate
from api.graphql.http.operations import operation_plan
from api.graphql.metrics import record_graphql
from api.graphql.persisted import PersistedQueries, PersistedQueryError, load_manifest
from api.graphql.schema import build_schema
from api.http.caching import (
    PRIVATE,
    CacheClass,
    cache_control,
    cached_json,
    is_private,
    purge_key_headers,
)
from api.http.positions import position_headers
from api.settings import Settings

PATH = "/graphql"
NOSNIFF = (b"x-content-type-options", b"nosniff")


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
        # Known queries the SQL plans cover skip strawberry's pipeline (execution.fast_path).
        graphql_schema = self.schema._schema  # type: ignore[attr-defined]
        self.lean = FastPath(graphql_schema) if settings.graphql_compiled else None
        manifest = settings.graphql_trusted_documents
        self.persisted = PersistedQueries(load_manifest(manifest) if manifest else None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":  # subscriptions; the access gate checked the key
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, request_body.limited(receive, Headers(scope=scope)))
        media_type = negotiate(request.headers.get("accept"))
        request.state.graphql_media_type = media_type
        response: Response | bytes
        try:
            response = await self._respond(request, media_type)
        except PersistedQueryError as error:
            response = Response(
                error.body(), error.status, {"Cache-Control": "no-store"}, media_type=media_type
            )
        except HTTPException as error:
            response = self._http_error(error, request)
        except Exception as error:  # the session could not open, commit or roll back
            fault = db_fault(error)
            if fault is None:
                raise
            response = self._unavailable(fault, media_type)
        if isinstance(response, bytes):  # the lean path's POST answer: no object around it
            await _send_json(send, response, media_type)
            return
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        await response(scope, receive, send)

    async def _respond(self, request: Request, media_type: str) -> Response | bytes:
        if self.lean is not None:
            body = await lean_response(self.lean, self.persisted, request)
            request.state.graphql_cacheable = body is not None
            if body is not None:
                if request.method == "POST":
                    return body
                return _cacheable_get(request, Response(body, media_type=media_type), media_type)
        response = await self.run(request)
        if request.method == "GET" and response.status_code == 200:
            return _cacheable_get(request, response, media_type)
        return response

    def _unavailable(self, fault: ServiceUnavailable, media_type: str) -> Response:
        body = {"errors": [{"message": fault.detail, "extensions": {"code": fault.code}}]}
        headers = {"Retry-After": str(fault.retry_after)}
        return Response(orjson.dumps(body), 503, headers, media_type=media_type)

    def _http_error(self, error: HTTPException, request: Request) -> Response:
        status, headers = error.status_code, {}
        code = error.code if isinstance(error, request_body.RequestRefused) else BAD_REQUEST
        if status == 405:
            code = "METHOD_NOT_ALLOWED"
            headers["Allow"] = getattr(request.state, "graphql_allow", "GET, POST")
        media_type = request.state.graphql_media_type
        body = {"errors": [{"message": error.reason, "extensions": {"code": code}}]}
        return Response(orjson.dumps(body), status, headers, media_type=media_type)

    async def get_context(self, request: Any, response: Any) -> Context:
        return build_context(request)

    def should_render_graphql_ide(self, request: Any) -> bool:
        # A persisted query by hash is a GET without `query`: an operation, not the IDE.
        if "extensions" in request.query_params:
            return False
        return bool(super().should_render_graphql_ide(request))

    async def render_graphql_ide(self, request: Request) -> Response:
        return graphiql_page()  # served from here, with the pages' security headers

    def parse_json(self, data: str | bytes) -> object:
        return request_body.parse_json(data)

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        request_data = await super().parse_http_body(request)
        if isinstance(request_data, GraphQLRequestData):  # batches are refused above
            request_body.check_request(request_data)
            params = {"query": request_data.query, "extensions": request_data.extensions}
            request_data.query = self.persisted.resolve(params)["query"]
        return request_data

    async def execute_single(
        self,
        request: Request,
        request_adapter: Any,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        kind, offload, refusal, primary = operation_plan(
            request_data.query, request_data.operation_name
        )
        # For the operation metrics, counted once the result is formatted (process_result).
        request.state.graphql_request = (request_data.query, request_data.operation_name)
        if refusal is not None:  # a request error, answered as validation errors are
            code = {"code": OPERATION_RESOLUTION_FAILURE}
            return PreExecutionError(data=None, errors=[GraphQLError(refusal, extensions=code)])
        if kind is OperationType.SUBSCRIPTION:
            raise HTTPException(
                400, "subscriptions run over a WebSocket to /graphql (graphql-transport-ws)"
            )
        # GET never writes: a mutation over GET is refused (405) below, in a read session.
        write = request.method == "POST" and kind is OperationType.MUTATION
        database: Database = request.app.state.db
        try:
            async with database.session(write=write, offload=offload, primary=primary) as session:
                context.run.bind(session, writable=write)
                if write:  # committed as the block ends; failed mutations left nothing
                    result = await super().execute_single(
                        request, request_adapter, sub_response, context, root_value, request_data
                    )
                    written = position_headers(context.run.position, database.replicas)
                    sub_response.headers.update(written)
                    return result
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
        # A GET's answer may be cached only when it holds no error (_cacheable_get).
        request.state.graphql_cacheable = not formatted
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


async def _send_json(send: Send, body: bytes, media_type: str) -> None:
    """A 200 with a JSON body: the headers ``Response`` would write, and no-sniff."""
    headers = [
        (b"content-length", str(len(body)).encode("latin-1")),
        (b"content-type", media_type.encode("latin-1")),
        NOSNIFF,
    ]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _cacheable_get(request: Request, response: Response, media_type: str) -> Response:
    """A query's answer over GET, with a strong ETag (304 when the client's copy is current)
    and the GraphQL route class's freshness: a CDN or browser may keep it. Answers to
    requests that carry a key stay private, and answers with errors are not kept at all.
    Any answer may show any article or count over them: its purge key is "feed", which
    every change purges."""
    if not getattr(request.state, "graphql_cacheable", False):
        response.headers["Cache-Control"] = "no-store"
        return response
    settings: Settings = request.app.state.settings
    headers = {"Vary": "Accept, Accept-Encoding, Authorization, X-API-Key"}
    if is_private(request, settings):
        control = PRIVATE
    else:
        control = cache_control(CacheClass.GRAPHQL, settings)
        headers |= purge_key_headers((FEED,))
    return cached_json(
        request,
        bytes(response.body),
        cache_control=control,
        media_type=media_type,
        extra_headers=headers,
    )


def graphql_routes(settings: Settings) -> list[BaseRoute]:
    """``/graphql`` exactly: a Route (not a Mount), so no redirect to ``/graphql/``."""
    view = GraphQLView(settings)
    return [
        # The body limit is the view's own (http.body.limited): its refusal is GraphQL JSON.
        Route(PATH, endpoint=view, name="graphql"),
        WebSocketRoute(PATH, endpoint=view, name="graphql-ws"),
        *graphiql_routes(),
    ]
