"""The Lua scripts of benefits on Redis: a batch of claims decided in one step, moving stock, the id floor."""

from __future__ import annotations

# One call decides a whole batch of claims, atomically, in order (a key or customer twice in a batch is seen twice).
# KEYS: 1 answers by idempotency key, 2 the grant stream, 3 the grant id counter, 4.. customer counts and pools.
# ARGV: m scopes, m × (scope "limit|cost|pool|org|source|benefit|campaign", index of its customer-count key, index
# of its pool key or 0), then the claims as ONE JSON list of [idempotency key, customer, scope number, now, expires,
# refusal decided before Redis or ''] (one argument: packing thousands of arguments costs the client more than the
# script). Returns a JSON list with one answer per claim: "status|reason|id|cost|expires|benefit|campaign|customer"
# (the first answer when the key was decided before), or "reload" when Redis lacks the counters (nothing decided).
# The batch goes to the stream as ONE entry that the ledger drains in bulk: s the scopes (JSON), c the claims as
# given, r the answers as returned, f the claims decided now as [position, customer_seq or 0, ...].
CLAIMS = """
local m = tonumber(ARGV[1])
local claims = cjson.decode(ARGV[2 + 3 * m])
local n, out = #claims, {}
-- No id counter means Redis lost its data: decide nothing until the process reloads from the ledger.
if redis.call('EXISTS', KEYS[3]) == 0 then
  for i = 1, n do out[i] = 'reload' end
  return cjson.encode(out)
end
local scopes, fixed, a = {}, {}, 2
for s = 1, m do
  local limit, cost, _, _, _, b, c = string.match(ARGV[a], '^(%d+)|(%d+)|([^|]*)|([^|]*)|([^|]*)|(%d+)|(%d+)$')
  local pool = tonumber(ARGV[a + 2])
  scopes[s] = {limit = tonumber(limit), cost = tonumber(cost), issued = 'issued||%d|' .. cost .. '|',
               tail = '|' .. b .. '|' .. c .. '|', cust = KEYS[tonumber(ARGV[a + 1])],
               pool = pool > 0 and KEYS[pool] or false, asks = {}}
  fixed[s] = ARGV[a]
  a = a + 3
end
local keys = {}
for i = 1, n do keys[i] = claims[i][1] end
local prev = redis.call('HMGET', KEYS[1], unpack(keys))
-- Every customer count the batch may need, one HMGET per scope; every pool's counters, one HMGET per pool.
local have, pools = {}, {}
for i = 1, n do
  local c = claims[i]
  if not prev[i] and c[6] == '' then table.insert(scopes[c[3]].asks, c[2]) end
end
for s, sc in ipairs(scopes) do
  have[s] = {}
  if #sc.asks > 0 then
    local got = redis.call('HMGET', sc.cust, unpack(sc.asks))
    for j, cust in ipairs(sc.asks) do have[s][cust] = tonumber(got[j] or '0') end
    if sc.pool and not pools[sc.pool] then
      local p = redis.call('HMGET', sc.pool, 'stock', 'budget')
      pools[sc.pool] = {stock = tonumber(p[1] or '-1'), budget = tonumber(p[2] or '-1'), dirty = false}
    end
  end
end
local first, fresh, reasons, seqs, dirty = {}, {}, {}, {}, {}
for i = 1, n do
  local c = claims[i]
  local key, cust, s = c[1], c[2], c[3]
  if prev[i] then out[i] = prev[i]
  elseif first[key] then out[i] = first[key]  -- the same key earlier in this batch: its answer, filled in below
  else
    local sc, reason, seq = scopes[s], c[6], 0
    if reason == '' then
      local count, p = have[s][cust], pools[sc.pool]
      if count >= sc.limit then reason = 'limit_per_customer'
      elseif p.stock < 0 then reason = 'reload'  -- the pool's counters are not in Redis (lost): load them first
      elseif p.stock == 0 then reason = 'stock_exhausted'
      elseif p.budget < sc.cost then reason = 'budget_exhausted'
      else
        p.stock, p.budget, p.dirty = p.stock - 1, p.budget - sc.cost, true
        seq = count + 1
        have[s][cust] = seq
        local d = dirty[sc.cust]
        if not d then d = {}; dirty[sc.cust] = d end
        d[#d + 1], d[#d + 2] = cust, seq
      end
    end
    if reason == 'reload' then out[i] = 'reload'
    else
      first[key] = i
      fresh[#fresh + 1], reasons[#fresh + 1], seqs[#fresh + 1] = i, reason, seq
    end
  end
end
if #fresh > 0 then
  local id = redis.call('INCRBY', KEYS[3], #fresh) - #fresh
  local answers, decided = {}, {}
  for t, i in ipairs(fresh) do
    local c = claims[i]
    local sc = scopes[c[3]]
    local answer
    if reasons[t] == '' then answer = string.format(sc.issued, id + t) .. c[5]
    else answer = string.format('refused|%s|%d|0|', reasons[t], id + t) end
    out[i] = answer .. sc.tail .. c[2]
    answers[2 * t - 1], answers[2 * t] = c[1], out[i]
    decided[2 * t - 1], decided[2 * t] = i, seqs[t]
  end
  redis.call('HSET', KEYS[1], unpack(answers))
  for key, p in pairs(pools) do
    if p.dirty then
      redis.call('HSET', key, 'stock', string.format('%d', p.stock), 'budget', string.format('%d', p.budget))
    end
  end
  for key, d in pairs(dirty) do redis.call('HSET', key, unpack(d)) end
  for i = 1, n do
    if type(out[i]) == 'number' then out[i] = out[out[i]] end
  end
  local encoded = cjson.encode(out)
  redis.call('XADD', KEYS[2], '*', 's', cjson.encode(fixed), 'c', ARGV[2 + 3 * m], 'r', encoded,
             'f', '[' .. table.concat(decided, ',') .. ']')
  return encoded
end
for i = 1, n do
  if type(out[i]) == 'number' then out[i] = out[out[i]] end
end
return cjson.encode(out)
"""
# Move stock and budget from one pool to another (negative: back), only if the source has them.
MOVE = """
local stock = tonumber(redis.call('HGET', KEYS[1], 'stock') or '-1')
local budget = tonumber(redis.call('HGET', KEYS[1], 'budget') or '-1')
if stock < tonumber(ARGV[1]) or budget < tonumber(ARGV[2]) then return 0 end
redis.call('HINCRBY', KEYS[1], 'stock', -tonumber(ARGV[1]))
redis.call('HINCRBY', KEYS[1], 'budget', -tonumber(ARGV[2]))
return 1
"""
# Raise the id counter to at least the ledger's largest id (ids come from Redis once it is in use).
FLOOR = """
local cur = redis.call('GET', KEYS[1])
if (not cur) or tonumber(cur) < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1]) end
return 1
"""
