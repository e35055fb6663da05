"""Idempotency for every mutation.

The key comes from the `Idempotency-Key` header or from an `idempotencyKey` field of a
mutation's `input`. The first response is stored (per caller); a replay returns it; the
same key with a different request gets `IDEMPOTENCY_CONFLICT` as a userError of each
mutation in the operation. Concurrent requests with one key execute once: the others
wait for the stored response. A request that ends in top-level errors (a fault, a
refused credential) stores nothing, so it can be retried under the same key.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import orjson
from graphql import (
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    ObjectValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    value_from_ast_untyped,
)
from graphql.utilities import get_operation_ast
from strawberry.extensions import SchemaExtension

from api.errors import ApiError, TopLevelCode
from persistence.idempotency import ClaimState

HEADER = "idempotency-key"
MAX_KEY_LENGTH = 255
WAIT_SECONDS = 10.0

# Payload fields holding secrets that exist only in the first response (a new API key,
# a customer token): they are never stored, so a replay returns them as null.
SECRET_FIELDS: dict[str, frozenset[str]] = {
    "apiKeyCreate": frozenset({"key"}),
    "customerTokenCreate": frozenset({"token"}),
}
POLL_SECONDS = 0.05
# Storing the response after the mutation committed: a failure there is retried briefly,
# then logged, and the client still gets its response (the effect happened; an error
# would invite a retry that, once the claim's lock expires, would repeat the effect).
COMPLETE_DELAYS = (0.05, 0.25, 1.0)

log = logging.getLogger(__name__)


class IdempotencyExtension(SchemaExtension):
    """Stores and replays mutation responses under an idempotency key."""

    async def on_execute(self):  # type: ignore[no-untyped-def]
        ec = self.execution_context
        context = ec.context
        document = ec.graphql_document
        operation = get_operation_ast(document, ec.operation_name) if document is not None else None
        if (
            operation is None
            or operation.operation is not OperationType.MUTATION
            or context.principal is None
        ):
            yield
            return
        if _only_dry_runs(operation, ec.variables or {}):
            yield
            return
        header_key = key_from_header(context)
        key = header_key or _key_from_arguments(operation, ec.variables or {})
        if key is None:
            yield
            return
        problem = _key_problem(key)
        if problem is not None:
            if header_key is not None:
                ec.result = _error(problem, TopLevelCode.BAD_REQUEST)
            else:
                # An input field like any other: its validation is a userError (API.md).
                error = {"field": ["idempotencyKey"], "code": "INVALID", "message": problem}
                ec.result = ExecutionResult(data=_user_error_data(operation, document, error))
            yield
            return
        store = context.services.idempotency
        scope = context.principal.scope
        fingerprint = _fingerprint(ec.query, ec.variables, ec.operation_name)
        claim = await _claim(store, scope, key, fingerprint, context.services.settings)
        if claim.state is ClaimState.CONFLICT:
            ec.result = ExecutionResult(data=_conflict_data(operation, document, key))
            yield
            return
        if claim.state is ClaimState.REPLAY:
            ec.result = ExecutionResult(data=claim.response)
            yield
            return
        if claim.state is ClaimState.IN_PROGRESS:
            ec.result = _error(
                "a request with this idempotency key is still being processed; retry later",
                TopLevelCode.IDEMPOTENCY_IN_PROGRESS,
            )
            yield
            return
        try:
            yield
        except BaseException:
            await store.release(scope, key)
            raise
        result = ec.result
        if result is None or getattr(result, "errors", None):
            await store.release(scope, key)
        else:
            await _complete(store, scope, key, _redact(operation, document, result.data))


async def _complete(store: Any, scope: str, key: str, response: Any) -> None:
    for delay in (*COMPLETE_DELAYS, None):
        try:
            await store.complete(scope, key, response)
            return
        except Exception:
            if delay is None:
                log.exception(
                    "the response under idempotency key %r could not be stored; a retry "
                    "after the claim's lock expires would run the mutation again",
                    key,
                )
                return
            await asyncio.sleep(delay)


async def _claim(store: Any, scope: str, key: str, fingerprint: str, settings: Any) -> Any:
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        claim = await store.claim(scope, key, fingerprint, lock_for=timedelta(seconds=60))
        if claim.state is not ClaimState.IN_PROGRESS or time.monotonic() >= deadline:
            return claim
        await asyncio.sleep(POLL_SECONDS)


def _key_problem(key: str) -> str | None:
    """Why `key` cannot be stored (its column is VARCHAR(255); PostgreSQL text cannot hold
    NUL), or None."""
    if len(key) > MAX_KEY_LENGTH:
        return f"idempotency key longer than {MAX_KEY_LENGTH} characters"
    if "\x00" in key:
        return "idempotency key cannot hold a NUL character"
    return None


def _error(message: str, code: TopLevelCode) -> ExecutionResult:
    return ExecutionResult(data=None, errors=[ApiError(message, code)])


def key_from_header(context: Any) -> str | None:
    """The Idempotency-Key header of the request, stripped; None when absent or blank."""
    headers = getattr(context.request, "headers", None)
    if headers is None:
        return None
    value = headers.get(HEADER)
    return value.strip() or None if value is not None else None


def _key_from_arguments(
    operation: OperationDefinitionNode, variables: dict[str, Any]
) -> str | None:
    keys: list[str] = []
    for selection in operation.selection_set.selections:
        if not isinstance(selection, FieldNode):
            continue
        for argument in selection.arguments or ():
            if argument.name.value == "input":
                value = _input_key(argument.value, variables)
                if value:
                    keys.append(value)
    if not keys:
        return None
    # Several mutations in one document: the request as a whole is the unit of replay.
    return "|".join(keys)


def _input_key(node: Any, variables: dict[str, Any]) -> str | None:
    key = _input_field(node, variables, "idempotencyKey")
    return str(key) if key is not None else None


def _input_field(node: Any, variables: dict[str, Any], name: str) -> Any:
    """The value of the `input` object's field `name` (a literal or a variable), or None."""
    if isinstance(node, VariableNode):
        value = variables.get(node.name.value)
        return value.get(name) if isinstance(value, dict) else None
    if isinstance(node, ObjectValueNode):
        for field in node.fields:
            if field.name.value == name:
                if isinstance(field.value, VariableNode):
                    return variables.get(field.value.name.value)
                return value_from_ast_untyped(field.value, variables)
    return None


