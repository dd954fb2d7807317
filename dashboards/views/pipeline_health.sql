-- Pipeline health: one row per run x ticker x stage, from its LATEST record. pipeline_runs may hold
-- several records of one stage (retries, and a 'started' record before the outcome): the latest by
-- started_at, then finished_at, is the stage's state, and attempts counts them all.
-- outcome: ok | failed | interrupted (recorded as such, or a 'started' record that never got an
-- outcome; a stage still running reads the same until it finishes). The model stage's row carries
-- the day's train/load decision and its reason.
WITH ranked AS (
  SELECT
    p.run_id,
    run_date,
    ticker,
    stage,
    status,
    started_at,
    finished_at,
    duration_ms,
    p.rows,
    message,
    ROW_NUMBER() OVER (
      PARTITION BY run_id, ticker, stage
      ORDER BY started_at DESC, finished_at DESC, status
    ) AS recency,
    COUNT(*) OVER (PARTITION BY run_id, ticker, stage) AS attempts
  FROM ${dataset}.pipeline_runs AS p
)
SELECT
  r.run_id,
  r.run_date,
  r.ticker,
  r.stage,
  r.status,
  CASE
    WHEN r.status = 'ok' THEN 'ok'
    WHEN r.status = 'failed' THEN 'failed'
    WHEN r.status IN ('interrupted', 'started') THEN 'interrupted'
    ELSE r.status
  END AS outcome,
  CASE WHEN r.status = 'failed' THEN 1 ELSE 0 END AS failed,
  CASE WHEN r.status IN ('interrupted', 'started') THEN 1 ELSE 0 END AS interrupted,
  r.attempts,
  r.started_at,
  r.finished_at,
  r.duration_ms,
  r.rows AS row_count,
  CASE WHEN r.status = 'ok' THEN NULL ELSE r.message END AS failure_reason,
  d.decision,
  d.reason AS decision_reason
FROM ranked AS r
LEFT JOIN ${dataset}.model_decisions AS d
  ON r.stage = 'model' AND d.ticker = r.ticker AND d.as_of_date = r.run_date
WHERE r.recency = 1
