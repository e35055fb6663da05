"""Reading a file's rows: lines, padding, and files that are not valid CSV."""

from __future__ import annotations

import io

import pytest

from domain.imports.errors import InvalidImportFile
from domain.imports.model import ImportKind
from domain.imports.source import count_rows, read_header, read_rows

CUSTOMERS = ImportKind.CUSTOMERS


def _lines(text: str) -> io.StringIO:
    return io.StringIO(text, newline="")


def _unclosed_at(line: int) -> str:
    return f'^line {line}: a quoted field \\(opened by "\\) is never closed'


def test_an_unclosed_quote_refuses_the_file_naming_the_line_where_its_row_starts() -> None:
    # Given a long file whose line 3 opens a quoted field it never closes
    rows = "".join(f"a{n}@example.com,\n" for n in range(4, 5002))
    text = 'email,first_name\nok@example.com,Ok\na1@example.com,"Bob\n' + rows

    # Then counting and reading its rows refuse the file, naming line 3
    with pytest.raises(InvalidImportFile, match=_unclosed_at(3)):
        count_rows(_lines(text))
    with pytest.raises(InvalidImportFile, match=_unclosed_at(3)):
        list(read_rows(_lines(text), CUSTOMERS))


def test_the_line_named_is_where_the_row_starts_after_multi_line_cells() -> None:
    good = 'email,first_name\n"a@example.com","Two\nlines"\n\nc@example.com,C\n'
    assert [row.line for row in read_rows(_lines(good), CUSTOMERS)] == [2, 5]
    with pytest.raises(InvalidImportFile, match=_unclosed_at(6)):
        count_rows(_lines(good + 'b@example.com,"Bob\n\n'))


def test_an_unclosed_quote_in_the_header_refuses_the_file() -> None:
    with pytest.raises(InvalidImportFile, match=_unclosed_at(1)):
        read_header(_lines('email,"first_name\na@example.com,A\n'), CUSTOMERS)


def test_text_after_a_closing_quote_refuses_the_file() -> None:
    text = 'email,first_name\na@example.com,A\nb@example.com,"Bob" Jr\n'
    with pytest.raises(InvalidImportFile, match=r"^line 3: not valid CSV"):
        count_rows(_lines(text))


def test_a_long_file_with_an_unclosed_quote_fails_at_the_cell_limit_naming_the_line() -> None:
    rows = "".join(f"a{n}@example.com,{'x' * 40}\n" for n in range(4, 5001))
    text = 'email,first_name\nok@example.com,Ok\na1@example.com,"Bob\n' + rows
    with pytest.raises(InvalidImportFile, match=r"^line 3: a cell is longer than"):
        count_rows(_lines(text))


def test_cells_beyond_the_columns_are_kept_with_the_row_they_reject() -> None:
    text = "email,first_name\na@example.com,A,,\nb@example.com,Smith, Bo,,x,,\nc\n"

    rows = list(read_rows(_lines(text), CUSTOMERS))

    assert [(row.line, row.cells, row.problem) for row in rows] == [
        (2, {"email": "a@example.com", "first_name": "A"}, None),
        (
            3,
            {
                "email": "b@example.com",
                "first_name": "Smith",
                "extra_1": " Bo",
                "extra_2": "",
                "extra_3": "x",
            },
            "the row has 7 cells but the header has 2 columns",
        ),
        (4, {"email": "c", "first_name": ""}, None),
    ]
