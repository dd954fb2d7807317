-- The serving policy per ticker x horizon x day (policy_decisions): which forecast was served
-- (shrunk: the LSTM's return times the shrinkage; naive: no change; drift: the mean return), the
-- best challenger tested against the champion on the realised ledger with its Diebold-Mariano
-- statistic and p-value, whether it was promoted that day, the shrinkage, the conformal miss rates
-- and score quantiles, and where the scores came from (ledger, or history before it had enough).
-- promoted is 1 on the day the served policy changed. is_latest is 1 on the latest decision of
-- each ticker x horizon: the policy serving now.
SELECT
  ticker,
  horizon,
  as_of_date,
  champion,
  served,
  CASE WHEN promoted THEN 1 ELSE 0 END AS promoted,
  challenger,
  champion_mae,
  challenger_mae,
  dm_statistic,
  dm_p_value,
  ledger_rows,
  shrinkage,
  drift_return,
  alpha_80,
  alpha_95,
  q_80,
  q_95,
  calibration,
  reason,
  run_id,
  CASE WHEN latest = 1 THEN 1 ELSE 0 END AS is_latest
FROM (
  SELECT
    d.*,
    ROW_NUMBER() OVER (PARTITION BY ticker, horizon ORDER BY as_of_date DESC) AS latest
  FROM ${dataset}.policy_decisions AS d
) AS ranked
