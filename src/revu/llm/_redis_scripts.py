"""The Lua scripts of the Redis limiter: each runs atomically on the server, on its clock.

Keys of one limiter key `H` (the `limit_key` hash) share the hash tag `{H}`, so on a
Redis Cluster they live in one slot:

- `leases`   ZSET lease id -> expiry (ms, server time): the permits in use
- `queue`    ZSET ticket id -> arrival (ms): callers waiting, oldest first
- `tickets`  ZSET ticket id -> expiry (ms): liveness of those tickets (renewed while waiting)
- `starts`   ZSET lease id -> start (ms): the last minute's calls (RPM)
- `tokens`   ZSET "id|tokens" -> start (ms): the last minute's tokens (TPM)
- `spent`    STRING: the sum of `tokens`, kept with it (recounted if it goes missing)
- `cooldown` STRING with an expiry: no new call until it is gone

A ticket id is the id of the lease it becomes. Every script is idempotent, because the client
may run one again after a dropped connection.
"""

from __future__ import annotations

from dataclasses import dataclass

import redis.asyncio as aioredis
from redis.commands.core import AsyncScript


@dataclass(frozen=True)
class KeyNames:
    """Redis names of one limiter key; `{hash}` is a Cluster hash tag (one slot for all)."""

    leases: str
    queue: str
    tickets: str
    starts: str
    tokens: str
    spent: str
    cooldown: str
    channel: str

    @classmethod
    def of(cls, prefix: str, key: str) -> KeyNames:
        base = f"{prefix}:{{{key}}}"
        return cls(
            leases=f"{base}:leases",
            queue=f"{base}:queue",
            tickets=f"{base}:tickets",
            starts=f"{base}:starts",
            tokens=f"{base}:tokens",
            spent=f"{base}:spent",
            cooldown=f"{base}:cooldown",
            channel=f"{base}:free",
        )

    def expiring(self) -> list[str]:
        """The keys that expire when idle, in the order ACQUIRE and RENEW take them."""
        return [self.leases, self.queue, self.tickets, self.starts, self.tokens, self.spent]


# Shared head: server time in ms (TIME is allowed in scripts since effects replication).
_NOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
"""

# KEYS: leases, queue, tickets, starts, tokens, spent, cooldown
# ARGV: cap, rpm, tpm (0 = no limit), ttl_ms, idle_ms, channel, n_fresh,
#       n_fresh ticket ids to register, then (id, tokens) pairs of candidates in FIFO order.
# Returns {why, wait_ms, {admitted ids}}: why is '' when every candidate was admitted, else
# what stopped the first one left: busy | queue | rpm | tpm | cooldown. wait_ms: -1 for
# "until a release" (queue), else how long until time alone may let it go.
ACQUIRE = (
    _NOW
    + """
local cap, rpm, tpm = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local ttl, idle, channel = tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6]
local n_fresh = tonumber(ARGV[7])
local leases, queue, tickets, starts, window, spent, cooldown =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]

local function amount(member)
  return tonumber(string.match(member, '|(%d+)$'))
end

-- Leases and tickets of crashed processes lapse here: nobody renewed them.
redis.call('ZREMRANGEBYSCORE', leases, '-inf', now)
for _, id in ipairs(redis.call('ZRANGEBYSCORE', tickets, '-inf', now)) do
  redis.call('ZREM', queue, id)
  redis.call('ZREM', tickets, id)
end
redis.call('ZREMRANGEBYSCORE', starts, '-inf', now - 60000)
-- The token total follows its window, so admitting costs O(log n), not a sum over the minute.
local gone = redis.call('ZRANGEBYSCORE', window, '-inf', now - 60000)
if #gone > 0 then
  local freed = 0
  for _, member in ipairs(gone) do freed = freed + amount(member) end
  redis.call('ZREMRANGEBYSCORE', window, '-inf', now - 60000)
  redis.call('DECRBY', spent, freed)
end
local total = 0
if redis.call('ZCARD', window) == 0 then
  redis.call('DEL', spent)
else
  total = tonumber(redis.call('GET', spent) or '-1')
  if total < 0 then  -- the total went missing (evicted): count the window again
    total = 0
    for _, member in ipairs(redis.call('ZRANGE', window, 0, -1)) do
      total = total + amount(member)
    end
    redis.call('SET', spent, total)
  end
end

for i = 1, n_fresh do
  local id = ARGV[7 + i]
  redis.call('ZADD', queue, 'NX', now + i / 1000, id)
  redis.call('ZADD', tickets, now + ttl, id)
end

local active = redis.call('ZCARD', leases)
local used = redis.call('ZCARD', starts)

local function room()
  local r = math.huge
  if cap > 0 then r = cap - active end
  if rpm > 0 then r = math.min(r, rpm - used) end
  return r
end

local admitted = {}
local why, wait = '', -1
local cool = redis.call('PTTL', cooldown)
if cool > 0 then
  why, wait = 'cooldown', cool
