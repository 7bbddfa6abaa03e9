"""OpenAPI 3.1 built from the declared operations and their pydantic models."""

from __future__ import annotations

from functools import cache
from http import HTTPStatus
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from api.access.middleware import PROBE_PATHS
from api.db.replicas import POSITION_HEADER
from api.http.problems import PROBLEM_MEDIA_TYPE
from api.rest.contract.examples import EXAMPLES
from api.rest.core.operations import Operation
from api.rest.core.preconditions import IF_MATCH_MAX_LENGTH
from api.rest.core.responses import Problem
from api.rest.routes import OPERATIONS

REF_TEMPLATE = "#/components/schemas/{model}"
JSON = "application/json"
# Every GET can answer these, whatever the operation (503: a time budget, the concurrency
# limit or a database fault; it carries Retry-After).
COMMON_STATUSES = (400, 405, 500, 503)
API_VERSION = "1.0.0"


def _problem(status: int) -> dict[str, Any]:
    problem: dict[str, Any] = {
        "description": HTTPStatus(status).phrase,
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": REF_TEMPLATE.format(model="Problem")}}},
    }
    if status == 503:
        problem["headers"] = {
            "Retry-After": {
                "description": "Seconds to wait before retrying.",
                "schema": {"type": "integer"},
            }
        }
    return problem


def _inline(node: Any, definitions: dict[str, Any]) -> Any:
    """Inline local ``$ref``s so each query parameter's schema stands alone."""
    if isinstance(node, dict):
        if "$ref" in node:
            target = _inline(definitions[node["$ref"].rsplit("/", 1)[-1]], definitions)
            rest = {k: v for k, v in node.items() if k != "$ref"}
            return {**target, **rest}
        return {key: _inline(value, definitions) for key, value in node.items()}
    if isinstance(node, list):
        return [_inline(item, definitions) for item in node]
    return node


def _param_schema(prop: dict[str, Any]) -> dict[str, Any]:
    # A query parameter is absent or a value; it is never JSON null.
    branches = prop.get("anyOf")
    if branches is not None:
        concrete = [b for b in branches if b.get("type") != "null"]
        if len(concrete) == 1:
            prop = {**{k: v for k, v in prop.items() if k != "anyOf"}, **concrete[0]}
    prop.pop("title", None)
    if prop.get("default", ...) is None:
        prop.pop("default")
    return prop


def _query_parameters(operation: Operation) -> list[dict[str, Any]]:
    schema = operation.query.model_json_schema(mode="validation")
    definitions = schema.get("$defs", {})
    required = set(schema.get("required", []))
    parameters = []
    for name, raw in schema.get("properties", {}).items():
        prop = _inline(dict(raw), definitions)
        description = prop.pop("description", None)
        examples = prop.pop("examples", None)
        parameter: dict[str, Any] = {
            "name": name,
            "in": "query",
            "required": name in required,
            "schema": _param_schema(prop),
        }
        if prop.get("type") == "array":
            parameter.update(style="form", explode=True)
        if description:
            parameter["description"] = description
        if examples:
            parameter["example"] = examples[0]
        parameters.append(parameter)
    return parameters


def _path_parameters(operation: Operation) -> list[dict[str, Any]]:
    return [
        {
            "name": param.name,
            "in": "path",
            "required": True,
            "description": param.description,
            "schema": {"type": "string", "pattern": param.pattern, "maxLength": param.max_length},
            "example": param.example,
        }
        for param in operation.path_params
    ]


SECURITY_SCHEMES = {
    "bearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "description": "An API key from `broadsheet keys create`.",
    },
    "apiKeyHeader": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
}
# Either scheme carries a key; writes and private reads need one.
KEY_REQUIRED: list[dict[str, list[str]]] = [{"bearerAuth": []}, {"apiKeyHeader": []}]
# Public reads take one when sent (it is checked, and counts against the key's own limit).
KEY_OPTIONAL = [{}, *KEY_REQUIRED]
# The probes never look at a key.
NO_KEY: list[dict[str, list[str]]] = [{}]
# What the access gate can answer before any operation runs.
GATE_STATUSES = (401, 429)
IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "description": "The ETag of your last read of this article (optimistic concurrency).",
    "schema": {"type": "string", "maxLength": IF_MATCH_MAX_LENGTH},
}


