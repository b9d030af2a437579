WITH first_ev AS (
  SELECT
    e.customer_id AS cid,
    MIN(e.ts) AS first_ts
  FROM events AS e
  WHERE
    e.event = $p5
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
), im AS (
  SELECT
    cid,
    CAST(1 AS BIGINT) << CAST((
      (
        EPOCH_US(first_ts) + 28800000000
      ) // 86400000000 - $p9
    ) // 7 AS INT) AS im
  FROM first_ev
  WHERE
    (
      (
        EPOCH_US(first_ts) + 28800000000
      ) // 86400000000 - $p9
    ) // 7 >= 0
    AND (
      (
        EPOCH_US(first_ts) + 28800000000
      ) // 86400000000 - $p9
    ) // 7 < 2
), rm AS (
  SELECT
    e.customer_id AS cid,
    BIT_OR(
      CAST(1 AS BIGINT) << CAST((
        (
          EPOCH_US(e.ts) + 28800000000
        ) // 86400000000 - $p4
      ) // 7 AS INT)
    ) AS rm
  FROM events AS e
  WHERE
    e.event = $p6
    AND e.ts >= $p7
    AND e.ts < $p8
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
), pcust AS (
  SELECT
    im.cid,
    im.im,
    COALESCE(rm.rm, 0) AS rm
  FROM im
  LEFT JOIN rm
    ON rm.cid = im.cid
)
SELECT
  r.c AS cohort,
  CAST(cu.tier AS TEXT) AS grp,
  COUNT(*) AS size,
  SUM(CAST((
    pc.rm >> (
      r.c + 0
    )
  ) & 1 AS INT)) AS k0,
  SUM(CAST((
    pc.rm >> (
      r.c + 1
    )
  ) & 1 AS INT)) AS k1,
  SUM(CAST((
    pc.rm >> (
      r.c + 2
    )
  ) & 1 AS INT)) AS k2,
  SUM(CAST((
    pc.rm >> (
      r.c + 3
    )
  ) & 1 AS INT)) AS k3,
  SUM(CAST((
    pc.rm >> (
      r.c + 4
    )
  ) & 1 AS INT)) AS k4
FROM pcust AS pc
CROSS JOIN RANGE(0, 2) AS r(c)
LEFT JOIN customers AS cu
  ON cu.customer_id = pc.cid
WHERE
  (
    pc.im >> r.c
  ) & 1 = 1
GROUP BY
  r.c,
  grp
-- params: {"p0": "GD", "p1": "GD-", "p2": "财富", "p3": "私行", "p4": 20507, "p5": "register", "p6": "app_open", "p7": "2026-02-28 16:00:00", "p8": "2026-04-05 16:00:00", "p9": 20507}
