WITH s AS (
  SELECT
    e.customer_id AS cid,
    e.ts,
    e.event,
    e.event = $p4 AS is_anchor
  FROM events AS e
  WHERE
    e.ts >= $p5
    AND e.ts < $p6
    AND e.customer_id IN (
      SELECT
        c.customer_id
      FROM customers AS c
      WHERE
        (
          c.org_code = $p0 OR STARTS_WITH(c.org_code, $p1)
        ) AND c.tier IN ($p2, $p3)
    )
    AND TRUE
    AND e.type IN ('track', 'page', 'screen')
), g AS (
  SELECT
    *,
    SUM(
      CASE
        WHEN prev IS NULL OR EPOCH_US(ts) - EPOCH_US(prev) > 1800000000
        THEN 1
        ELSE 0
      END
    ) OVER (
      PARTITION BY cid
      ORDER BY ts, event
      ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    ) AS sid
  FROM (
    SELECT
      *,
      LAG(ts) OVER (PARTITION BY cid ORDER BY ts, event) AS prev
    FROM s
  )
), p AS (
  SELECT
    *,
    ROW_NUMBER() OVER (PARTITION BY cid, sid ORDER BY ts, event) AS rn
  FROM g
), a AS (
  SELECT
    cid,
    sid,
    MIN(rn) AS arn
  FROM p
  WHERE
    is_anchor
  GROUP BY
    cid,
    sid
), paths AS (
  SELECT
    p.cid,
    p.sid,
    ARRAY_AGG(p.event ORDER BY p.rn) AS path
  FROM p
  JOIN a
    ON a.cid = p.cid AND a.sid = p.sid
  WHERE
    p.rn BETWEEN a.arn AND a.arn + 3
  GROUP BY
    p.cid,
    p.sid
)
SELECT
  path,
  COUNT(*) AS sessions
FROM paths
GROUP BY
  path
ORDER BY
  sessions DESC,
  path
LIMIT 50000
-- params: {"p0": "GD", "p1": "GD-", "p2": "财富", "p3": "私行", "p4": "app_open", "p5": "2026-02-28 16:00:00", "p6": "2026-03-07 16:00:00"}