def _only_dry_runs(operation: OperationDefinitionNode, variables: dict[str, Any]) -> bool:
    """Whether every mutation of the operation is a dry run: they change nothing, so there
    is nothing to replay, and their key stays free for the real call."""
    fields = [s for s in operation.selection_set.selections if isinstance(s, FieldNode)]
    return bool(fields) and all(
        any(
            argument.name.value == "input"
            and _input_field(argument.value, variables, "dryRun") is True
            for argument in field.arguments or ()
        )
        for field in fields
    )


def _conflict_data(operation: OperationDefinitionNode, document: Any, key: str) -> dict[str, Any]:
    """A payload per mutation whose `userErrors` hold IDEMPOTENCY_CONFLICT, the rest null."""
    error = {
        "field": ["idempotencyKey"],
        "code": "IDEMPOTENCY_CONFLICT",
        "message": f"idempotency key {key!r} was already used with a different request",
    }
    return _user_error_data(operation, document, error)


def _user_error_data(
    operation: OperationDefinitionNode, document: Any, error: dict[str, Any]
) -> dict[str, Any]:
    """A payload per mutation whose `userErrors` hold `error`, the rest null."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    data: dict[str, Any] = {}
    for field in _fields(operation.selection_set, fragments):
        payload: dict[str, Any] = {}
        for sub in _fields(field.selection_set, fragments):
            name = sub.alias.value if sub.alias else sub.name.value
            if sub.name.value == "userErrors":
                payload[name] = [
                    {
                        (f.alias.value if f.alias else f.name.value): error.get(f.name.value)
                        if f.name.value != "__typename"
                        else "UserError"
                        for f in _fields(sub.selection_set, fragments)
                    }
                ]
            elif sub.name.value == "__typename":
                payload[name] = _payload_type_name(field.name.value)
            else:
                payload[name] = None
        data[field.alias.value if field.alias else field.name.value] = payload
    return data


def _redact(operation: OperationDefinitionNode, document: Any, data: Any) -> Any:
    if not isinstance(data, dict):
        return data
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    stored = dict(data)
    for field in _fields(operation.selection_set, fragments):
        secrets = SECRET_FIELDS.get(field.name.value)
        alias = field.alias.value if field.alias else field.name.value
        payload = stored.get(alias)
        if not secrets or not isinstance(payload, dict):
            continue
        payload = dict(payload)
        for sub in _fields(field.selection_set, fragments):
            if sub.name.value in secrets:
                payload[sub.alias.value if sub.alias else sub.name.value] = None
        stored[alias] = payload
    return stored


def _payload_type_name(mutation: str) -> str:
    return mutation[0].upper() + mutation[1:] + "Payload"


def _fields(
    selection_set: SelectionSetNode | None, fragments: dict[str, FragmentDefinitionNode]
) -> Iterator[FieldNode]:
    if selection_set is None:
        return
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from _fields(selection.selection_set, fragments)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                yield from _fields(fragment.selection_set, fragments)


def _fingerprint(query: str | None, variables: Any, operation_name: str | None) -> str:
    """What makes two requests under one key the same request."""
    request = {"q": query, "v": variables, "o": operation_name}
    try:
        encoded = orjson.dumps(request, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:
        # orjson stops at 64-bit integers; such a variable is refused later by GraphQL's
        # coercion (Int is 32-bit), which is the error the client must see.
        encoded = json.dumps(request, sort_keys=True, default=str).encode()
    return hashlib.sha256(encoded).hexdigest()
