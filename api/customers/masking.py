"""Masking of personal data for ANALYST keys: enough shape for reports, no person."""

from __future__ import annotations

import strawberry

from domain.access.model import Role


def masked(info: strawberry.Info) -> bool:
    principal = info.context.principal
    return principal is not None and principal.role is Role.ANALYST


def mask_email(email: str | None) -> str | None:
    if not email or "@" not in email:
        return email
    local, domain = email.split("@", 1)
    return f"{local[:1]}***@{domain}"


def mask_phone(phone: str | None) -> str | None:
    if not phone:
        return phone
    return phone[:3] + "*" * max(0, len(phone) - 5) + phone[-2:]


def mask_text(text: str | None) -> str | None:
    if not text:
        return text
    return text[:1] + "***"
