"""The core of Patronage: entities, value objects, policies and use cases per context.

Nothing here imports a framework (SQLAlchemy, strawberry, Dramatiq, Starlette, Redis);
an import-linter contract in pyproject.toml keeps it that way.
"""
