/**
 * Seeded randomness for training. tfjs draws from Math.random wherever no seed is given (shuffle,
 * dropout), so every random choice the model stage makes comes from here instead.
 */

/** Stable 32-bit seed for one named use of the run's seed, so two uses never share a stream. */
export function deriveSeed(seed: number, label: string): number {
  // FNV-1a over the text: cheap, stable across platforms and Node versions.
  let h = 0x811c9dc5;
  for (const ch of `${seed}:${label}`) {
    h ^= ch.codePointAt(0) ?? 0;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** mulberry32: a small PRNG with a full 2^32 period, plenty for shuffling a few thousand rows. */
export function createRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates permutation of 0..n-1. */
export function permutation(n: number, rng: () => number): number[] {
  const out = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const tmp = out[i] as number;
    out[i] = out[j] as number;
    out[j] = tmp;
  }
  return out;
}
