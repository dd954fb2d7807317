-- Drift per feature over time, heatmap-ready: one cell per ticker x feature x as_of_date.
-- score_ratio puts every test on one colour scale, above 1 = drifted: p-value tests (ks, chisquare,
-- z) drift when the score is BELOW the threshold, so their ratio is threshold / score; distance tests
-- (wasserstein, jensenshannon) drift above it, so score / threshold. Capped at 10 so one p-value near
-- 0 does not wash out the scale. The model's predictions are tested as the feature 'prediction'.
SELECT
  ticker,
  as_of_date,
  feature,
  method,
  score,
  threshold,
  CASE
    WHEN score IS NULL THEN NULL
    WHEN method IN ('ks', 'chisquare', 'z') THEN LEAST(threshold / GREATEST(score, 1e-12), 10.0)
    ELSE LEAST(score / NULLIF(threshold, 0), 10.0)
  END AS score_ratio,
  CASE WHEN drifted IS NULL THEN NULL WHEN drifted THEN 1 ELSE 0 END AS drifted,
  status,
  reference_size,
  current_size,
  model_version
FROM ${dataset}.drift_scores
WHERE feature <> '__dataset__'
