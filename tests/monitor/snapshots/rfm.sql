WITH t AS (
  SELECT
    x.customer_id,
    (
      EPOCH_US($p8) - EPOCH_US(MAX(x.ts))
    ) / 86400000000.0 AS r,
    COUNT(*) AS f,
    SUM(x.amount) AS m
  FROM transactions AS x
  WHERE
    x.ts >= $p9
    AND x.ts < $p10
    AND x.customer_id IN (
      SELECT
        c.customer_id
      FROM customers AS c
      WHERE
        (
          c.org_code = $p0 OR STARTS_WITH(c.org_code, $p1)
        ) AND c.tier IN ($p2, $p3)
    )
  GROUP BY
    x.customer_id
), a AS (
  SELECT
    AVG(r) AS ar,
    AVG(f) AS af,
    AVG(m) AS am
  FROM t
), s AS (
  SELECT
    t.*,
    t.r <= a.ar AS r_hi,
    t.f >= a.af AS f_hi,
    t.m >= a.am AS m_hi,
    NTILE(5) OVER (ORDER BY t.r DESC) AS rs,
    NTILE(5) OVER (ORDER BY t.f) AS fs
  FROM t
  CROSS JOIN a
)
SELECT
  r_hi,
  f_hi,
  m_hi,
  rs,
  fs,
  GROUPING(r_hi, f_hi, m_hi) AS by_grid,
  COUNT(*) AS n,
  AVG(r) AS ar,
  AVG(f) AS af,
  AVG(m) AS am,
  (
    SELECT
      COUNT(*)
    FROM customers AS c
    WHERE
      (
        c.org_code = $p4 OR STARTS_WITH(c.org_code, $p5)
      ) AND c.tier IN ($p6, $p7)
  ) AS population
FROM s
GROUP BY
  GROUPING SETS (
    (r_hi, f_hi, m_hi),
    (rs, fs)
  )
-- params: {"p0": "GD", "p1": "GD-", "p2": "财富", "p3": "私行", "p4": "GD", "p5": "GD-", "p6": "财富", "p7": "私行", "p8": "2026-03-07 16:00:00", "p9": "2026-02-28 16:00:00", "p10": "2026-03-07 16:00:00"}
