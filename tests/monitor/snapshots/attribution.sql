WITH conv AS (
  SELECT
    e.customer_id AS cid,
    EPOCH_US(e.ts) AS ct,
    ROW_NUMBER() OVER () AS conv_id
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
), tch AS (
  SELECT
    e.customer_id AS cid,
    EPOCH_US(e.ts) AS tt,
    CASE WHEN e.event = $p4 THEN 0 WHEN e.event = $p5 THEN 1 END AS touch,
    e.properties ->> '$.campaign' AS value
  FROM events AS e
  WHERE
    e.event = $p4
    OR e.event = $p5
    AND e.ts >= $p6 - INTERVAL '7' DAY
    AND e.ts < $p7
    AND e.customer_id IN (
      SELECT
        c.customer_id
      FROM customers AS c
      WHERE
        (
          c.org_code = $p0 OR STARTS_WITH(c.org_code, $p1)
        ) AND c.tier IN ($p2, $p3)
    )
), pairs AS (
  SELECT
    c.conv_id,
    c.ct,
    t.tt,
    t.touch,
    t.value
  FROM conv AS c
  JOIN tch AS t
    ON t.cid = c.cid AND t.tt < c.ct AND t.tt >= c.ct - 604800000000
), ranked AS (
  SELECT
    *,
    ROW_NUMBER() OVER (PARTITION BY conv_id ORDER BY tt, touch, value) AS r,
    COUNT(*) OVER (PARTITION BY conv_id) AS n,
    POWER(0.5, (
      ct - tt
    ) / 86400000000.0) AS w
  FROM pairs
), credited AS (
  SELECT
    conv_id,
    touch,
    value,
    CASE WHEN r = 1 THEN 1.0 ELSE 0.0 END AS first_c,
    CASE WHEN r = n THEN 1.0 ELSE 0.0 END AS last_c,
    1.0 / n AS linear_c,
    CASE
      WHEN n = 1
      THEN 1.0
      WHEN n = 2
      THEN 0.5
      WHEN r = 1 OR r = n
      THEN 0.4
      ELSE 0.2 / (
        n - 2
      )
    END AS pos_c,
    w / SUM(w) OVER (PARTITION BY conv_id) AS decay_c
  FROM ranked
), g AS (
  SELECT
    touch,
    value,
    COUNT(DISTINCT conv_id) AS touched,
    SUM(first_c) AS first,
    SUM(last_c) AS last,
    SUM(linear_c) AS linear,
    SUM(pos_c) AS position,
    SUM(decay_c) AS time_decay
  FROM credited
  GROUP BY
    touch,
    value
)
SELECT
  tot.conversions,
  tot.attributed,
  g.*
FROM (
  SELECT
    (
      SELECT
        COUNT(*)
      FROM conv
    ) AS conversions,
    (
      SELECT
        COUNT(DISTINCT conv_id)
      FROM pairs
    ) AS attributed
) AS tot
LEFT JOIN g
  ON TRUE
ORDER BY
  g.linear DESC,
  g.touch,
  g.value
-- params: {"p0": "GD", "p1": "GD-", "p2": "财富", "p3": "私行", "p4": "push_click", "p5": "sms_click", "p6": "2026-02-28 16:00:00", "p7": "2026-03-07 16:00:00", "p8": "purchase", "p9": "2026-02-28 16:00:00", "p10": "2026-03-07 16:00:00"}
