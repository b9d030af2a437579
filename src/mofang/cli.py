"""The `mofang` command line: serve, seed, user/key administration, imports."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from mofang.platform.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def fail(message: str, code: int = 2) -> NoReturn:
    """Print one readable error line to stderr and exit non-zero."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def one_line(exc: BaseException) -> str:
    """What went wrong, on one line, in words an administrator can act on."""
    from pydantic import ValidationError

    from mofang.platform.errors import MofangError

    if isinstance(exc, MofangError):
        return exc.message
    if isinstance(exc, ValidationError):
        return "; ".join(f"{'.'.join(map(str, e['loc'])) or 'value'}: {e['msg']}" for e in exc.errors())
    text = " ".join(str(exc).split()) or type(exc).__name__
    if "lock" in text.lower() and type(exc).__module__.startswith("_duckdb"):
        # DuckDB lets one process write the event store; the usual holder is a running server.
        return f"the event store is in use by another process (a running `mofang serve`?): stop it first ({text})"
    return f"{type(exc).__name__}: {text}"


class Cli(typer.Typer):
    """The command line; an unexpected failure ends in one line on stderr, not a traceback."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().__call__(*args, **kwargs)
        except Exception as exc:  # the last resort of a command line is a readable line
            typer.echo(f"error: {one_line(exc)}", err=True)
            sys.exit(1)


app = Cli(help="Mofang 魔方 — digital operations platform for retail banks.", no_args_is_help=True)
user_app = typer.Typer(help="Console users.", no_args_is_help=True)
key_app = typer.Typer(help="Ingestion write keys.", no_args_is_help=True)
import_app = typer.Typer(help="Bulk imports.", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(key_app, name="key")
app.add_typer(import_app, name="import")

DataDir = Annotated[Path, typer.Option("--data-dir", help="Directory holding all of Mofang's data.")]


def _settings(data_dir: Path, **overrides: object) -> Settings:
    """Settings from the environment, with the command's flags on top."""
    return Settings(data_dir=data_dir, **overrides)  # type: ignore[arg-type]


@contextmanager
def admin_session(data_dir: Path) -> Iterator[Session]:
    """A metadata session for user and key administration, usable beside a running server.

    Only the metadata database is opened (the event store is a single-writer DuckDB file the server holds);
    any failure becomes one line on stderr and exit code 2.
    """
    from mofang.platform.context import open_metadata

    metadata = None
    try:
        metadata = open_metadata(_settings(data_dir))
        with metadata.session() as session:
            yield session
    except typer.Exit:
        raise
    except Exception as exc:  # reported as one line, never a traceback
        fail(one_line(exc))
    finally:
        if metadata is not None:
            metadata.dispose()


