"""Query limits, built once at start-up.

Validation rules made per request defeat the ValidationCache (its key includes the rule
classes), so depth and alias validators are created here once and added with
`AddValidationRules`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from strawberry.extensions import AddValidationRules, MaxTokensLimiter, SchemaExtension
from strawberry.extensions.max_aliases import create_validator as alias_validator
from strawberry.extensions.query_depth_limiter import create_validator as depth_validator

from patronage.settings import Settings


def limit_extensions(settings: Settings) -> list[Callable[[], SchemaExtension]]:
    rules: list[Any] = [
        depth_validator(settings.max_query_depth, None, None),
        alias_validator(settings.max_aliases),
    ]
    return [
        lambda: AddValidationRules(rules),
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
    ]
