SELECT
  c.rowid AS code,
  MIN(CAST(e.properties ->> '$.channel' AS TEXT)) AS grp
FROM events AS e
JOIN customers AS c
  ON c.customer_id = e.customer_id
JOIN mofang_funnel_starts AS s
  ON s.code = c.rowid AND s.t = (
    EPOCH_US(e.ts) - $p0
  ) // 1000000
WHERE
  e.event = $p1 AND e.ts >= $p2 AND e.ts < $p3
GROUP BY
  c.rowid
-- params: {"p0": 1772294400000000, "p1": "app_open", "p2": "2026-02-28 16:00:00", "p3": "2026-03-10 16:00:00"}
