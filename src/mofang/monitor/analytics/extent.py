"""What days the store holds data for, so that analysis pages open on periods that have data."""

from __future__ import annotations

from datetime import UTC, date, datetime

from pydantic import BaseModel
from sqlglot import exp, select

from mofang.monitor.analytics import repository as repo
from mofang.platform.scheduler import business_day
from mofang.platform.storage.eventstore import EventStore
from mofang.platform.storage.sql import Params


class DataExtent(BaseModel):
    """The first and last bank day with events, and with AUM snapshots (None: none at all)."""

    events_from: date | None
    events_to: date | None
    aum_from: date | None
    aum_to: date | None


def _day(v: object) -> date | None:
    """A bank day from a timestamp (stored in UTC) or a date column."""
    if isinstance(v, datetime):
        return business_day(v if v.tzinfo else v.replace(tzinfo=UTC))
    return v if isinstance(v, date) else None



def extent(store: EventStore) -> DataExtent:
    """The days covered by events and by AUM snapshots (dates only: nothing about any customer)."""
    params = Params()
    ev = repo.rows(store, select(exp.Min(this=exp.column("ts")).as_("d0"), exp.Max(this=exp.column("ts")).as_("d1"))
                   .from_("events"), params)[0]
    aum = repo.rows(store, select(exp.Min(this=exp.column("date")).as_("d0"),
                                  exp.Max(this=exp.column("date")).as_("d1")).from_("aum_daily"), Params())[0]
    return DataExtent(events_from=_day(ev["d0"]), events_to=_day(ev["d1"]),
                      aum_from=_day(aum["d0"]), aum_to=_day(aum["d1"]))
