/** Seeded standard normal draws for the statistics tests (Box–Muller on the repo's mulberry32). */
import { createRng } from '../../pipelines/stats/random.js';

export function createNormal(seed: number): () => number {
  const rng = createRng(seed);
  return () => {
    // 1 − u keeps the log away from 0.
    const u = 1 - rng();
    const v = rng();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
}
