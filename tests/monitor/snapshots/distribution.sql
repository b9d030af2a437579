WITH v AS (
  SELECT
    e.customer_id,
    COUNT(*) AS v
  FROM events AS e
  WHERE
    e.event = $p8
    AND e.ts >= $p9
    AND e.ts < $p10
    AND e.customer_id IN (
      SELECT
        c.customer_id
      FROM customers AS c
      WHERE
        (
          c.org_code = $p0 OR STARTS_WITH(c.org_code, $p1)
        ) AND c.tier IN ($p2, $p3)
    )
  GROUP BY
    e.customer_id
)
SELECT
  CASE WHEN v < 1 THEN 0 WHEN v < 2 THEN 1 WHEN v < 4 THEN 2 WHEN v < 8 THEN 3 ELSE 4 END AS b,
  COUNT(*) AS customers,
  AVG(v) AS mean,
  MEDIAN(v) AS median,
  QUANTILE_CONT(v, 0.9) AS p90,
  (
    SELECT
      COUNT(*)
    FROM customers AS c
    WHERE
      (
        c.org_code = $p4 OR STARTS_WITH(c.org_code, $p5)
      )
      AND c.tier IN ($p6, $p7)
      AND NOT c.customer_id IN (
        SELECT
          v.customer_id
        FROM v
      )
  ) AS without
FROM v
GROUP BY
  GROUPING SETS (
    (
      b
    ),
    ()
  )
-- params: {"p0": "GD", "p1": "GD-", "p2": "财富", "p3": "私行", "p4": "GD", "p5": "GD-", "p6": "财富", "p7": "私行", "p8": "login", "p9": "2026-02-28 16:00:00", "p10": "2026-03-07 16:00:00"}
