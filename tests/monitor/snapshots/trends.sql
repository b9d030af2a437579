SELECT
  DATE_TRUNC('WEEK', e.ts + INTERVAL '8' HOUR) AS bucket,
  e.properties ->> '$.channel' AS grp,
  SUM(TRY_CAST(e.properties ->> '$.amount' AS DOUBLE)) AS value
FROM events AS e
WHERE
  e.event = $p4
  AND (
    e.ts >= $p5 AND e.ts < $p6
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
GROUP BY
  GROUPING SETS (
    (bucket, grp),
    (
      grp
    )
  )
-- params: {"p0": "GD", "p1": "GD-", "p2": "财富", "p3": "私行", "p4": "purchase", "p5": "2026-02-28 16:00:00", "p6": "2026-03-07 16:00:00"}
