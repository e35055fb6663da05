"""Segments: a small typed filter language over customers, saved segments and membership.

`language` parses and type-checks query text into the immutable AST of `syntax`;
`printer.to_text` prints it back; `evaluator` runs it on one `CustomerSnapshot`. The SQL
compiler (persistence) must give the same answers: see `evaluator` for the NULL rules.
"""
