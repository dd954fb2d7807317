-- Coverage of the 80 and 95 % prediction intervals, one row per resolved prediction that was
-- published with an interval, on its target date, per ticker x horizon.
-- covered_80/95: 1 when the actual close fell inside the interval, 0 when not (NULL: no interval
-- at that level that day). An unbounded interval ([0, no upper bound], before enough calibration
-- scores) counts as covered, as the pipeline scores it; its width is not defined (NULL).
-- rolling_* cover the last 20 such predictions (this one included), cumulative_* all so far;
-- coverage is the share covered among those with an interval at that level (n_80 / n_95 count
-- them). A calibrated 80 % interval covers about 0.80 of the time: nominal_80 and nominal_95 are
-- the lines to read against. width_*_pct is the interval's width in % of the base close.
WITH scored AS (
  SELECT
    ticker,
    horizon,
    target_date,
    as_of_date,
    serving_policy,
    model_version,
    CASE WHEN covered_80 THEN 1.0 WHEN NOT covered_80 THEN 0.0 END AS hit_80,
    CASE WHEN covered_95 THEN 1.0 WHEN NOT covered_95 THEN 0.0 END AS hit_95,
    100 * (upper_80 - lower_80) / NULLIF(base_close, 0) AS width_80_pct,
    100 * (upper_95 - lower_95) / NULLIF(base_close, 0) AS width_95_pct
  FROM ${dataset}.outcomes
  WHERE covered_80 IS NOT NULL OR covered_95 IS NOT NULL
)
SELECT
  ticker,
  horizon,
  target_date,
  as_of_date,
  serving_policy,
  model_version,
  CASE WHEN hit_80 = 1 THEN 1 WHEN hit_80 = 0 THEN 0 END AS covered_80,
  CASE WHEN hit_95 = 1 THEN 1 WHEN hit_95 = 0 THEN 0 END AS covered_95,
  width_80_pct,
  width_95_pct,
  -- 4 / 5, not 0.8: a division gives a float on both engines, a literal is a DECIMAL in DuckDB.
  4 / 5 AS nominal_80,
  19 / 20 AS nominal_95,
  COUNT(hit_80) OVER roll AS rolling_n_80,
  AVG(hit_80) OVER roll AS rolling_coverage_80,
  COUNT(hit_95) OVER roll AS rolling_n_95,
  AVG(hit_95) OVER roll AS rolling_coverage_95,
  AVG(width_80_pct) OVER roll AS rolling_width_80_pct,
  AVG(width_95_pct) OVER roll AS rolling_width_95_pct,
  COUNT(hit_80) OVER cum AS cumulative_n_80,
  AVG(hit_80) OVER cum AS cumulative_coverage_80,
  COUNT(hit_95) OVER cum AS cumulative_n_95,
  AVG(hit_95) OVER cum AS cumulative_coverage_95,
  AVG(width_80_pct) OVER cum AS cumulative_width_80_pct,
  AVG(width_95_pct) OVER cum AS cumulative_width_95_pct
FROM scored
WINDOW
  roll AS (
    PARTITION BY ticker, horizon ORDER BY target_date, as_of_date
    ROWS BETWEEN 19 PRECEDING AND CURRENT ROW
  ),
  cum AS (
    PARTITION BY ticker, horizon ORDER BY target_date, as_of_date
    ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
  )
