SELECT
  CAST(c.tier AS TEXT) AS v0,
  CASE
    WHEN FLOOR(DATE_DIFF(CURRENT_DATE, c.birth_date, CAST('day' AS DATE)) / 365.25) IS NULL
    THEN NULL
    WHEN FLOOR(DATE_DIFF(CURRENT_DATE, c.birth_date, CAST('day' AS DATE)) / 365.25) < 30.0
    THEN '<30'
    WHEN FLOOR(DATE_DIFF(CURRENT_DATE, c.birth_date, CAST('day' AS DATE)) / 365.25) < 45.0
    THEN '30–45'
    WHEN FLOOR(DATE_DIFF(CURRENT_DATE, c.birth_date, CAST('day' AS DATE)) / 365.25) < 60.0
    THEN '45–60'
    ELSE '60+'
  END AS v1,
  GROUPING(v0, v1) AS overall,
  COUNT(*) AS customers,
  COALESCE(SUM(c.aum), 0) AS aum
FROM customers AS c
WHERE
  c.org_code = $p0 OR STARTS_WITH(c.org_code, $p1)
GROUP BY
  GROUPING SETS (
    (v0, v1),
    ()
  )
-- params: {"p0": "GD", "p1": "GD-"}
