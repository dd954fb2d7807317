-- Predicted against actual close: one row per prediction, placed on its TARGET date (the h-th
-- session after as_of_date), so the predicted and the actual line are read at the same x.
-- The actual close and the prediction come from the ledger (outcomes) once the target date has a
-- close: the ledger holds both on the current adjustment basis. Pending predictions (target date
-- still ahead) keep the stored prediction and a NULL actual_close.
-- predicted_close is the SERVED forecast; lstm_close is the LSTM ensemble's own forecast beside it
-- (served = base + shrinkage x (LSTM - base) under the 'shrunk' policy; the naive or drift forecast
-- under the others). lower/upper_80/95 bound the conformal intervals around predicted_close: NULL
-- is no bound on that side (an unbounded interval is [0, NULL)). covered_80/95 are 1 when the
-- actual close fell inside, 0 when not, NULL while pending or when no interval was published.
-- Rows written before the serving policy existed have every one of these NULL: their
-- predicted_close was the model's own forecast.
-- Nullable columns come from the ledger row when there is one (CASE, not COALESCE: a bound the
-- ledger leaves NULL is no bound, not the prediction's).
SELECT
  p.ticker,
  p.target_date,
  p.horizon,
  p.as_of_date,
  COALESCE(o.predicted_close, p.predicted_close) AS predicted_close,
  o.actual_close,
  COALESCE(o.base_close, p.base_close) AS base_close,
  o.actual_close - COALESCE(o.predicted_close, p.predicted_close) AS error,
  CASE WHEN o.actual_close IS NULL THEN 'pending' ELSE 'resolved' END AS status,
  p.model_version,
  CASE WHEN o.actual_close IS NULL THEN p.lstm_close ELSE o.lstm_close END AS lstm_close,
  o.actual_close - o.lstm_close AS lstm_error,
  CASE WHEN o.actual_close IS NULL THEN p.ensemble_size ELSE o.ensemble_size END AS ensemble_size,
  CASE WHEN o.actual_close IS NULL THEN p.serving_policy ELSE o.serving_policy END AS serving_policy,
  CASE WHEN o.actual_close IS NULL THEN p.shrinkage ELSE o.shrinkage END AS shrinkage,
  CASE WHEN o.actual_close IS NULL THEN p.lower_80 ELSE o.lower_80 END AS lower_80,
  CASE WHEN o.actual_close IS NULL THEN p.upper_80 ELSE o.upper_80 END AS upper_80,
  CASE WHEN o.actual_close IS NULL THEN p.lower_95 ELSE o.lower_95 END AS lower_95,
  CASE WHEN o.actual_close IS NULL THEN p.upper_95 ELSE o.upper_95 END AS upper_95,
  CASE WHEN o.covered_80 THEN 1 WHEN NOT o.covered_80 THEN 0 END AS covered_80,
  CASE WHEN o.covered_95 THEN 1 WHEN NOT o.covered_95 THEN 0 END AS covered_95
FROM ${dataset}.predictions AS p
LEFT JOIN ${dataset}.outcomes AS o
  ON o.ticker = p.ticker AND o.as_of_date = p.as_of_date AND o.horizon = p.horizon
