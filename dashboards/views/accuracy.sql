-- Accuracy by ticker x horizon over time, one row per resolved prediction, on its target date.
-- rolling_* cover the last 20 resolved predictions (this one included); cumulative_* all so far.
-- MASE is the model's MAE over the no-change forecast's MAE on the same rows: below 1 beats it.
-- Directional accuracy sits beside the always-up rate (how often the close rose): a model that
-- always says "up" scores that rate, so only accuracy above it is skill.
-- The metrics without a prefix score the SERVED forecast (predicted_close). rolling/cumulative_lstm_*
-- score the LSTM ensemble's own forecast (lstm_close) on the rows that recorded one (NULL before
-- the serving policy existed; lstm_n counts them), MASE against the no-change forecast on those
-- same rows.
WITH scored AS (
  SELECT
    ticker,
    horizon,
    target_date,
    as_of_date,
    abs_error,
    ABS(pct_error) AS abs_pct_error,
    naive_abs_error,
    CASE WHEN direction_correct THEN 1.0 ELSE 0.0 END AS direction_hit,
    CASE WHEN actual_close > base_close THEN 1.0 ELSE 0.0 END AS went_up,
    ABS(actual_close - lstm_close) AS lstm_abs_error,
    CASE WHEN lstm_close IS NULL THEN NULL ELSE naive_abs_error END AS lstm_naive_abs_error,
    model_version
  FROM ${dataset}.outcomes
),
windowed AS (
  SELECT
    ticker,
    horizon,
    target_date,
    as_of_date,
    model_version,
    abs_error,
    COUNT(*) OVER roll AS rolling_n,
    AVG(abs_error) OVER roll AS rolling_mae,
    AVG(abs_pct_error) OVER roll AS rolling_mape,
    SUM(abs_error) OVER roll AS rolling_sum_error,
    SUM(naive_abs_error) OVER roll AS rolling_sum_naive,
    AVG(direction_hit) OVER roll AS rolling_directional_accuracy,
    AVG(went_up) OVER roll AS rolling_always_up_rate,
    COUNT(lstm_abs_error) OVER roll AS rolling_lstm_n,
    AVG(lstm_abs_error) OVER roll AS rolling_lstm_mae,
    SUM(lstm_abs_error) OVER roll AS rolling_lstm_sum_error,
    SUM(lstm_naive_abs_error) OVER roll AS rolling_lstm_sum_naive,
    COUNT(*) OVER cum AS cumulative_n,
    AVG(abs_error) OVER cum AS cumulative_mae,
    AVG(abs_pct_error) OVER cum AS cumulative_mape,
    SUM(abs_error) OVER cum AS cumulative_sum_error,
    SUM(naive_abs_error) OVER cum AS cumulative_sum_naive,
    AVG(direction_hit) OVER cum AS cumulative_directional_accuracy,
    AVG(went_up) OVER cum AS cumulative_always_up_rate,
    COUNT(lstm_abs_error) OVER cum AS cumulative_lstm_n,
    AVG(lstm_abs_error) OVER cum AS cumulative_lstm_mae,
    SUM(lstm_abs_error) OVER cum AS cumulative_lstm_sum_error,
    SUM(lstm_naive_abs_error) OVER cum AS cumulative_lstm_sum_naive
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
)
SELECT
  ticker,
  horizon,
  target_date,
  as_of_date,
  model_version,
  abs_error,
  rolling_n,
  rolling_mae,
  rolling_mape,
  rolling_sum_error / NULLIF(rolling_sum_naive, 0) AS rolling_mase,
  rolling_directional_accuracy,
  rolling_always_up_rate,
  cumulative_n,
  cumulative_mae,
  cumulative_mape,
  cumulative_sum_error / NULLIF(cumulative_sum_naive, 0) AS cumulative_mase,
  cumulative_directional_accuracy,
  cumulative_always_up_rate,
  rolling_lstm_n,
  rolling_lstm_mae,
  rolling_lstm_sum_error / NULLIF(rolling_lstm_sum_naive, 0) AS rolling_lstm_mase,
  cumulative_lstm_n,
  cumulative_lstm_mae,
  cumulative_lstm_sum_error / NULLIF(cumulative_lstm_sum_naive, 0) AS cumulative_lstm_mase
FROM windowed
