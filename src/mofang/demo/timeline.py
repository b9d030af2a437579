"""The demo window: its days, Beijing-time clocks, paydays and the 理财节 campaign."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np

US_PER_DAY = 86_400_000_000
US_PER_SECOND = 1_000_000
BEIJING_OFFSET_US = 8 * 3600 * US_PER_SECOND
CAMPAIGN_DAYS = 14

# Share of app sessions starting in each Beijing hour: commute, lunch and the evening peak on
# weekdays; a later, flatter day at weekends.
_WEEKDAY_HOURS = np.array([0.6, 0.3, 0.15, 0.1, 0.1, 0.3, 1.2, 3.6, 5.2, 4.6, 4.2, 4.4, 5.6, 5.0, 4.0, 3.9,
                           4.0, 4.5, 4.8, 5.2, 6.4, 7.0, 5.6, 2.6])
_WEEKEND_HOURS = np.array([1.0, 0.5, 0.25, 0.15, 0.1, 0.2, 0.5, 1.3, 2.8, 4.4, 5.4, 5.6, 5.4, 5.0, 4.8, 4.9,
                           5.0, 4.8, 4.6, 4.9, 5.9, 6.2, 5.2, 2.9])
# Card spending and transfers happen while shops and people are awake.
_SPEND_HOURS = np.array([0.4, 0.2, 0.1, 0.05, 0.05, 0.1, 0.6, 2.8, 4.0, 3.6, 4.0, 5.2, 7.4, 5.6, 4.2, 4.0,
                         4.4, 5.6, 7.6, 7.8, 6.6, 5.2, 3.2, 1.4])
# Branches serve customers from 9:00 to 17:00.
_BRANCH_HOURS = np.array([0] * 9 + [9.0, 14.0, 12.0, 6.0, 8.0, 11.0, 12.0, 6.0] + [0] * 7)


@dataclass(frozen=True)
class Window:
    """`days` calendar days ending on `end` (Beijing dates); nothing is generated after `cutoff_us`."""

    end: date
    days: int
    cutoff_us: int  # UTC microseconds since the epoch

    @classmethod
    def ending(cls, end: date, days: int, now: datetime | None = None) -> Window:
        """A window ending on `end`; when `now` is given, events stop there instead of at midnight."""
        end_of_day = (end + timedelta(days=1) - date(1970, 1, 1)).days * US_PER_DAY - BEIJING_OFFSET_US
        cutoff = end_of_day
        if now is not None:
            cutoff = min(end_of_day, int(now.timestamp() * US_PER_SECOND))
        return cls(end=end, days=days, cutoff_us=cutoff)

    @property
    def start(self) -> date:
        """The first day."""
        return self.end - timedelta(days=self.days - 1)

    def dates(self) -> np.ndarray:
        """Every day of the window as datetime64[D]."""
        return np.datetime64(self.start, "D") + np.arange(self.days)

    def day(self, d: int) -> date:
        """Day `d` (0-based) as a date."""
        return self.start + timedelta(days=d)

    def weekday(self, d: int) -> int:
        """Day `d`'s weekday, Monday 0."""
        return self.day(d).weekday()

    def midnight_utc_us(self, d: int) -> int:
        """UTC microseconds of Beijing midnight starting day `d`."""
        return (self.day(d) - date(1970, 1, 1)).days * US_PER_DAY - BEIJING_OFFSET_US

    def campaign(self) -> tuple[int, int]:
        """First day and end (exclusive) of the two-week 理财节, about six weeks before the end."""
        start = max(0, min(self.days - CAMPAIGN_DAYS, self.days - 45))
        return start, min(self.days, start + CAMPAIGN_DAYS)

    def in_campaign(self, d: int) -> bool:
        """Whether day `d` is a 理财节 day."""
        lo, hi = self.campaign()
        return lo <= d < hi


def payday_of_month(year: int, month: int, dom: int) -> date:
    """The day wages arrive: the employer's day of month, brought forward to Friday at weekends."""
    day = date(year, month, dom)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def payday_table(window: Window, paydays: np.ndarray) -> np.ndarray:
    """Whether wages of each payday-of-month land on each window day: bool, shape (days, paydays)."""
    out = np.full((window.days, paydays.size), False)
    months = {(window.day(d).year, window.day(d).month) for d in range(window.days)}
    # Include the following month: a payday brought forward can fall back into this window.
    y, m = window.end.year, window.end.month
    months.add((y + m // 12, m % 12 + 1))
    for e, dom in enumerate(paydays):
        for year, month in months:
            d = (payday_of_month(year, month, int(dom)) - window.start).days
            if 0 <= d < window.days:
                out[d, e] = True
    return out


def seconds_of_day(rng: np.random.Generator, n: int, hours: np.ndarray) -> np.ndarray:
    """Seconds after Beijing midnight, drawn from an hour-of-day profile."""
    cdf = np.cumsum(hours) / hours.sum()
    hour = np.searchsorted(cdf, rng.random(n), side="right")
    return hour * 3600 + rng.integers(0, 3600, n)


def session_hours(weekend: bool) -> np.ndarray:
    """Hour profile of digital sessions."""
    return _WEEKEND_HOURS if weekend else _WEEKDAY_HOURS


def spend_hours() -> np.ndarray:
    """Hour profile of card spending and transfers."""
    return _SPEND_HOURS


def branch_hours() -> np.ndarray:
    """Hour profile of branch visits."""
    return _BRANCH_HOURS
