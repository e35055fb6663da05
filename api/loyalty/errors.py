"""Public codes of loyalty errors that need one of their own."""

from __future__ import annotations

from api.errors import ErrorCode, register_error_code
from domain.loyalty.errors import InsufficientPoints, StaleAccount

register_error_code(InsufficientPoints, ErrorCode.INSUFFICIENT_POINTS)
register_error_code(StaleAccount, ErrorCode.CONCURRENT_MODIFICATION)
