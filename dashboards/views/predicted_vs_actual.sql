-- Predicted against actual close: one row per prediction, placed on its TARGET date (the h-th
-- session after as_of_date), so the predicted and the actual line are read at the same x.
-- The actual close and the prediction come from the ledger (outcomes) once the target date has a
-- close: the ledger holds both on the current adjustment basis. Pending predictions (target date
-- still ahead) keep the stored prediction and a NULL actual_close.
-- Interval columns (lower_80, upper_80, lower_95, upper_95) do not exist yet: the forecast issue adds
-- them to `predictions`; they then belong in the SELECT below, beside predicted_close.
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
  p.model_version
FROM ${dataset}.predictions AS p
LEFT JOIN ${dataset}.outcomes AS o
  ON o.ticker = p.ticker AND o.as_of_date = p.as_of_date AND o.horizon = p.horizon