# What each operation on an item leads to: after a create, read or change the client holds
# the item's key and current ETag; after a delete it can only check the item is gone.
FOLLOW_UPS = {
    "POST": ("GET", "PATCH", "PUT", "DELETE"),
    "GET": ("PATCH", "PUT", "DELETE"),
    "PATCH": ("GET", "PATCH", "PUT", "DELETE"),
    "PUT": ("GET", "PATCH", "PUT", "DELETE"),
    "DELETE": ("GET",),
}
CHANGES = ("PATCH", "PUT", "DELETE")


def _item_links(operations: tuple[Operation, ...]) -> dict[str, dict[str, Any]]:
    """OpenAPI links of each operation's success response, keyed by operation id.

    Derived from the route table, so a new resource gets them by declaring its item path
    parameter's ``response_field``: a create's or read's body names the item, its ETag is
    what a change must send as If-Match.
    """
    by_path: dict[str, dict[str, Operation]] = {}
    for operation in operations:
        by_path.setdefault(operation.path, {})[operation.method] = operation
    links: dict[str, dict[str, Any]] = {}
    for path, items in by_path.items():
        params = next(iter(items.values())).path_params
        if len(params) != 1 or not path.endswith(f"/{{{params[0].name}}}"):
            continue
        param = params[0]
        create = by_path.get(path.rsplit("/", 1)[0], {}).get("POST")
        sources = [*items.values(), *([create] if create and create.success == 201 else [])]
        for source in sources:
            key = (
                f"$request.path.{param.name}"
                if source.method == "DELETE"
                else f"$response.body#/{param.response_field}"
            )
            for method in FOLLOW_UPS.get(source.method, ()):
                target = items.get(method)
                if target is None:
                    continue
                parameters = {f"path.{param.name}": key}
                if method in CHANGES and source.method != "DELETE":
                    parameters["header.If-Match"] = "$response.header.ETag"
                link: dict[str, Any] = {
                    "operationId": target.operation_id,
                    "parameters": parameters,
                    "description": target.summary,
                }
                # A body that repeats the identity (PUT of a source) must repeat the same one.
                if target.body is not None and param.name in target.body.model_fields:
                    link["requestBody"] = {param.name: key}
                links.setdefault(source.operation_id, {})[target.operation_id] = link
    return links


_POSITION = {
    "description": (
        "The changes-log position of this write (absent when it logged no change). Send it "
        "back in a `Broadsheet-Position` request header and reads see this write even when "
        "served by a read replica (docs/moving-to-postgresql.md#read-replicas)."
    ),
    "schema": {"type": "string", "pattern": "^[0-9]+$"},
}


def _write_operation(operation: Operation) -> dict[str, Any]:
    """Responses, body and security of a non-GET operation."""
    responses: dict[str, Any] = {}
    if operation.success == 204:
        responses["204"] = {
            "description": "Done; nothing to return.",
            "headers": {POSITION_HEADER: _POSITION},
        }
    else:
        model = operation.response.__name__
        headers: dict[str, Any] = {
            "ETag": {"description": "Versioned strong validator.", "schema": {"type": "string"}},
            POSITION_HEADER: _POSITION,
        }
        if operation.success == 201:
            headers["Location"] = {"description": "The new resource.", "schema": {"type": "string"}}
        responses[str(operation.success)] = {
            "description": HTTPStatus(operation.success).phrase,
            "headers": headers,
            "content": {
                "application/json": {
                    "schema": {"$ref": REF_TEMPLATE.format(model=model)},
                    "example": EXAMPLES[operation.operation_id],
                }
            },
        }
    for status in sorted({*COMMON_STATUSES, *GATE_STATUSES, 403, *operation.statuses}):
        responses[str(status)] = _problem(status)
    spec: dict[str, Any] = {"responses": responses}
    if operation.body is not None:
        ref = {"$ref": REF_TEMPLATE.format(model=operation.body.__name__)}
        media = ["application/json"]
        if operation.method == "PATCH":
            media.append("application/merge-patch+json")
        spec["requestBody"] = {"required": True, "content": {m: {"schema": ref} for m in media}}
    if operation.scope is not None:
        spec["security"] = KEY_REQUIRED
        spec["x-required-scope"] = operation.scope.value
    return spec


# Named by public answers only (api.http.caching): what a cache in front may purge them by.
PURGE_KEY_HEADERS = {
    name: {"description": description, "schema": {"type": "string"}}
    for name, description in (
        ("Surrogate-Key", "Purge keys of what this answer shows, space-separated."),
        ("xkey", "The same keys, for Varnish's xkey vmod."),
        ("Cache-Tag", "The same keys, comma-separated."),
    )
}


