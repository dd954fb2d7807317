-- The model version serving each ticker (one row per ticker, as of its latest run day), with its
-- training window and lineage.
-- data_through: the day the version was trained (it saw data through that session), the run that
-- trained it, and the config hash (the version label is <data_through>-<config hash prefix>).
-- training_from/training_to: the dates of the feature rows the version kept from its training data
-- as the drift baseline (its last 2000 training rows: the whole window when it trained on fewer).
-- artifact_key: where its files are in the object store; the tracker (MLflow) holds its training run
-- under the tags model_version and pipeline_run_id.
WITH ranked AS (
  SELECT
    ticker,
    as_of_date,
    decision,
    reason,
    model_version,
    backend,
    ROW_NUMBER() OVER (PARTITION BY ticker ORDER BY as_of_date DESC) AS recency
  FROM ${dataset}.model_decisions
  WHERE model_version IS NOT NULL
),
served AS (
  SELECT ticker, model_version, MIN(as_of_date) AS serving_since, COUNT(*) AS days_served
  FROM ${dataset}.model_decisions
  WHERE model_version IS NOT NULL
  GROUP BY ticker, model_version
),
trained AS (
  SELECT
    ticker,
    model_version,
    as_of_date AS data_through,
    run_id AS trained_by_run_id,
    backend AS trained_on_backend,
    challenger_mase AS holdout_mase,
    champion_mase AS previous_champion_mase,
    promoted,
    ROW_NUMBER() OVER (PARTITION BY ticker, model_version ORDER BY as_of_date) AS firstness
  FROM ${dataset}.model_decisions
  WHERE decision = 'train'
),
baseline AS (
  SELECT
    ticker,
    model_version,
    MIN(reference_from) AS training_from,
    MAX(reference_to) AS training_to
  FROM ${dataset}.drift_scores
  WHERE feature = '__dataset__'
  GROUP BY ticker, model_version
)
SELECT
  r.ticker,
  r.model_version,
  r.as_of_date AS latest_run_date,
  r.decision AS latest_decision,
  r.reason AS latest_reason,
  r.backend AS latest_backend,
  s.serving_since,
  s.days_served,
  t.data_through,
  t.trained_by_run_id,
  t.trained_on_backend,
  t.holdout_mase,
  t.previous_champion_mase,
  t.promoted,
  b.training_from,
  b.training_to,
  SUBSTR(r.model_version, 12) AS config_hash_prefix,
  CONCAT('models/', r.ticker, '/', r.model_version) AS artifact_key
FROM ranked AS r
JOIN served AS s ON s.ticker = r.ticker AND s.model_version = r.model_version
LEFT JOIN trained AS t
  ON t.ticker = r.ticker AND t.model_version = r.model_version AND t.firstness = 1
LEFT JOIN baseline AS b ON b.ticker = r.ticker AND b.model_version = r.model_version
WHERE r.recency = 1
