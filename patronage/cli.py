"""The `patronage` command: serve, worker, migrate, apikey, export-schema, demo."""

from __future__ import annotations

import asyncio
import signal
import sys
from typing import Annotated
from uuid import UUID

import typer
from rich.console import Console

from patronage.cli_import import import_app
from patronage.cli_loyalty import loyalty_app
from patronage.cli_segments import segments_app
from patronage.settings import Settings, SettingsError

app = typer.Typer(
    help="Patronage: GraphQL CRM and loyalty for headless commerce.", no_args_is_help=True
)
apikey_app = typer.Typer(help="Create and revoke API keys.", no_args_is_help=True)
app.add_typer(apikey_app, name="apikey")
app.add_typer(segments_app, name="segments")
app.add_typer(import_app, name="import")
app.add_typer(loyalty_app, name="loyalty")

err = Console(stderr=True)


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as e:
        err.print(f"[red]configuration error:[/red] {e}")
        raise typer.Exit(2) from None


def _require_schema(settings: Settings) -> None:
    """Exit (2) when the database is not migrated to this version's schema; go on, with a
    warning, when it cannot be reached (it may come up later)."""
    from persistence.db import make_engine
    from persistence.migrate import schema_problem

    async def check() -> str | None:
        engine = make_engine(settings.database_url)
        try:
            return await schema_problem(engine)
        finally:
            await engine.dispose()

    try:
        problem = asyncio.run(check())
    except Exception as e:
        err.print(f"[yellow]could not check the database schema:[/yellow] {type(e).__name__}: {e}")
        return
    if problem is not None:
        err.print(f"[red]{problem}[/red]")
        raise typer.Exit(2)


def _logging(settings: Settings) -> None:
    from patronage.observability import configure_logging

    configure_logging(settings.log_level)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Serve the GraphQL API (and, without REDIS_URL, the workers and scheduler too)."""
    import uvicorn

    from api.app import create_app
    from patronage.runtime import build_runtime

    settings = _settings()
    _require_schema(settings)
    _logging(settings)

    async def main() -> None:
        runtime = build_runtime(settings)

        async def startup() -> None:
            if settings.embedded:
                await runtime.start_embedded_workers()

        app_ = create_app(runtime.services, on_startup=startup, on_shutdown=runtime.close)
        config = uvicorn.Config(app_, host=host, port=port, log_config=None, ws="websockets-sansio")
        await uvicorn.Server(config).serve()

    asyncio.run(main())


@app.command()
def worker(
    threads: Annotated[int, typer.Option(help="Worker threads for actors.")] = 4,
) -> None:
    """Run Dramatiq workers and the scheduler (needs REDIS_URL; run several for scale)."""
    from patronage.runtime import build_runtime, redis_fire_lock

    settings = _settings()
    _logging(settings)
    if settings.embedded:
        err.print(
            "[red]REDIS_URL is not set:[/red] in the embedded mode `patronage serve` runs the "
            "workers itself; set REDIS_URL to run separate workers."
        )
        raise typer.Exit(2)
    _require_schema(settings)

    async def main() -> None:
        from dramatiq import Worker

        runtime = build_runtime(settings)
        runtime.worker = Worker(runtime.jobs.broker, worker_threads=threads)
        runtime.worker.start()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        scheduler = runtime.scheduler(redis_fire_lock(settings))
        err.print(f"worker running with {threads} threads; Ctrl+C stops it")
        try:
            await scheduler.run_forever(stop)
        finally:
            await runtime.close()

    asyncio.run(main())


@app.command()
def migrate() -> None:
    """Upgrade the database schema to the latest revision."""
    from persistence.db import make_engine
    from persistence.migrate import upgrade

    settings = _settings()

    async def main() -> None:
        engine = make_engine(settings.database_url)
        try:
            await upgrade(engine)
        finally:
            await engine.dispose()

    asyncio.run(main())
    err.print("database is up to date")


@apikey_app.command("create")
def apikey_create(
    role: Annotated[str, typer.Option(help="ADMIN, MARKETER, SUPPORT, ANALYST or STOREFRONT.")],
    name: Annotated[str, typer.Option(help="A label for the key.")] = "cli",
) -> None:
    """Create an API key and print it (alone, on stdout). It is shown only once."""
    from domain.access.model import Role
    from patronage.oneoff import create_key

    settings = _settings()
    try:
        parsed = Role(role.upper())
        if parsed is Role.CUSTOMER:
            raise ValueError
    except ValueError:
        err.print(
            f"[red]unknown role {role!r}[/red]: use ADMIN, MARKETER, SUPPORT, ANALYST or STOREFRONT"
        )
        raise typer.Exit(2) from None
    _require_schema(settings)
    secret = asyncio.run(create_key(settings, name=name, role=parsed))
    sys.stdout.write(secret + "\n")


@apikey_app.command("revoke")
def apikey_revoke(
    key_id: Annotated[str, typer.Argument(help="The key's id (UUID or global id).")],
) -> None:
    """Revoke an API key."""
    from patronage.oneoff import revoke_key

    settings = _settings()
    try:
        parsed = _parse_key_id(key_id)
    except ValueError:
        err.print(f"[red]not an API key id:[/red] {key_id!r}")
        raise typer.Exit(2) from None
    _require_schema(settings)
    message = asyncio.run(revoke_key(settings, parsed))
    if message:
        err.print(f"[red]{message}[/red]")
        raise typer.Exit(1)
    err.print("revoked")


def _parse_key_id(raw: str) -> UUID:
    try:
        return UUID(raw)
    except ValueError:
        from api.relay import decode_id

        return decode_id(raw, "ApiKey")


@app.command("export-schema")
def export_schema() -> None:
    """Print the GraphQL schema (SDL)."""
    from api.schema import build_schema

    sys.stdout.write(build_schema(Settings()).as_str() + "\n")


@app.command()
def demo() -> None:
    """Seed a realistic demo store and print an ADMIN and a STOREFRONT key."""
    from patronage.demo import seed

    settings = _settings()
    _require_schema(settings)
    _logging(settings)
    keys = asyncio.run(seed(settings, Console(stderr=True)))
    out = Console()
    out.print(f"ADMIN key:      {keys['ADMIN']}")
    out.print(f"STOREFRONT key: {keys['STOREFRONT']}")


def main() -> None:
    app()
