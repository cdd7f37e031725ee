"""Cron in an IANA time zone, with a stated DST policy. Plain Python, no Django.

The expression is evaluated on local wall-clock times (croniter on naive datetimes), and
each local time is then mapped to one instant:

- **gap** (spring forward: the local time does not exist that day): the run fires once, at
  the next valid instant, i.e. the first local time after the gap (02:30 -> 03:00 in
  Europe/Berlin). Several skipped times collapse into that one fire.
- **overlap** (fall back: the local time happens twice): the run fires once, at the first
  occurrence (``fold=0``); the repeat is not fired again.

Instants returned are aware UTC datetimes, strictly increasing.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from croniter import CroniterBadCronError, CroniterBadDateError, croniter

MAX_GAP_MINUTES = 24 * 60  # no zone skips more than a day (Samoa 2011 skipped exactly one)


class CronInvalid(ValueError):
    """The expression or the time zone is unusable; the message says which."""


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise CronInvalid(f"unknown time zone {name!r}") from None


def validate(expression: str, timezone: str) -> None:
    """Raise CronInvalid unless both the expression and the IANA zone are usable."""
    zone(timezone)
    if timezone not in available_timezones() and timezone != "UTC":
        raise CronInvalid(f"unknown time zone {timezone!r}")
    fields = expression.split()
    if not expression.startswith("@") and len(fields) != 5:
        raise CronInvalid("a cron expression has five fields: minute hour day month weekday")
    try:
        if not croniter.is_valid(expression):
            raise CronInvalid(f"invalid cron expression {expression!r}")
        next(_local_times(expression, datetime(2000, 1, 1)))
    except (CroniterBadCronError, CroniterBadDateError, StopIteration, KeyError, ValueError) as exc:
        if isinstance(exc, CronInvalid):
            raise
        raise CronInvalid(f"invalid cron expression {expression!r}") from None


def _local_times(expression: str, start_naive: datetime) -> Iterator[datetime]:
    it = croniter(expression, start_naive, ret_type=datetime)
    while True:
        yield it.get_next(datetime)


def _exists(naive: datetime, tz: ZoneInfo) -> bool:
    aware = naive.replace(tzinfo=tz)
    return aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == naive


def to_instant(naive: datetime, tz: ZoneInfo) -> datetime:
    """The instant a local wall-clock time fires at, under the DST policy above."""
    if _exists(naive, tz):
        return naive.replace(tzinfo=tz, fold=0).astimezone(UTC)
    probe = naive.replace(second=0, microsecond=0)
    for _ in range(MAX_GAP_MINUTES):
        probe += timedelta(minutes=1)
        if _exists(probe, tz):
            return probe.replace(tzinfo=tz, fold=0).astimezone(UTC)
    raise CronInvalid("no valid local time within a day of the gap")


def next_after(expression: str, timezone: str, after: datetime) -> datetime:
    """The first fire instant strictly after ``after`` (aware)."""
    tz = zone(timezone)
    after_utc = after.astimezone(UTC)
    # Just after a fall-back the local clock repeats: start that much earlier, so that the
    # first occurrence rule below (instant > after) decides, not the repeated wall clock.
    earlier = (after_utc - timedelta(hours=3)).astimezone(tz).utcoffset() or timedelta(0)
    repeat = max(timedelta(0), earlier - (after_utc.astimezone(tz).utcoffset() or timedelta(0)))
    local = after_utc.astimezone(tz).replace(tzinfo=None) - repeat
    for naive in _local_times(expression, local):
        instant = to_instant(naive, tz)
        if instant > after_utc:
            return instant
    raise CronInvalid("the expression never fires")  # pragma: no cover (infinite iterator)


def upcoming(expression: str, timezone: str, after: datetime, count: int) -> list[datetime]:
    """The next ``count`` fire instants after ``after``."""
    out: list[datetime] = []
    cursor = after
    for _ in range(count):
        cursor = next_after(expression, timezone, cursor)
        out.append(cursor)
    return out
