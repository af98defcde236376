-- The benchmark policy (policy.kpi) written by hand in DuckDB SQL, as a good analyst would:
-- one pass over the tickets, exact integer comparisons for the bands, RANK for the distribution.
-- {staff} and {tickets} are the Parquet files; the result has one row per agent.
WITH counts AS (
  SELECT agent_id,
         count(*) AS n,
         count_if(first_response <= 30) AS on_time,
         count_if(resolved) AS resolved,
         count_if(reopened) AS reopened,
         count_if(escalated) AS escalated,
         count(csat) AS rated,
         sum(csat) AS csat_sum,
         sum(handle_time) AS handle_sum
  FROM read_parquet({tickets})
  WHERE opened_at >= TIMESTAMP '2026-10-01' AND opened_at < TIMESTAMP '2026-11-01'
  GROUP BY agent_id
), scores AS (
  SELECT s.employee_id, s.team,
         CASE WHEN on_time * 100 >= 95 * n THEN 100 WHEN on_time * 100 >= 90 * n THEN 80
              WHEN on_time * 100 >= 80 * n THEN 60 ELSE 0 END AS on_time,
         CASE WHEN resolved * 100 >= 90 * n THEN 100 WHEN resolved * 100 >= 80 * n THEN 80
              WHEN resolved * 100 >= 70 * n THEN 60 ELSE 30 END AS fcr,
         CASE WHEN reopened * 100 <= 5 * n THEN 100 WHEN reopened * 100 <= 10 * n THEN 70
              WHEN reopened * 100 <= 15 * n THEN 40 ELSE 0 END AS reopen,
         CASE WHEN escalated * 100 <= 3 * n THEN 100 WHEN escalated * 100 <= 6 * n THEN 60
              ELSE 0 END AS escalation,
         CASE WHEN csat_sum * 10 >= 45 * rated THEN 100 WHEN csat_sum * 10 >= 42 * rated THEN 85
              WHEN csat_sum * 10 >= 38 * rated THEN 60 ELSE 20 END AS csat,
         CASE WHEN handle_sum <= 600 * n THEN 100 WHEN handle_sum <= 900 * n THEN 75
              WHEN handle_sum <= 1200 * n THEN 50 ELSE 0 END AS handle
  FROM read_parquet({staff}) s JOIN counts c ON c.agent_id = s.employee_id
), totals AS (
  SELECT employee_id, team,
         CAST((25 * on_time + 20 * fcr + 15 * reopen + 10 * escalation + 20 * csat + 10 * handle)
              / 100.0 AS DECIMAL(18, 2)) AS total
  FROM scores
), ranked AS (
  SELECT *, count(*) OVER w AS n,
         rank() OVER (w ORDER BY total DESC) AS from_top,
         rank() OVER (w ORDER BY total ASC) AS from_bottom
  FROM totals WINDOW w AS (PARTITION BY team)
)
SELECT employee_id AS id, total,
       CASE WHEN total >= 90 THEN '优秀' WHEN total >= 75 THEN '良好' WHEN total >= 60 THEN '合格'
            ELSE '待改进' END AS grade,
       CASE WHEN from_top <= round(n * 0.20) THEN 'A'
            WHEN from_bottom <= round(n * 0.10) THEN 'C' END AS place
FROM ranked ORDER BY id
