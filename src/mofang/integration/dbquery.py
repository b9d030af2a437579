"""Database sources, pure logic: the URL (password apart), the one read-only SELECT, the watermark filter, schedules."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import sqlglot
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlglot import exp

from mofang.platform.errors import Invalid

IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
SCHEDULE = re.compile(r"^daily@([01][0-9]|2[0-3]):([0-5][0-9])$")
PARAM = "mofang_last"
_MARKER = "MOFANG_LAST_WATERMARK"
# The drivers installed for a bank's databases; a bare scheme gets them.
_DRIVERS = {"postgresql": "postgresql+psycopg", "mysql": "mysql+pymysql", "mariadb": "mariadb+pymysql"}
_DIALECTS = {"postgresql": "postgres", "mysql": "mysql", "mariadb": "mysql"}
# Local-file databases would let a source read the server's own files (its metadata, its secrets).
_LOCAL = ("sqlite", "duckdb")
_WRITES = (exp.Insert, exp.Update, exp.Delete, exp.Merge, exp.Create, exp.Drop, exp.Alter, exp.Command, exp.Into,
           exp.Lock, exp.TruncateTable)


def parse_url(raw: str) -> URL:
    """A database URL with a driver for its backend, or 422 naming `url`."""
    try:
        url = make_url(raw.strip())
    except (ArgumentError, ValueError):
        raise Invalid("not a database URL (e.g. postgresql://user:pass@host/db)", field="url",
                      code="integration.bad_url") from None
    backend = url.get_backend_name()
    if backend in _LOCAL or not url.host:
        raise Invalid("a database source connects to a database server (a host is required)", field="url",
                      code="integration.bad_url")
    if url.drivername in _DRIVERS:
        url = url.set(drivername=_DRIVERS[url.drivername])
    try:
        url.get_dialect()
    except (ArgumentError, ImportError):
        raise Invalid(f"no driver for '{url.drivername}' is installed (postgresql, mysql and mariadb are)",
                      field="url", code="integration.bad_url") from None
    return url


def dialect_of(url: URL) -> str | None:
    """The sqlglot dialect of a URL's backend (None: sqlglot's generic SQL)."""
    return _DIALECTS.get(url.get_backend_name())


def masked_url(url: URL) -> str:
    """The URL as shown to people: the password replaced by ***."""
    return url.render_as_string(hide_password=True)


def checked_query(sql: str, dialect: str | None) -> exp.Expression:
    """The query parsed, when it is one read-only SELECT (or WITH … SELECT); 422 naming `query` otherwise."""
    try:
        statements = [s for s in sqlglot.parse(sql, read=dialect) if s is not None]
    except sqlglot.errors.SqlglotError:
        raise Invalid("the query is not SQL this database's dialect can parse", field="query",
                      code="integration.bad_query") from None
    if len(statements) != 1:
        raise Invalid("the query must be exactly one SELECT statement", field="query", code="integration.bad_query")
    query = statements[0]
    if not isinstance(query, exp.Query) or any(True for _ in query.find_all(*_WRITES)):
        raise Invalid("only a read-only SELECT (or WITH … SELECT) may be run", field="query",
                      code="integration.bad_query")
    return query


def output_columns(query: exp.Expression) -> list[str] | None:
    """The query's output column names, or None when a * hides them until it runs."""
    names = list(query.named_selects) if isinstance(query, exp.Query) else []
    return None if not names or "*" in names or "" in names else names


def incremental_sql(query: exp.Expression, column: str, dialect: str | None, paramstyle: str) -> str:
    """The query restricted to rows whose watermark column is past the last value (a bound parameter)."""
    wrapped = (exp.select("*").from_(query.subquery("mofang_src"))
               .where(exp.GT(this=exp.column(column, quoted=True), expression=exp.var(_MARKER))))
    sql = wrapped.sql(dialect=dialect)
    # _MARKER is a bare word no dialect quotes or rewrites; it becomes the driver's parameter marker.
    match paramstyle:
        case "pyformat":
            return sql.replace("%", "%%").replace(_MARKER, f"%({PARAM})s")
        case "format":
            return sql.replace("%", "%%").replace(_MARKER, "%s")
        case "qmark":
            return sql.replace(_MARKER, "?")
        case "numeric":
            return sql.replace(_MARKER, ":1")
    return sql.replace(_MARKER, f":{PARAM}")


def bind(paramstyle: str, value: Any) -> dict[str, Any] | tuple[Any, ...]:
    """The watermark as the driver takes its parameters."""
    return {PARAM: value} if paramstyle in ("pyformat", "named") else (value,)


def later(a: Any, b: Any) -> Any:
    """The larger of two watermark values (None is smaller than any)."""
    if a is None:
        return b
    if b is None:
        return a
    return b if b > a else a


def watermark_json(value: Any) -> dict[str, Any] | None:
    """A watermark value as stored: its kind and its text."""
    if value is None:
        return None
    kind = ("datetime" if isinstance(value, datetime) else "date" if isinstance(value, date)
            else "int" if isinstance(value, int) else "decimal" if isinstance(value, Decimal | float) else "str")
    return {"kind": kind, "value": value.isoformat() if isinstance(value, date) else str(value)}


def watermark_value(stored: dict[str, Any] | None) -> Any:
    """A stored watermark as the value to bind."""
    if not stored:
        return None
    text = stored["value"]
    match stored["kind"]:
        case "datetime":
            return datetime.fromisoformat(text)
        case "date":
            return date.fromisoformat(text)
        case "int":
            return int(text)
        case "decimal":
            return Decimal(text)
    return text


def schedule_time(schedule: str | None) -> time | None:
    """The bank-local time of a `daily@HH:MM` schedule; 422 naming `schedule` when malformed."""
    if schedule is None:
        return None
    m = SCHEDULE.match(schedule)
    if m is None:
        raise Invalid("schedule is daily@HH:MM (bank time) or empty", field="schedule",
                      code="integration.bad_schedule")
    return time(int(m.group(1)), int(m.group(2)))