else
  for c = 8 + n_fresh, #ARGV, 2 do
    local id, tokens = ARGV[c], tonumber(ARGV[c + 1])
    if redis.call('ZSCORE', leases, id) then
      -- Admitted by an earlier run of this same call (a client retry): say so again.
      redis.call('ZREM', queue, id)
      redis.call('ZREM', tickets, id)
      admitted[#admitted + 1] = id
    else
      local rank = redis.call('ZRANK', queue, id)
      if not rank then  -- its ticket lapsed (a stalled process): back in the queue
        redis.call('ZADD', queue, now, id)
        redis.call('ZADD', tickets, now + ttl, id)
        rank = redis.call('ZRANK', queue, id)
      end
      if cap > 0 and active >= cap then
        local first = redis.call('ZRANGE', leases, 0, 0, 'WITHSCORES')
        why, wait = 'busy', math.max(0, tonumber(first[2]) - now)
        break
      end
      if rpm > 0 and used >= rpm then
        local first = redis.call('ZRANGE', starts, 0, 0, 'WITHSCORES')
        why, wait = 'rpm', math.max(0, tonumber(first[2]) + 60000 - now)
        break
      end
      if rank >= room() then
        why = 'queue'  -- earlier tickets (of other processes) have the free permits
        break
      end
      -- A call larger than the whole TPM budget still goes alone, else it would never go.
      if tpm > 0 and total > 0 and total + tokens > tpm then
        local entries = redis.call('ZRANGE', window, 0, -1, 'WITHSCORES')
        local freed, at = total, now
        for j = 1, #entries, 2 do
          freed = freed - amount(entries[j])
          at = tonumber(entries[j + 1]) + 60000
          if freed + tokens <= tpm then break end
        end
        why, wait = 'tpm', math.max(0, at - now)
        break
      end
      redis.call('ZADD', leases, now + ttl, id)
      redis.call('ZREM', queue, id)
      redis.call('ZREM', tickets, id)
      if rpm > 0 then
        redis.call('ZADD', starts, now, id)
        used = used + 1
      end
      if tpm > 0 then
        redis.call('ZADD', window, now, id .. '|' .. ARGV[c + 1])
        redis.call('INCRBY', spent, ARGV[c + 1])
        total = total + tokens
      end
      active = active + 1
      admitted[#admitted + 1] = id
    end
  end
end

-- Permits are left and others queue: wake them (their tickets may now be in front).
if #admitted > 0 and room() > 0 and redis.call('ZCARD', queue) > 0 then
  redis.call('PUBLISH', channel, 'room')
end
for k = 1, 6 do
  redis.call('PEXPIRE', KEYS[k], idle)
end
return {why, math.ceil(wait), admitted}
"""
)

# KEYS: leases, queue. ARGV: lease id, channel. Returns 1 if the lease was held, else 0.
RELEASE = """
local gone = redis.call('ZREM', KEYS[1], ARGV[1])
if gone > 0 and redis.call('ZCARD', KEYS[2]) > 0 then
  redis.call('PUBLISH', ARGV[2], 'free')
end
return gone
"""

# KEYS: queue, tickets. ARGV: channel, ticket ids of callers that stopped waiting.
FORGET = """
local gone = 0
for i = 2, #ARGV do
  gone = gone + redis.call('ZREM', KEYS[1], ARGV[i])
  redis.call('ZREM', KEYS[2], ARGV[i])
end
if gone > 0 and redis.call('ZCARD', KEYS[1]) > 0 then
  redis.call('PUBLISH', ARGV[1], 'moved')
end
return gone
"""

# KEYS: leases, queue, tickets, starts, tokens, spent. ARGV: ttl_ms, idle_ms, n_leases, lease ids,
# then ticket ids. Renews what is still there (a lapsed-but-unpruned lease is safe to renew:
# nobody took its permit) and returns the lease ids that were gone.
RENEW = (
    _NOW
    + """
local ttl, idle, n = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local lost = {}
for i = 4, 3 + n do
  if redis.call('ZSCORE', KEYS[1], ARGV[i]) then
    redis.call('ZADD', KEYS[1], 'XX', now + ttl, ARGV[i])
  else
    lost[#lost + 1] = ARGV[i]
  end
end
for i = 4 + n, #ARGV do
  redis.call('ZADD', KEYS[3], 'XX', now + ttl, ARGV[i])
end
for k = 1, 6 do
  redis.call('PEXPIRE', KEYS[k], idle)
end
return lost
"""
)

# KEYS: cooldown. ARGV: ms. Extends, never shortens, the pause.
COOLDOWN = """
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
end
return 1
"""

# KEYS: leases. The number of live leases: permits in use across every process.
HOLDERS = (
    _NOW
    + """
return redis.call('ZCOUNT', KEYS[1], '(' .. now, '+inf')
"""
)


@dataclass(frozen=True)
class Scripts:
    """The scripts registered on one client (sent by SHA, loaded on first use)."""

    acquire: AsyncScript
    release: AsyncScript
    forget: AsyncScript
    renew: AsyncScript
    cooldown: AsyncScript
    holders: AsyncScript

    @classmethod
    def on(cls, client: aioredis.Redis) -> Scripts:
        return cls(
            acquire=client.register_script(ACQUIRE),
            release=client.register_script(RELEASE),
            forget=client.register_script(FORGET),
            renew=client.register_script(RENEW),
            cooldown=client.register_script(COOLDOWN),
            holders=client.register_script(HOLDERS),
        )
