SELECT
  countIf(level >= 1) AS c1,
  countIf(level >= 2) AS c2
FROM (
  SELECT
    customer_id,
    windowFunnel(604800, 'strict_once')(toDateTime(ts), event = {p0: } AND ts < {p3: }, event = {p1: } AND JSONExtractString(properties, 'product') = {p2: }) AS level
  FROM events
  WHERE
    ts >= {p4: } AND ts < {p5: } AND event IN ({p6: }, {p7: })
  GROUP BY
    customer_id
)
-- params: {"p0": "app_open", "p1": "product_view", "p2": "P1", "p3": "2026-03-07 16:00:00", "p4": "2026-02-28 16:00:00", "p5": "2026-03-14 16:00:00", "p6": "app_open", "p7": "product_view"}
