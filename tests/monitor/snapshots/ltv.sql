WITH cu AS (
  SELECT
    c.customer_id,
    YEAR(c.open_date) * 12 + MONTH(c.open_date) - 1 AS cohort
  FROM customers AS c
  WHERE
    (
      c.org_code = $p0 OR STARTS_WITH(c.org_code, $p1)
    )
    AND c.tier IN ($p2, $p3)
    AND c.open_date >= $p4
    AND c.open_date <= $p5
), m AS (
  SELECT
    a.customer_id,
    YEAR(a.date) * 12 + MONTH(a.date) - 1 AS month,
    AVG(a.aum) AS avg_aum
  FROM aum_daily AS a
  WHERE
    a.customer_id IN (
      SELECT
        customer_id
      FROM cu
    )
  GROUP BY
    a.customer_id,
    month
), v AS (
  SELECT
    cu.cohort,
    m.month - cu.cohort AS k,
    SUM(m.avg_aum) * $p6 AS value
  FROM cu
  JOIN m
    ON m.customer_id = cu.customer_id
  WHERE
    m.month - cu.cohort BETWEEN 0 AND $p7
  GROUP BY
    cu.cohort,
    k
)
SELECT
  cohort,
  NULL AS k,
  COUNT(*) AS size,
  NULL AS value,
  (
    SELECT
      YEAR(MAX(date)) * 12 + MONTH(MAX(date)) - 1
    FROM aum_daily
  ) AS last_month,
  (
    SELECT
      YEAR(MIN(date)) * 12 + MONTH(MIN(date)) - 1
    FROM aum_daily
  ) AS first_month
FROM cu
GROUP BY
  cohort
UNION ALL
SELECT
  cohort,
  k,
  NULL,
  value,
  NULL,
  NULL
FROM v
ORDER BY
  cohort,
  k NULLS FIRST
-- params: {"p0": "GD", "p1": "GD-", "p2": "财富", "p3": "私行", "p4": "2026-03-01", "p5": "2026-03-07", "p6": 0.0008333333333333334, "p7": 6}
