/**
 * The ensemble's training: K members from their seeds, each from scratch or warm-started from the
 * matching member of the serving version (same shape), for fewer epochs. Pure: data and config in,
 * trained networks out.
 */
import type * as tf from '@tensorflow/tfjs';
import { disposeMembers, memberSeed } from './network/ensemble.js';
import { buildModel, trainModel, type ModelData, type TrainResult } from './network/lstm.js';
import type { ModelStageConfig } from './fit.js';
import { targetOf, type TargetSpec } from './target.js';

/** The serving version's networks, offered as a starting point, and its label. */
export interface WarmStartFrom {
  members: readonly tf.LayersModel[];
  label?: string;
  /** What its inputs and outputs meant: a warm start needs the same. */
  meta: { columns: readonly string[]; target?: TargetSpec | undefined };
}

export interface TrainedMembers {
  members: tf.LayersModel[];
  trainings: TrainResult[];
  /** True when every member started from the serving version's weights. */
  warmStarted: boolean;
}

const shapes = (m: tf.LayersModel): string => JSON.stringify(m.getWeights().map((w) => w.shape));

/**
 * A warm start needs one earlier network per member with exactly the new network's weight shapes
 * (same lookback-independent units, columns and horizons); anything else trains from scratch.
 */
export function canWarmStart(
  from: WarmStartFrom | undefined,
  fresh: readonly tf.LayersModel[],
  wants: { columns: readonly string[]; target: TargetSpec },
): boolean {
  if (!from || from.members.length !== fresh.length) return false;
  if (JSON.stringify(from.meta.columns) !== JSON.stringify(wants.columns)) return false;
  if (JSON.stringify(targetOf(from.meta)) !== JSON.stringify(wants.target)) return false;
  return fresh.every((m, k) => shapes(m) === shapes(from.members[k] as tf.LayersModel));
}

export async function trainMembers(
  cfg: ModelStageConfig,
  count: number,
  columns: readonly string[],
  data: { train: ModelData; validation: ModelData },
  warm?: WarmStartFrom,
): Promise<TrainedMembers> {
  const m = cfg.model;
  const members: tf.LayersModel[] = [];
  try {
    for (let k = 0; k < count; k++) {
      members.push(
        buildModel({
          lookback: cfg.lookback,
          nFeatures: columns.length,
          units: m.units,
          dropout: m.dropout,
          horizons: cfg.horizons.length,
          learningRate: m.learningRate,
          seed: memberSeed(m.seed, k),
          l2: m.l2,
          zeroOutputKernel: m.target.kind !== 'ratio',
        }),
      );
    }
    const warmStarted =
      m.warmStart.enabled && canWarmStart(warm, members, { columns, target: m.target });
    if (warmStarted && warm) {
      members.forEach((net, k) => net.setWeights((warm.members[k] as tf.LayersModel).getWeights()));
    }
    const epochs = warmStarted ? m.warmStart.epochs : m.epochs;
    const trainings: TrainResult[] = [];
    for (const [k, net] of members.entries()) {
      trainings.push(
        await trainModel(net, data, {
          epochs,
          batchSize: m.batchSize,
          patience: Math.min(m.patience, epochs),
          seed: memberSeed(m.seed, k),
          keepStartIfBest: warmStarted || m.target.kind !== 'ratio',
          minDelta: m.minDelta,
        }),
      );
    }
    return { members, trainings, warmStarted };
  } catch (e) {
    disposeMembers(members);
    throw e;
  }
}
