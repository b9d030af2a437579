SELECT
  (
    code << 28
  ) | (
    t << 8
  ) | (
    (
      CASE
        WHEN mask & 1 <> 0
        THEN 1
        WHEN mask & 2 <> 0
        THEN 2
        WHEN mask & 4 <> 0
        THEN 3
        ELSE 0
      END
    ) << 4
  ) | mask AS key
FROM (
  SELECT
    c.rowid AS code,
    (
      EPOCH_US(e.ts) - $p10
    ) // 1000000 AS t,
    CAST((
      CASE WHEN e.event = $p4 THEN 1 ELSE 0 END + CASE
        WHEN e.event = $p5 AND (
          e.properties ->> '$.product'
        ) = $p6
        THEN 2
        ELSE 0
      END + CASE
        WHEN e.event = $p7 AND TRY_CAST(e.properties ->> '$.amount' AS DOUBLE) >= $p8
        THEN 4
        ELSE 0
      END + CASE WHEN e.event = $p9 THEN 8 ELSE 0 END
    ) AS INT) AS mask
  FROM events AS e
  JOIN customers AS c
    ON c.customer_id = e.customer_id
  WHERE
    e.ts >= $p11
    AND e.ts < $p12
    AND e.event IN ($p13, $p14, $p15, $p16)
    AND (
      (
        c.org_code = $p0 OR STARTS_WITH(c.org_code, $p1)
      ) AND c.tier IN ($p2, $p3)
    )
) AS r
-- params: {"p0": "GD", "p1": "GD-", "p2": "财富", "p3": "私行", "p4": "app_open", "p5": "product_view", "p6": "P1", "p7": "purchase", "p8": 1000.0, "p9": "logout", "p10": 1772294400000000, "p11": "2026-02-28 16:00:00", "p12": "2026-03-10 16:00:00", "p13": "app_open", "p14": "logout", "p15": "product_view", "p16": "purchase"}
