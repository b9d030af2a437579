WITH s AS (
  SELECT
    e.customer_id AS cid,
    e.ts,
    e.event = $p4 AS is_a,
    e.event = $p5 AS is_b
  FROM events AS e
  WHERE
    e.ts >= $p6
    AND (
      e.event = $p4 OR e.event = $p5
    )
    AND e.customer_id IN (
      SELECT
        c.customer_id
      FROM customers AS c
      WHERE
        (
          c.org_code = $p0 OR STARTS_WITH(c.org_code, $p1)
        ) AND c.tier IN ($p2, $p3)
    )
), n AS (
  SELECT
    cid,
    ts,
    is_a,
    MIN(CASE WHEN is_b THEN ts END) OVER (
      PARTITION BY cid
      ORDER BY ts, is_b
      ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING
    ) AS nb
  FROM s
), g AS (
  SELECT
    cid,
    (
      EPOCH_US(nb) - EPOCH_US(ts)
    ) / 1000000.0 AS gap
  FROM n
  WHERE
    is_a AND ts < $p7 AND NOT nb IS NULL
)
SELECT
  CASE
    WHEN gap < 60
    THEN 0
    WHEN gap < 300
    THEN 1
    WHEN gap < 1800
    THEN 2
    WHEN gap < 3600
    THEN 3
    WHEN gap < 21600
    THEN 4
    WHEN gap < 86400
    THEN 5
    WHEN gap < 259200
    THEN 6
    WHEN gap < 604800
    THEN 7
    ELSE 8
  END AS b,
  COUNT(*) AS pairs,
  COUNT(DISTINCT cid) AS customers,
  AVG(gap) AS mean,
  MEDIAN(gap) AS median,
  QUANTILE_CONT(gap, 0.9) AS p90
FROM g
GROUP BY
  GROUPING SETS (
    (
      b
    ),
    ()
  )
-- params: {"p0": "GD", "p1": "GD-", "p2": "财富", "p3": "私行", "p4": "register", "p5": "purchase", "p6": "2026-02-28 16:00:00", "p7": "2026-03-07 16:00:00"}
