-- Dataset drift per ticker and day: the share of features that drifted against the share that
-- flags the dataset as drifted (drift_share above share_threshold = dataset drift).
SELECT
  d.ticker,
  d.as_of_date,
  d.score AS drift_share,
  d.threshold AS share_threshold,
  CASE WHEN d.drifted IS NULL THEN NULL WHEN d.drifted THEN 1 ELSE 0 END AS dataset_drifted,
  d.status,
  f.features_tested,
  f.features_drifted,
  d.reference_from,
  d.reference_to,
  d.current_from,
  d.current_to,
  d.model_version
FROM ${dataset}.drift_scores AS d
LEFT JOIN (
  SELECT
    ticker,
    as_of_date,
    COUNT(score) AS features_tested,
    SUM(CASE WHEN drifted THEN 1 ELSE 0 END) AS features_drifted
  FROM ${dataset}.drift_scores
  WHERE feature NOT IN ('__dataset__', 'prediction')
  GROUP BY ticker, as_of_date
) AS f
  ON f.ticker = d.ticker AND f.as_of_date = d.as_of_date
WHERE d.feature = '__dataset__'
