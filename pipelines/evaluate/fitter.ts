/**
 * The walk-forward's model: the same ensemble fit as the daily model step (fit.ts), forecasting a
 * whole segment of as-of dates in one batch per member. With `model.warmStart.enabled`, each
 * retrain starts from the previous retrain's networks, as the daily step starts from the serving
 * version's.
 */
import { BAR_COLUMNS, buildSamples } from '../model/dataset.js';
import { fitModel, type ModelStageConfig } from '../model/fit.js';
import { disposeMembers } from '../model/network/ensemble.js';
import { applyScaler } from '../model/normalise.js';
import { ensembleRatios } from '../model/ratios.js';
import { volatilityDaysOf } from '../model/target.js';
import type { WarmStartFrom } from '../model/train-members.js';
import type { Fitter } from './walk-forward.js';

/** CPU-seconds (user + system, every thread of this process) spent since `from`. */
const cpuSince = (from: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1e6;
};

export function ensembleFitter(cfg: ModelStageConfig, backend: string): Fitter {
  // The last retrain's networks, kept (not disposed) while warm starts are on.
  let previous: WarmStartFrom | undefined;
  const release = () => {
    if (previous) disposeMembers(previous.members);
    previous = undefined;
  };
  return async (bars, features) => {
    const cpu = process.cpuUsage();
    const started = performance.now();
    const fit = await fitModel(bars, features, cfg, { backend, warmStart: previous });
    const training = {
      cpuSeconds: cpuSince(cpu),
      wallSeconds: (performance.now() - started) / 1000,
      warmStart: fit.artifacts.meta.training?.warmStart ?? false,
      epochsRun: fit.trainings.map((t) => t.epochsRun),
    };
    const { members, meta } = fit.artifacts;
    release();
    if (cfg.model.warmStart.enabled) previous = { members, meta, label: meta.trainWindow.last };
    return {
      training,
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
          volatilityDays: volatilityDaysOf(meta),
        });
        const samples = ds.samples.filter((s) => wanted.has(s.asOf));
        const { perMember, mean } = ensembleRatios(
          members,
          meta,
          samples.map((s) => applyScaler(meta.scaler, s.x)),
          samples.map((s) => s.sigma),
        );
        return new Map(
          samples.map((s, k) => [
            s.asOf,
            { member: perMember[0]?.[k] ?? [], ensemble: mean[k] ?? [] },
          ]),
        );
      },
      // Kept for the next retrain's warm start; released when that one replaces it.
      dispose: () => {
        if (previous?.members !== members) disposeMembers(members);
      },
    };
  };
}
