WITH cu AS (
  SELECT
    c.customer_id,
    c.open_date,
    CASE
      WHEN c.org_code = $p2 OR STARTS_WITH(c.org_code, $p3)
      THEN $p4
      WHEN c.org_code = $p5 OR STARTS_WITH(c.org_code, $p6)
      THEN $p7
      ELSE $p8
    END AS org
  FROM customers AS c
  WHERE
    c.org_code = $p0
    OR STARTS_WITH(c.org_code, $p1)
    AND c.org_code = $p9
    OR STARTS_WITH(c.org_code, $p10)
), months AS (
  SELECT
    r.m
  FROM RANGE($p11, $p12 + 1) AS r(m)
), base AS (
  SELECT
    months.m,
    cu.org,
    COUNT(*) AS n
  FROM months
  CROSS JOIN cu
  WHERE
    cu.open_date IS NULL
    OR YEAR(cu.open_date) * 12 + MONTH(cu.open_date) - 1 <= months.m
  GROUP BY
    months.m,
    cu.org
), act AS (
  SELECT DISTINCT
    e.customer_id,
    YEAR(e.ts + INTERVAL '8' HOUR) * 12 + MONTH(e.ts + INTERVAL '8' HOUR) - 1 AS m
  FROM events AS e
  WHERE
    e.ts >= $p13 AND e.ts < $p14 AND e.type IN ('track', 'page', 'screen')
), mau AS (
  SELECT
    act.m,
    cu.org,
    COUNT(*) AS n
  FROM act
  JOIN cu
    ON cu.customer_id = act.customer_id
  WHERE
    cu.open_date IS NULL
    OR YEAR(cu.open_date) * 12 + MONTH(cu.open_date) - 1 <= act.m
  GROUP BY
    act.m,
    cu.org
), aum AS (
  SELECT
    x.m,
    cu.org,
    SUM(x.aum) AS v
  FROM (
    SELECT
      a.customer_id,
      YEAR(a.date) * 12 + MONTH(a.date) - 1 AS m,
      ARG_MAX(a.aum, a.date) AS aum
    FROM aum_daily AS a
    WHERE
      a.date >= $p15 AND a.date < $p16
    GROUP BY
      a.customer_id,
      m
  ) AS x
  JOIN cu
    ON cu.customer_id = x.customer_id
  GROUP BY
    x.m,
    cu.org
), flow AS (
  SELECT
    YEAR(t.ts + INTERVAL '8' HOUR) * 12 + MONTH(t.ts + INTERVAL '8' HOUR) - 1 AS m,
    cu.org,
    SUM(CASE WHEN t.direction = 'in' THEN t.amount ELSE -t.amount END) AS v
  FROM transactions AS t
  JOIN cu
    ON cu.customer_id = t.customer_id
  WHERE
    t.ts >= $p17 AND t.ts < $p18
  GROUP BY
    m,
    cu.org
), ecov AS (
  SELECT
    YEAR(e.ts + INTERVAL '8' HOUR) * 12 + MONTH(e.ts + INTERVAL '8' HOUR) - 1 AS m,
    MIN(CAST(e.ts + INTERVAL '8' HOUR AS DATE)) AS d0,
    MAX(CAST(e.ts + INTERVAL '8' HOUR AS DATE)) AS d1
  FROM events AS e
  WHERE
    e.ts >= $p19 AND e.ts < $p20
  GROUP BY
    1
), tcov AS (
  SELECT
    YEAR(t.ts + INTERVAL '8' HOUR) * 12 + MONTH(t.ts + INTERVAL '8' HOUR) - 1 AS m,
    MIN(CAST(t.ts + INTERVAL '8' HOUR AS DATE)) AS d0,
    MAX(CAST(t.ts + INTERVAL '8' HOUR AS DATE)) AS d1
  FROM transactions AS t
  WHERE
    t.ts >= $p21 AND t.ts < $p22
  GROUP BY
    1
), acov AS (
  SELECT
    YEAR(a.date) * 12 + MONTH(a.date) - 1 AS m,
    MIN(a.date) AS d0,
    MAX(a.date) AS d1
  FROM aum_daily AS a
  WHERE
    a.date >= $p23 AND a.date < $p24
  GROUP BY
    1
), cov AS (
  SELECT
    u.m,
    MIN(u.d0) AS d0,
    MAX(u.d1) AS d1
  FROM (
    SELECT
      *
    FROM ecov
    UNION ALL
    SELECT
      *
    FROM tcov
    UNION ALL
    SELECT
      *
    FROM acov
  ) AS u
  GROUP BY
    u.m
)
SELECT
  base.m,
  base.org,
  base.n AS customers,
  cov.d0 AS first_day,
  cov.d1 AS last_day,
  CASE WHEN ecov.m IS NULL THEN NULL ELSE COALESCE(mau.n, 0) END AS mau,
  aum.v AS aum,
  CASE WHEN tcov.m IS NULL THEN NULL ELSE COALESCE(flow.v, 0) END AS net_inflow
FROM base
LEFT JOIN mau
  ON mau.m = base.m AND mau.org = base.org
LEFT JOIN aum
  ON aum.m = base.m AND aum.org = base.org
LEFT JOIN flow
  ON flow.m = base.m AND flow.org = base.org
LEFT JOIN ecov
  ON ecov.m = base.m
LEFT JOIN tcov
  ON tcov.m = base.m
LEFT JOIN cov
  ON cov.m = base.m
ORDER BY
  base.m,
  base.org
-- params: {"p0": "GD", "p1": "GD-", "p2": "GD-GZ", "p3": "GD-GZ-", "p4": "GD-GZ", "p5": "GD-SZ", "p6": "GD-SZ-", "p7": "GD-SZ", "p8": "GD", "p9": "GD", "p10": "GD-", "p11": 24312, "p12": 24314, "p13": "2025-12-31 16:00:00", "p14": "2026-03-31 16:00:00", "p15": "2026-01-01", "p16": "2026-04-01", "p17": "2025-12-31 16:00:00", "p18": "2026-03-31 16:00:00", "p19": "2025-12-31 16:00:00", "p20": "2026-03-31 16:00:00", "p21": "2025-12-31 16:00:00", "p22": "2026-03-31 16:00:00", "p23": "2026-01-01", "p24": "2026-04-01"}
