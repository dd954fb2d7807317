-- The walk-forward scorecards of `stockops evaluate` (evaluations): per ticker x horizon x
-- forecaster (lstm: one LSTM, ensemble: the LSTM ensemble, served: what the policy serves, naive,
-- drift) over [from_date, to_date]. MASE against the no-change forecast with its bootstrap interval
-- (mase_lower, mase_upper), the Diebold-Mariano test against naive, directional accuracy beside the
-- always-up rate, the intervals' coverage with Kupiec's p-value (a small p: the coverage is off
-- its nominal level) and mean width in % of the base close, the coverage of the 250-session
-- window farthest from nominal (worst_coverage_*), and the walk's retrains with their training
-- CPU-seconds and warm starts (null where not reported). is_latest is 1 on the latest window
-- of each ticker x horizon x forecaster.
SELECT
  ticker,
  horizon,
  forecaster,
  from_date,
  to_date,
  n,
  mase,
  mase_lower,
  mase_upper,
  dm_statistic,
  dm_p_value,
  directional_accuracy,
  always_up_rate,
  coverage_80,
  coverage_95,
  kupiec_p_80,
  kupiec_p_95,
  width_80_pct,
  width_95_pct,
  worst_coverage_80,
  worst_coverage_95,
  retrains,
  train_cpu_seconds,
  warm_start_retrains,
  retrain_every,
  ensemble_size,
  config_hash,
  run_id,
  CASE WHEN latest = 1 THEN 1 ELSE 0 END AS is_latest
FROM (
  SELECT
    e.*,
    ROW_NUMBER() OVER (
      PARTITION BY ticker, horizon, forecaster ORDER BY to_date DESC, from_date DESC
    ) AS latest
  FROM ${dataset}.evaluations AS e
) AS ranked