@app.command()
def serve(
    data_dir: DataDir = Path("data"),
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Run the API, the ingestion endpoints, the engine and the web console in one process."""
    import uvicorn

    from mofang.app import create_app
    from mofang.platform.logging import uvicorn_log_config

    settings = _settings(data_dir, host=host, port=port)
    typer.echo(f"Mofang 魔方 listening on http://{host}:{port}  (data: {data_dir.resolve()})")
    uvicorn.run(create_app(settings), host=host, port=port, log_config=uvicorn_log_config(),
                timeout_graceful_shutdown=5)


@app.command()
def worker(
    data_dir: DataDir = Path("data"),
    poll: Annotated[float, typer.Option(help="Seconds to wait when there is no work.", min=0.05, max=60)] = 0.5,
) -> None:
    """Run a journey engine worker (timers, outbox dispatch, event consumer) until SIGTERM."""
    from mofang.platform.logging import install_pii_filter
    from mofang.strategy.engine.tasks import run_worker

    install_pii_filter()
    typer.echo(f"Mofang 魔方 engine worker (data: {data_dir.resolve()})")
    run_worker(data_dir, poll=poll)
    typer.echo("engine worker stopped")


@app.command()
def seed(
    data_dir: DataDir = Path("data"),
    customers: Annotated[int, typer.Option(help="Number of customers.", min=1, max=10_000_000)] = 20_000,
    days: Annotated[int, typer.Option(help="Days of history up to today.", min=1, max=3650)] = 90,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same bank).")] = 42,
    export: Annotated[Path | None, typer.Option(
        help="Also write the bank as one Parquet file per entity, in the shapes of docs/integration.md.")] = None,
) -> None:
    """Generate a realistic demo bank into the data dir."""
    from datetime import date as date_

    from mofang.demo.identities import prepare_identities
    from mofang.demo.insights import prepare_insights
    from mofang.demo.service import generate_bank
    from mofang.demo.showcase import prepare_monitoring, prepare_showcase
    from mofang.platform.context import open_platform

    platform = open_platform(_settings(data_dir))
    try:
        report = generate_bank(platform=platform, customers=customers, days=days, seed=seed, progress=True)
        typer.echo(report.summary())
        if not report.existed:
            end = date_.fromisoformat(report.end_date) if report.end_date else date_.today()
            for line in prepare_insights(platform=platform, end=end):
                typer.echo(line)
            # Sample segments, metrics and a dashboard, so a first visit finds something on every page.
            for line in prepare_showcase(platform=platform, end=end):
                typer.echo(line)
            # Addresses on every channel and the profiles every worker reads (after tags and segments).
            for line in prepare_identities(platform=platform, seed=seed):
                typer.echo(line)
            # Three running strategies and their last week, simulated (after profiles: journeys read them).
            from datetime import UTC, datetime

            from mofang.demo.showcase_journeys import prepare_journeys

            for line in prepare_journeys(platform=platform, now=datetime.now(UTC)):
                typer.echo(line)
            # A trained propensity model and best hours (after the week: its opens and clicks show good hours).
            from mofang.demo.showcase_smart import prepare_smart

            for line in prepare_smart(platform=platform, day=end):
                typer.echo(line)
            # Alerts last: the simulated week added responses to recent days, and an alert records its day's value.
            for line in prepare_monitoring(platform=platform, end=end):
                typer.echo(line)
            # The data dir is a demo: `mofang serve` answers sandbox deliveries with simulated customers.
            from mofang.platform.settings import DEMO_MARKER

            (platform.settings.data_dir / DEMO_MARKER).write_text("generated by mofang seed\n")
        if export is not None:
            from mofang.demo.export import export_bank

            counts = export_bank(platform=platform, out_dir=export)
            typer.echo(f"exported to {export}: " + ", ".join(f"{n} {k}" for k, n in counts.items()))
    finally:
        platform.close()


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Option(help="Login name.")],
    role: Annotated[str, typer.Option(help="admin, hq_operator, branch_operator, analyst, approver or rm.")],
    org: Annotated[str, typer.Option("--org", help="Org code, e.g. HQ, GD, GD-SZ-001.")],
    data_dir: DataDir = Path("data"),
    display_name: Annotated[str | None, typer.Option(help="Name shown in the console.")] = None,
    rm_id: Annotated[str | None, typer.Option(help="For role rm: the RM id whose customers they manage.")] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin.")] = False,
) -> None:
    """Create a console user."""
    from mofang.platform.governance import service as gov
    from mofang.platform.governance.contracts import UserCreate

    password = sys.stdin.readline().rstrip("\n") if password_stdin else typer.prompt("Password", hide_input=True)
    with admin_session(data_dir) as session:
        gov.ensure_head_office(session=session)
        data = UserCreate(username=username, password=password, display_name=display_name, role=role,
                          org_code=org, rm_id=rm_id)
        user = gov.create_user(session=session, data=data, actor="cli")
    typer.echo(f"created user {user.username} ({user.role}, {user.org_code})")


@key_app.command("add")
def key_add(
    name: Annotated[str, typer.Option(help="What the key is for, e.g. 'mobile app'.")],
    data_dir: DataDir = Path("data"),
) -> None:
    """Create an ingestion write key; the key is the last word printed."""
    from mofang.platform.governance import service as gov

    with admin_session(data_dir) as session:
        created = gov.create_key(session=session, name=name, actor="cli")
    typer.echo(f"write key for '{created.name}' (shown once): {created.key}")


@import_app.command("events")
def import_events(
    file: Annotated[Path, typer.Argument(help="Parquet, CSV or JSONL file of Segment-shaped events.")],
    data_dir: DataDir = Path("data"),
) -> None:
    """Load historical events with the same validation and dedupe as the HTTP API."""
    from mofang.platform.context import open_platform
    from mofang.tracking.importer import import_file

    if not file.is_file():
        fail(f"no such file: {file}")
    platform = open_platform(_settings(data_dir))
    try:
        report = import_file(platform=platform, path=file)
    finally:
        platform.close()
    typer.echo(report.summary())
    if report.accepted == 0 and report.rejected > 0:
        raise typer.Exit(1)


@app.command("load")
def load(
    entity: Annotated[str | None, typer.Option(
        help="orgs, staff, products, customers, holdings, transactions, aum_daily (with --file)")] = None,
    file: Annotated[Path | None, typer.Option(help="CSV (UTF-8 or GBK), Parquet or JSONL file.")] = None,
    data_dir: DataDir = Path("data"),
    mapping: Annotated[Path | None, typer.Option(help="JSON file {columns, values, date_format}.")] = None,
    mode: Annotated[str, typer.Option(
        help="delta (add/update) or full (also close rows not in the file); a database source without --file: "
             "incremental (rows past its watermark) or full")] = "delta",
    source: Annotated[str | None, typer.Option(
        help="Source name (its mapping is saved; one load at a time). Without --file: run this saved database "
             "source.")] = None,
    reject_threshold: Annotated[float, typer.Option(help="Share of rejected rows that fails the load.")] = 0.01,
) -> None:
    """Load the bank's own data (数据接入) into the data dir; rejects are kept beside the load's history."""
    import duckdb

    from mofang.integration.tasks import load_from_cli, run_source_from_cli
    from mofang.platform.context import open_platform
    from mofang.platform.errors import MofangError

    if file is None and source is None:
        typer.echo("error: give --entity and --file, or --source NAME of a saved database source", err=True)
        raise typer.Exit(2)
    if file is not None and (entity is None or not file.is_file()):
        typer.echo(f"error: no such file: {file}" if entity else "error: --file needs --entity", err=True)
        raise typer.Exit(2)
    if mode not in (("delta", "full") if file is not None else ("delta", "incremental", "full")):
        typer.echo("error: --mode is delta or full (incremental or full for a database source)", err=True)
        raise typer.Exit(2)
    try:
        platform = open_platform(_settings(data_dir))
    except duckdb.IOException:
        # DuckDB lets one process write the store: while `mofang serve` runs, load through its API instead.
        typer.echo("error: the data dir is in use by a running server; upload through it instead:\n"
                   "  curl -H 'Authorization: Bearer <token>' -F entity=ENTITY -F file=@FILE "
                   "http://HOST:PORT/api/data/loads", err=True)
        raise typer.Exit(3) from None
    try:
        if file is None:
            assert source is not None
            report = run_source_from_cli(platform=platform, source=source,
                                         mode="full" if mode == "full" else "incremental")
        else:
            assert entity is not None
            report = load_from_cli(platform=platform, entity=entity, file=file, mode=mode,  # type: ignore[arg-type]
                                   mapping_file=mapping, source=source, reject_threshold=reject_threshold)
    except MofangError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from None
    finally:
        platform.close()
    typer.echo(f"load {report.id} ({report.entity}): read {report.rows_read}, loaded {report.rows_loaded}, "
               f"unchanged {report.rows_unchanged}, rejected {report.rows_rejected}, closed {report.rows_closed}")


if __name__ == "__main__":  # pragma: no cover
    app()