def _operation(operation: Operation) -> dict[str, Any]:
    if operation.method != "GET":
        return _with_common(operation, _write_operation(operation))
    model = operation.response.__name__
    responses: dict[str, Any] = {
        "200": {
            "description": "OK",
            "headers": {
                "ETag": {"description": "Strong validator.", "schema": {"type": "string"}},
                "Cache-Control": {"schema": {"type": "string"}},
            },
            "content": {
                operation.media_type: {"schema": {"$ref": REF_TEMPLATE.format(model=model)}}
            },
        },
        "304": {"description": "Not modified: the copy named by If-None-Match is current."},
    }
    if operation.cache_control is None and operation.scope is None:  # a cacheable public read
        responses["200"]["headers"] |= PURGE_KEY_HEADERS
    probe = operation.path in PROBE_PATHS
    gate = () if probe else GATE_STATUSES
    for status in sorted({*COMMON_STATUSES, *gate, *operation.statuses}):
        if status == 503 and operation.endpoint is not None:
            if 503 not in operation.statuses:
                continue  # probes bypass admission and most budgets
            if operation.media_type == JSON:  # readiness answers 503 as itself
                responses["503"] = responses["200"] | {"description": "Not ready"}
                continue
        responses[str(status)] = _problem(status)
    content = responses["200"]["content"][operation.media_type]
    content["example"] = EXAMPLES[operation.operation_id]
    spec: dict[str, Any] = {"responses": responses}
    if operation.scope is not None:  # a private read
        spec["security"] = KEY_REQUIRED
        spec["x-required-scope"] = operation.scope.value
    else:
        spec["security"] = NO_KEY if probe else KEY_OPTIONAL
    return _with_common(operation, spec)


def _with_common(operation: Operation, partial: dict[str, Any]) -> dict[str, Any]:
    parameters = [*_path_parameters(operation), *_query_parameters(operation)]
    if operation.method in ("PUT", "PATCH", "DELETE") and operation.path_params:
        parameters.append(IF_MATCH | {"required": operation.requires_if_match})
    spec: dict[str, Any] = {
        "operationId": operation.operation_id,
        "summary": operation.summary,
        "tags": [operation.tag],
        **partial,
    }
    if operation.description:
        spec["description"] = operation.description
    if parameters:
        spec["parameters"] = parameters
    return spec


def build_openapi(operations: tuple[Operation, ...]) -> dict[str, Any]:
    models: list[type[BaseModel]] = [Problem, *(op.response for op in operations)]
    unique = list(dict.fromkeys(models))
    bodies = list(dict.fromkeys(op.body for op in operations if op.body is not None))
    _, definitions = models_json_schema(
        [(model, "serialization") for model in unique]
        + [(model, "validation") for model in bodies],
        ref_template=REF_TEMPLATE,
    )
    links = _item_links(operations)
    paths: dict[str, Any] = {}
    for operation in operations:
        spec = _operation(operation)
        if operation.operation_id in links:
            success = spec["responses"][str(operation.success)]
            success["links"] = links[operation.operation_id]
        paths.setdefault(operation.path, {})[operation.method.lower()] = spec
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Broadsheet",
            "version": API_VERSION,
            "summary": "Articles, sources, entities and related links of a news aggregator.",
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "servers": [{"url": "/"}],
        "tags": [
            {"name": "articles", "description": "The feed and article pages."},
            {"name": "sources", "description": "Publishers."},
            {"name": "categories", "description": "Editorial categories."},
            {"name": "entities", "description": "What articles mention."},
            {"name": "stories", "description": "One event told by several sources."},
            {"name": "operations", "description": "Health and readiness."},
            {"name": "sync", "description": "The changes log, for mirrors."},
            {"name": "feeds", "description": "RSS, Atom, JSON Feed and the live stream."},
            {"name": "webhooks", "description": "Signed pushes of article events."},
        ],
        "security": KEY_OPTIONAL,
        "paths": paths,
        "components": {
            "schemas": dict(sorted(definitions.get("$defs", {}).items())),
            "securitySchemes": SECURITY_SCHEMES,
        },
    }


@cache
def openapi_document() -> dict[str, Any]:
    return build_openapi(OPERATIONS)
