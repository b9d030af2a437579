"""Shared counters in Redis: one Lua script per check reads a customer's counters, decides and increments atomically."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from mofang.strategy.contact_policy import logic
from mofang.strategy.contact_policy.contracts import CapRule, ContactRequest, Rule

# KEYS[1] the customer's counter hash, KEYS[2] the send key's marker.
# ARGV: ttl, current day / week / month periods, n caps, then 6 values per cap (window letter, period, channel,
# purpose, line, effective limit), then the 3 fields this send increments, then (on a second call only) `seed`
# and the customer's counts from the log: field, count, field, count …
# Returns {-1} when the key was counted before, {-2} when the customer's counters must first be seeded from the
# metadata database (field `seeded` absent: a new customer, an expired hash or a Redis that lost its data) and no
# seed was given, else {ok, used_1 … used_n}; increments only when ok == 1. A seed is written only while the
# marker is absent, so a process seeding from an older read never overwrites counts another one made since.
CHECK = """
if redis.call('EXISTS', KEYS[2]) == 1 then return {-1} end
local ttl = tonumber(ARGV[1])
local n = tonumber(ARGV[5])
if redis.call('HEXISTS', KEYS[1], 'seeded') == 0 then
  local s = 5 + n * 6 + 3
  if #ARGV == s then return {-2} end
  for k = s + 2, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[k], ARGV[k + 1]) end
  redis.call('HSET', KEYS[1], 'seeded', '1')
  redis.call('EXPIRE', KEYS[1], ttl)
end
local cur = {d = ARGV[2], w = ARGV[3], m = ARGV[4]}
local used = {}
for i = 1, n do used[i] = 0 end
local all = redis.call('HGETALL', KEYS[1])
for j = 1, #all, 2 do
  local f, v = all[j], tonumber(all[j + 1])
  local p = {}
  for part in string.gmatch(f, '([^|]+)') do p[#p + 1] = part end
  if #p ~= 5 then
    -- the `seeded` marker
  elseif cur[p[1]] ~= p[2] then
    redis.call('HDEL', KEYS[1], f)
  else
    for i = 1, n do
      local b = 5 + (i - 1) * 6
      if ARGV[b + 1] == p[1] and ARGV[b + 2] == p[2]
          and (ARGV[b + 3] == '*' or ARGV[b + 3] == p[3])
          and (ARGV[b + 4] == '*' or ARGV[b + 4] == p[4])
          and (ARGV[b + 5] == '*' or ARGV[b + 5] == p[5]) then
        used[i] = used[i] + v
      end
    end
  end
end
local ok = 1
for i = 1, n do
  if used[i] + 1 > tonumber(ARGV[5 + (i - 1) * 6 + 6]) then ok = 0 end
end
if ok == 1 then
  local b = 5 + n * 6
  for k = 1, 3 do redis.call('HINCRBY', KEYS[1], ARGV[b + k], 1) end
  redis.call('EXPIRE', KEYS[1], ttl)
  redis.call('SET', KEYS[2], '1', 'EX', ttl)
end
local out = {ok}
for i = 1, n do out[#out + 1] = used[i] end
return out
"""

# Give back one counted contact: decrement the fields that still exist (a turned window's field is gone).
RELEASE = """
for k = 1, #ARGV do
  local v = redis.call('HGET', KEYS[1], ARGV[k])
  if v and tonumber(v) > 0 then redis.call('HINCRBY', KEYS[1], ARGV[k], -1) end
end
return 1
"""

TTL_SECONDS = 40 * 24 * 3600  # longer than any window (a month, or a week reaching into the previous month)


class RedisCounters:
    """The counters of every customer in Redis, shared by all worker processes."""

    def __init__(self, url: str, prefix: str) -> None:
        import redis  # only scale-out installations need it

        self.client: Any = redis.Redis.from_url(url)
        self.prefix = prefix
        self._check = self.client.register_script(CHECK)
        self._release = self.client.register_script(RELEASE)

    def _hash(self, customer_id: str) -> str:
        return f"{self.prefix}policy:c:{customer_id}"

    def check_and_count(self, request: ContactRequest, now: datetime, caps: Sequence[Rule],
                        seed: Callable[[], Mapping[str, int]]) -> list[int] | None:
        """Used counts of the caps (counted now when all had room), or None when this key was counted before.

        `seed` gives the customer's counter fields from the persisted log, asked for only when Redis has none.
        """
        current = logic.periods(now)
        bodies = [r.body for r in caps if isinstance(r.body, CapRule)]
        assert len(bodies) == len(caps)
        argv: list[str] = [str(TTL_SECONDS), *(current[w] for w in logic.WINDOWS), str(len(caps))]
        for cap, pattern in zip(bodies, logic.cap_patterns(bodies, now), strict=True):
            argv += [*pattern, str(logic.effective_limit(cap, request.priority))]
        argv += logic.bucket_fields(at=now, channel=request.channel, purpose=request.purpose,
                                    line=request.business_line)
        keys = [self._hash(request.customer_id).encode(), f"{self.prefix}policy:k:{request.key}".encode()]
        # Handed over as bytes: redis-py passes bytes through, where it type-checks and encodes every str and int.
        out = self._check(keys=keys, args=[a.encode() for a in argv])
        if int(out[0]) == -2:  # seed and check in one call: the seed is written only if still missing
            out = self._check(keys=keys, args=[*argv, "seed", *(x for kv in seed().items() for x in kv)])
        if int(out[0]) == -1:
            return None
        return [int(v) for v in out[1:]]

    def counts(self, customer_id: str) -> dict[str, int] | None:
        """A customer's counter fields (read only), or None when they were never seeded here."""
        raw = self.client.hgetall(self._hash(customer_id))
        if b"seeded" not in raw:
            return None
        return {k.decode(): int(v) for k, v in raw.items() if k != b"seeded"}

    def release(self, *, customer_id: str, channel: str, purpose: str, line: str, at: datetime) -> None:
        """Give back one contact counted at `at`."""
        fields = logic.bucket_fields(at=at, channel=channel, purpose=purpose, line=line)
        self._release(keys=[self._hash(customer_id)], args=list(fields))
