WITH pcust AS (
  SELECT
    e.customer_id AS cid,
    BIT_OR(
      CASE
        WHEN e.event = $p5
        AND (
          e.ts >= $p7 AND e.ts < $p8
        )
        AND (
          (
            EPOCH_US(e.ts) + 28800000000
          ) // 86400000000 - $p4
        ) < 7
        THEN CAST(1 AS BIGINT) << CAST((
          EPOCH_US(e.ts) + 28800000000
        ) // 86400000000 - $p4 AS INT)
        ELSE 0
      END
    ) AS im,
    BIT_OR(
      CASE
        WHEN e.event = $p6
        THEN CAST(1 AS BIGINT) << CAST((
          EPOCH_US(e.ts) + 28800000000
        ) // 86400000000 - $p4 AS INT)
        ELSE 0
      END
    ) AS rm
  FROM events AS e
  WHERE
    e.ts >= $p7
    AND e.ts < $p8
    AND e.event IN ($p9, $p10)
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
)
SELECT
  r.c AS cohort,
  NULL AS grp,
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
  ) & 1 AS INT)) AS k4,
  SUM(CAST((
    pc.rm >> (
      r.c + 5
    )
  ) & 1 AS INT)) AS k5,
  SUM(CAST((
    pc.rm >> (
      r.c + 6
    )
  ) & 1 AS INT)) AS k6,
  SUM(CAST((
    pc.rm >> (
      r.c + 7
    )
  ) & 1 AS INT)) AS k7
FROM pcust AS pc
CROSS JOIN RANGE(0, 7) AS r(c)
WHERE
  (
    pc.im >> r.c
  ) & 1 = 1
GROUP BY
  r.c,
  grp
-- params: {"p0": "GD", "p1": "GD-", "p2": "财富", "p3": "私行", "p4": 20513, "p5": "register", "p6": "app_open", "p7": "2026-02-28 16:00:00", "p8": "2026-03-14 16:00:00", "p9": "app_open", "p10": "register"}
