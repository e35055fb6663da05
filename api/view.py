"""Strawberry's ASGI view, held to the GraphQL over HTTP specification.

- Media types: `application/graphql-response+json` when the client accepts it (request
  errors then get 400), else `application/json`; anything else is 406.
- GET runs queries only: a mutation over GET is 405 with `Allow: POST`.
- Every operation needs credentials: none or bad ones give 401 with a GraphQL error whose
  code is UNAUTHENTICATED. GraphiQL (GET from a browser) loads without them.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

import orjson
from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.types.unset import UNSET, UnsetType

from api.auth import AuthenticationFailed, authenticate
from api.context import Context, Services
from patronage.observability import request_id_var

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"

_media_type: ContextVar[str] = ContextVar("media_type", default=JSON)


def negotiate(accept: str | None) -> str | None:
    """The response media type for an Accept header, or None when none is acceptable."""
    if not accept:
        return JSON
    offered: list[tuple[float, str]] = []
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        offered.append((q, media.lower()))
    for _q, media in sorted(offered, key=lambda t: -t[0]):
        if _q <= 0:
            continue
        if media == GRAPHQL_RESPONSE:
            return GRAPHQL_RESPONSE
        if media in {JSON, "application/*", "*/*"}:
            return JSON
        if media == "text/html":
            # Browsers get GraphiQL on GET; for POST they are served JSON.
            return JSON
    return None


def _error_body(message: str, code: str) -> bytes:
    return orjson.dumps({"errors": [{"message": message, "extensions": {"code": code}}]})


class PatronageGraphQL(GraphQL[Context, None]):
    """The /graphql endpoint (HTTP and WebSocket)."""

    def __init__(self, schema: Any, services: Services) -> None:
        super().__init__(schema, graphql_ide="graphiql", allow_queries_via_get=True)
        self.services = services

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        media = negotiate(request.headers.get("accept"))
        wants_ide = request.method == "GET" and "text/html" in request.headers.get("accept", "")
        if media is None and not wants_ide:
            response: Response = self._error(
                f"Not acceptable: this endpoint serves {GRAPHQL_RESPONSE} or {JSON}",
                "NOT_ACCEPTABLE",
                406,
                JSON,
            )
        else:
            token = _media_type.set(media or JSON)
            try:
                response = await self.run(request)
            except AuthenticationFailed as e:
                response = self._error(str(e), "UNAUTHENTICATED", 401, media or JSON)
                response.headers["WWW-Authenticate"] = 'Bearer realm="patronage"'
            except HTTPException as e:
                response = self._http_error(request, e, media or JSON)
            finally:
                _media_type.reset(token)
        await response(scope, receive, send)

    def _http_error(self, request: Request, e: HTTPException, media: str) -> Response:
        if e.status_code == 400 and request.method == "GET" and "mutation" in e.reason.lower():
            response = self._error(
                "Mutations are not allowed over GET; use POST", "METHOD_NOT_ALLOWED", 405, media
            )
            response.headers["Allow"] = "POST"
            return response
        return self._error(e.reason, "BAD_REQUEST", e.status_code, media)

    @staticmethod
    def _error(message: str, code: str, status: int, media: str) -> Response:
        return Response(_error_body(message, code), status_code=status, media_type=media)

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        principal = None
        if isinstance(request, Request):
            # Queries need credentials; GraphiQL's page itself does not.
            principal = await self._principal_for_http(request)
        return Context(
            services=self.services,
            request=request,
            principal=principal,
            request_id=request_id_var.get() or "-",
        )

    async def _principal_for_http(self, request: Request) -> Any:
        if request.method == "GET" and self.should_render_graphql_ide(
            self.request_adapter_class(request)
        ):
            return None
        return await authenticate(self.services, request.headers.get("authorization"))

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        params = context.connection_params if isinstance(context.connection_params, dict) else {}
        header = (
            params.get("Authorization")
            or params.get("authorization")
            or context.request.headers.get("authorization")
        )
        try:
            context.principal = await authenticate(self.services, header)
        except AuthenticationFailed as e:
            raise ConnectionRejectionError({"code": "UNAUTHENTICATED", "message": str(e)}) from e
        return UNSET

    def create_response(self, response_data: Any, sub_response: Response) -> Response:
        media = _media_type.get()
        status = 200
        if isinstance(response_data, dict) and response_data.get("data") is None:
            errors = response_data.get("errors") or []
            if errors and all("path" not in e for e in errors):
                # A request error (parse, validation, refused before execution): per the
                # spec the response has no `data`, and 400 under the new media type.
                response_data = {k: v for k, v in response_data.items() if k != "data"}
                if media == GRAPHQL_RESPONSE:
                    status = 400
        response = Response(self.encode_json(response_data), status_code=status, media_type=media)
        response.headers.raw.extend(sub_response.headers.raw)
        if sub_response.status_code:
            response.status_code = sub_response.status_code
        return response
