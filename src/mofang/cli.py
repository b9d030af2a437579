"""The `mofang` command line: serve, seed, user/key administration, imports."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from mofang.platform.settings import Settings

app = typer.Typer(help="Mofang 魔方 — digital operations platform for retail banks.", no_args_is_help=True)
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

    from mofang.demo.insights import prepare_insights
    from mofang.demo.service import generate_bank
    from mofang.demo.showcase import prepare_showcase
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
    from pydantic import ValidationError

    from mofang.platform.context import open_platform
    from mofang.platform.errors import MofangError
    from mofang.platform.governance import service as gov
    from mofang.platform.governance.contracts import UserCreate

    password = sys.stdin.readline().rstrip("\n") if password_stdin else typer.prompt("Password", hide_input=True)
    platform = open_platform(_settings(data_dir))
    try:
        with platform.metadata.session() as session:
            gov.ensure_head_office(session=session)
            data = UserCreate(username=username, password=password, display_name=display_name, role=role,
                              org_code=org, rm_id=rm_id)
            user = gov.create_user(session=session, data=data, actor="cli")
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise typer.BadParameter(problems) from exc
    except MofangError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(2) from exc
    finally:
        platform.close()
    typer.echo(f"created user {user.username} ({user.role}, {user.org_code})")


@key_app.command("add")
def key_add(
    name: Annotated[str, typer.Option(help="What the key is for, e.g. 'mobile app'.")],
    data_dir: DataDir = Path("data"),
) -> None:
    """Create an ingestion write key; the key is the last word printed."""
    from mofang.platform.context import open_platform
    from mofang.platform.governance import service as gov

    platform = open_platform(_settings(data_dir))
    try:
        with platform.metadata.session() as session:
            created = gov.create_key(session=session, name=name, actor="cli")
    finally:
        platform.close()
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
        typer.echo(f"error: no such file: {file}", err=True)
        raise typer.Exit(2)
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
    entity: Annotated[str, typer.Option(help="orgs, staff, products, customers, holdings, transactions, aum_daily")],
    file: Annotated[Path, typer.Option(help="CSV (UTF-8 or GBK), Parquet or JSONL file.")],
    data_dir: DataDir = Path("data"),
    mapping: Annotated[Path | None, typer.Option(help="JSON file {columns, values, date_format}.")] = None,
    mode: Annotated[str, typer.Option(help="delta (add/update) or full (also close rows not in the file).")]
    = "delta",
    source: Annotated[str | None, typer.Option(help="Source name (its mapping is saved; one load at a time).")]
    = None,
    reject_threshold: Annotated[float, typer.Option(help="Share of rejected rows that fails the load.")] = 0.01,
) -> None:
    """Load the bank's own data (数据接入) into the data dir; rejects are kept beside the load's history."""
    import duckdb

    from mofang.integration.tasks import load_from_cli
    from mofang.platform.context import open_platform
    from mofang.platform.errors import MofangError

    if not file.is_file():
        typer.echo(f"error: no such file: {file}", err=True)
        raise typer.Exit(2)
    if mode not in ("delta", "full"):
        typer.echo("error: --mode is delta or full", err=True)
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
