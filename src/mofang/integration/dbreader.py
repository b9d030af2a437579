"""Streaming a database query: a server-side cursor read in batches of numbered rows, in a read-only transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import create_engine
from sqlalchemy.engine import URL, Connection, CursorResult
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from mofang.integration import dbquery
from mofang.integration.readers import BATCH_ROWS, Rows
from mofang.platform.errors import Invalid

CONNECT_TIMEOUT_S = 15


@dataclass
class QueryRows:
    """A running query: its output columns, its rows in batches, and the largest watermark value seen."""

    result: CursorResult[Any]
    headers: list[str]
    watermark_column: str | None = None
    watermark: Any = None
    unreadable: list[tuple[int, str]] = field(default_factory=list)

    def batches(self) -> Iterator[Rows]:
        """The rows in batches of at most BATCH_ROWS, fetched from the server as they are needed."""
        n = 0
        try:
            for part in self.result.partitions(BATCH_ROWS):
                out: Rows = []
                for row in part:
                    n += 1
                    doc = dict(zip(self.headers, row, strict=True))
                    if self.watermark_column is not None:
                        self.watermark = dbquery.later(self.watermark, doc[self.watermark_column])
                    out.append((n, doc))
                yield out
        except DBAPIError as exc:
            raise _refused(exc) from None


def _refused(exc: DBAPIError) -> Invalid:
    # The driver's first line says what the database refused (a missing table, a permission) without row data.
    reason = str(exc.orig).strip().splitlines()[0][:300] if exc.orig else type(exc).__name__
    return Invalid(f"the database refused the query: {reason}", field="query", code="integration.query_failed",
                   params={"reason": reason})


def _read_only(conn: Connection) -> None:
    """Make the connection's transaction read-only where the database supports it."""
    match conn.dialect.name:
        case "postgresql":
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
        case "mysql" | "mariadb":
            conn.exec_driver_sql("SET SESSION TRANSACTION READ ONLY")


@contextmanager
def open_query(url: URL, sql: str, *, watermark_column: str | None = None, since: Any = None) -> Iterator[QueryRows]:
    """Run the source's query (past `since` on the watermark column when given) and stream its rows."""
    query = dbquery.checked_query(sql, dbquery.dialect_of(url))
    args: dict[str, Any] = {}
    if url.get_backend_name() in ("postgresql", "mysql", "mariadb"):
        args["connect_timeout"] = CONNECT_TIMEOUT_S
    try:
        engine = create_engine(url, poolclass=NullPool, connect_args=args)
    except (SQLAlchemyError, ImportError) as exc:
        raise Invalid(f"cannot use this database URL: {type(exc).__name__}", field="url",
                      code="integration.bad_url") from None
    try:
        try:
            conn = engine.connect()
        except DBAPIError as exc:
            reason = str(exc.orig).strip().splitlines()[0][:300] if exc.orig else type(exc).__name__
            raise Invalid(f"cannot connect to the database: {reason}", field="url",
                          code="integration.connect_failed", params={"reason": reason}) from None
        with conn:
            try:
                if conn.dialect.name in ("mysql", "mariadb"):
                    _read_only(conn)  # a session setting: before the transaction starts
                    conn.commit()  # end the transaction SQLAlchemy began around the SET
                with conn.begin():
                    if conn.dialect.name == "postgresql":
                        _read_only(conn)  # must be the transaction's first statement
                    streaming = conn.execution_options(stream_results=True, yield_per=BATCH_ROWS)
                    paramstyle = conn.dialect.paramstyle
                    if since is not None and watermark_column is not None:
                        text = dbquery.incremental_sql(query, watermark_column, dbquery.dialect_of(url), paramstyle)
                        result = streaming.exec_driver_sql(text, dbquery.bind(paramstyle, since))
                    else:
                        # No parameters: the driver must not read the query's % signs as parameter markers.
                        result = streaming.execution_options(no_parameters=True).exec_driver_sql(sql)
                    headers = list(result.keys())
                    if watermark_column is not None and watermark_column not in headers:
                        raise Invalid(f"the query has no output column '{watermark_column}'",
                                      field="watermark_column", code="integration.no_watermark_column",
                                      params={"column": watermark_column})
                    rows = QueryRows(result=result, headers=headers, watermark_column=watermark_column)
                    try:
                        yield rows
                    finally:
                        result.close()
            except DBAPIError as exc:
                raise _refused(exc) from None
    finally:
        engine.dispose()
