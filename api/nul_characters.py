"""Requests whose arguments hold a NUL character (U+0000) are refused whole.

PostgreSQL text, varchar and jsonb cannot hold NUL, so such a value would fail its
write with an internal error (after the writes before it, for a batch). One check here
serves every field: it walks the variables (JSON values and object keys included) and
the string literals of the parsed document, before any resolver runs, over HTTP and
WebSocket alike, and names where the NUL is.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import orjson
from graphql import (
    ArgumentNode,
    DirectiveNode,
    DocumentNode,
    ExecutableDefinitionNode,
    FieldNode,
    GraphQLError,
    ListValueNode,
    Node,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    ValueNode,
)
from strawberry.extensions import SchemaExtension

from api.errors import ApiError, TopLevelCode

NUL = "\x00"
_WHY = "holds a NUL character (U+0000), which text cannot hold"


def variables_problem(variables: Mapping[str, Any] | None) -> str | None:
    """Where the first NUL of `variables` is, as a sentence, or None."""
    if not variables:
        return None
    try:
        # One pass in C for the usual case; the walk below only runs to name the place.
        if b"\\u0000" not in orjson.dumps(variables):
            return None
    except (orjson.JSONEncodeError, TypeError):
        pass  # not plain JSON (an integer wider than 64 bits): walk it
    for name, value in variables.items():
        where = _json_nul(value, f"${_shown(name)}")
        if where is not None:
            return f"variable {where} {_WHY}"
    return None


def document_problem(document: DocumentNode) -> tuple[str, Node] | None:
    """Where the first NUL among the string literals of `document` is, or None."""
    for definition in document.definitions:
        if not isinstance(definition, ExecutableDefinitionNode):
            continue
        if isinstance(definition, OperationDefinitionNode):
            for variable in definition.variable_definitions or ():
                if variable.default_value is not None:
                    name = f"${variable.variable.name.value}"
                    for path, node in _literal_nuls(variable.default_value, name):
                        return f"the default value of variable {path} {_WHY}", node
        for found in _directives(definition.directives):
            return found
        for found in _selections(definition.selection_set):
            return found
    return None


class RefuseNulCharacters(SchemaExtension):
    """Refuses a request holding NUL with BAD_REQUEST, as a request (validation) error."""

    def on_validate(self) -> Iterator[None]:
        # Runs after ValidationCache has validated (listed after it): an invalid
        # document keeps its validation errors. An error set here stops the request
        # before execution, as a validation error would.
        ec = self.execution_context
        if not ec.pre_execution_errors and ec.graphql_document is not None:
            error = _refusal(ec.graphql_document, ec.query, ec.variables)
            if error is not None:
                ec.pre_execution_errors = [error]
        yield


def _refusal(
    document: DocumentNode, query: str | None, variables: Mapping[str, Any] | None
) -> GraphQLError | None:
    message = variables_problem(variables)
    if message is not None:
        return ApiError(message, TopLevelCode.BAD_REQUEST)
    # A literal holds NUL only if the text does, raw or as a \u escape: most documents
    # have neither, and skip the walk.
    if query is not None and NUL not in query and "\\u" not in query:
        return None
    found = document_problem(document)
    if found is not None:
        message, node = found
        return ApiError(message, TopLevelCode.BAD_REQUEST, nodes=[node])
    return None


def _json_nul(value: Any, path: str) -> str | None:
    if isinstance(value, str):
        return path if NUL in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and NUL in key:
                return f'{path} (its key "{_shown(key)}")'
            where = _json_nul(item, f"{path}.{_shown(str(key))}")
            if where is not None:
                return where
    elif isinstance(value, list):
        for index, item in enumerate(value):
            where = _json_nul(item, f"{path}[{index}]")
            if where is not None:
                return where
    return None


def _shown(text: str) -> str:
    # Names from the client are quoted back without the NUL itself.
    return text.replace(NUL, "\\u0000")


def _selections(selection_set: SelectionSetNode | None) -> Iterator[tuple[str, Node]]:
    if selection_set is None:
        return
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield from _arguments(selection.arguments, f'field "{selection.name.value}"')
        yield from _directives(selection.directives)
        yield from _selections(getattr(selection, "selection_set", None))


def _directives(directives: tuple[DirectiveNode, ...] | None) -> Iterator[tuple[str, Node]]:
    for directive in directives or ():
        yield from _arguments(directive.arguments, f'directive "@{directive.name.value}"')


def _arguments(
    arguments: tuple[ArgumentNode, ...] | None, owner: str
) -> Iterator[tuple[str, Node]]:
    for argument in arguments or ():
        for path, node in _literal_nuls(argument.value, argument.name.value):
            yield f'argument "{path}" of {owner} {_WHY}', node


def _literal_nuls(value: ValueNode, path: str) -> Iterator[tuple[str, Node]]:
    if isinstance(value, StringValueNode):
        if NUL in value.value:
            yield path, value
    elif isinstance(value, ListValueNode):
        for index, item in enumerate(value.values):
            yield from _literal_nuls(item, f"{path}[{index}]")
    elif isinstance(value, ObjectValueNode):
        for field in value.fields:
            yield from _literal_nuls(field.value, f"{path}.{field.name.value}")
