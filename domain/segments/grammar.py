"""The lark grammar of the segment language, and lark's errors in the language's words.

Precedence: NOT binds tighter than AND, AND tighter than OR; parentheses group. Keywords
are case-insensitive; strings are in single quotes with '' for a quote; numbers may be
negative and decimal (`-12.50`); `meta.<key>` names a metadata value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from lark import Lark, UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from domain.segments.errors import SegmentQueryError

GRAMMAR = r"""
start: or_expr
?or_expr: and_expr (_OR and_expr)*
?and_expr: not_expr (_AND not_expr)*
?not_expr: NOT not_expr -> negation
         | _LPAR or_expr _RPAR
         | predicate
?predicate: attr cmp_op value -> comparison
          | attr IN value_list -> in_list
          | attr NOT IN value_list -> not_in_list
          | attr CONTAINS value -> contains
          | attr IS NULL -> is_null
          | attr IS NOT NULL -> is_not_null
          | attr BETWEEN value _AND value -> between
attr: NAME | META_NAME
cmp_op: EQ | NE | LE | GE | LT | GT
value: STRING | NUMBER
value_list: LPAR [value (_COMMA value)*] _RPAR

NAME: /(?!(?:and|or|not|in|is|null|contains|between)\b)[^\W\d]\w*/i
META_NAME.3: /meta\.[A-Za-z0-9_\-]+/i
STRING: /'(?:[^']|'')*'/
NUMBER: /-?[0-9]+(\.[0-9]+)?/
_OR.2: /or\b/i
_AND.2: /and\b/i
NOT.2: /not\b/i
IN.2: /in\b/i
IS.2: /is\b/i
NULL.2: /null\b/i
CONTAINS.2: /contains\b/i
BETWEEN.2: /between\b/i
EQ: "="
NE: "!=" | "<>"
LE: "<="
GE: ">="
LT: "<"
GT: ">"
LPAR: "("
_LPAR: "("
_RPAR: ")"
_COMMA: ","
%import common.WS
%ignore WS
"""

# LALR: linear time, iterative (deep input cannot overflow Python's stack while parsing).
PARSER = Lark(GRAMMAR, parser="lalr", propagate_positions=False, maybe_placeholders=True)

OPERATORS_TEXT = (
    "an operator (=, !=, <, <=, >, >=, IN, NOT IN, CONTAINS, IS NULL, IS NOT NULL, BETWEEN)"
)
_OPERATOR_TERMINALS = frozenset({"EQ", "NE", "LT", "LE", "GT", "GE", "CONTAINS", "BETWEEN"})
_DESCRIPTIONS: tuple[tuple[frozenset[str], str], ...] = (
    (frozenset({"NAME", "META_NAME"}), "an attribute name"),
    (frozenset({"STRING", "NUMBER"}), "a value ('quoted text' or a number)"),
    (frozenset({"NOT"}), "NOT"),
    (frozenset({"IN"}), "IN"),
    (frozenset({"NULL"}), "NULL"),
    (frozenset({"LPAR", "_LPAR"}), "'('"),
    (frozenset({"_AND"}), "AND"),
    (frozenset({"_OR"}), "OR"),
    (frozenset({"_COMMA"}), "','"),
    (frozenset({"_RPAR"}), "')'"),
    (frozenset({"$END"}), "the end of the query"),
)
_TOKEN = re.compile(r"'(?:[^']|'')*'?|[^\W\d][\w.\-]*|-?\d+(?:\.\d+)?|<=|>=|!=|<>|\S")


def describe_expected(terminals: Iterable[str]) -> str:
    """Say in words which of the grammar's terminals would have been accepted."""
    expected = set(terminals)
    parts: list[str] = []
    if expected & _OPERATOR_TERMINALS:
        parts.append(OPERATORS_TEXT)
        expected -= _OPERATOR_TERMINALS | {"IN", "NOT", "IS"}
    parts.extend(text for names, text in _DESCRIPTIONS if expected & names)
    if not parts:
        return "something else"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " or " + parts[-1]


def position(text: str, offset: int) -> tuple[int, int]:
    """1-based (line, column) of character `offset` in `text`."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - text.rfind("\n", 0, offset)


def quoted(token: str) -> str:
    return token if token.startswith("'") else f"'{token}'"


def syntax_error(text: str, error: UnexpectedInput) -> SegmentQueryError:
    """Translate any lark parse failure into a SegmentQueryError with position and hint."""
    if isinstance(error, UnexpectedToken):
        accepted: set[str] = error.interactive_parser.accepts()  # type: ignore[no-untyped-call]
        expected = describe_expected(accepted)
        if error.token.type == "NULL" and accepted & {"STRING", "NUMBER"}:
            line, column = position(text, error.token.start_pos or 0)
            return SegmentQueryError(
                "NULL is not a value: test for an unknown value with "
                "<attribute> IS NULL (or IS NOT NULL)",
                line=line,
                column=column,
                expected=expected,
            )
        if error.token.type == "$END":
            offset = len(text.rstrip())
            found = "but the query ends here"
        else:
            offset = error.token.start_pos or 0
            found = f"found {quoted(str(error.token))}"
    elif isinstance(error, UnexpectedCharacters):
        offset = error.pos_in_stream or 0
        if text[offset] == "'":
            line, column = position(text, offset)
            return SegmentQueryError(
                "unterminated text value: a closing ' is missing",
                line=line,
                column=column,
                expected="a closing '",
            )
        expected = describe_expected(error.allowed or ())
        found = f"found the character {text[offset]!r}"
    else:  # UnexpectedEOF: not raised by LALR, handled for completeness.
        offset, expected, found = len(text.rstrip()), "more input", "but the query ends here"
    line, column = position(text, offset)
    previous = _TOKEN.findall(text[:offset])
    where = f"after {quoted(previous[-1])}" if previous else "at the start of the query"
    return SegmentQueryError(
        f"expected {expected} {where}, {found}", line=line, column=column, expected=expected
    )
