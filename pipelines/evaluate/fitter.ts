/**
 * The walk-forward's model: the same ensemble fit as the daily model step (fit.ts), forecasting a
 * whole segment of as-of dates in one batch per member.
 */
import { BAR_COLUMNS, buildSamples } from '../model/dataset.js';
import { fitModel, type ModelStageConfig } from '../model/fit.js';
import { disposeMembers, meanOfMembers, predictMembers } from '../model/network/ensemble.js';
import { applyScaler } from '../model/normalise.js';
import type { Fitter } from './walk-forward.js';

export function ensembleFitter(cfg: ModelStageConfig, backend: string): Fitter {
  return async (bars, features) => {
    const fit = await fitModel(bars, features, cfg, { backend });
    const { members, meta } = fit.artifacts;
    return {
      forecast(allBars, allFeatures, asOfs) {
        const wanted = new Set(asOfs);
        const first = allFeatures.findIndex((f) => wanted.has(f.date));
        if (first < 0) return new Map();
        // Only the rows the segment's windows need: lookback − 1 before its first date onwards.
        const rows = allFeatures.slice(Math.max(0, first - meta.lookback + 1));
        const ds = buildSamples(allBars, rows, {
          lookback: meta.lookback,
          horizons: meta.horizons,
          featureColumns: meta.columns.slice(BAR_COLUMNS.length),
        });
        const samples = ds.samples.filter((s) => wanted.has(s.asOf));
        const perMember = predictMembers(
          members,
          samples.map((s) => applyScaler(meta.scaler, s.x)),
        );
        const mean = meanOfMembers(perMember);
        return new Map(
          samples.map((s, k) => [
            s.asOf,
            { member: perMember[0]?.[k] ?? [], ensemble: mean[k] ?? [] },
          ]),
        );
      },
      dispose: () => disposeMembers(members),
    };
  };
}
