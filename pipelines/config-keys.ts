/** Names an unknown config key and the valid one it was most likely meant to be. */
import { z } from 'zod';

/** Levenshtein distance; keys are short, so the plain O(n·m) table is fine. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const sub = (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      cur.push(Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, sub));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

/** The keys the schema allows at `path` (every variant's keys for an adapter section). */
export function validKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let nodes: z.ZodType[] = [schema];
  for (const seg of path) {
    nodes = nodes.flatMap((n) => {
      if (n instanceof z.ZodObject) {
        const child = (n.shape as Record<string, z.ZodType | undefined>)[String(seg)];
        return child ? [child] : [];
      }
      if (n instanceof z.ZodArray) return [n.element as z.ZodType];
      if (n instanceof z.ZodDiscriminatedUnion) return unionChildren(n, seg);
      return [];
    });
  }
  const keys = new Set<string>();
  for (const n of nodes.flatMap((x) => (x instanceof z.ZodDiscriminatedUnion ? options(x) : [x]))) {
    if (n instanceof z.ZodObject) for (const k of Object.keys(n.shape)) keys.add(k);
  }
  return [...keys];
}

const options = (u: z.ZodDiscriminatedUnion): z.ZodType[] => [...u.options] as z.ZodType[];
const unionChildren = (u: z.ZodDiscriminatedUnion, seg: PropertyKey): z.ZodType[] =>
  options(u).flatMap((o) => validKeysAtChild(o, seg));
const validKeysAtChild = (o: z.ZodType, seg: PropertyKey): z.ZodType[] => {
  if (!(o instanceof z.ZodObject)) return [];
  const child = (o.shape as Record<string, z.ZodType | undefined>)[String(seg)];
  return child ? [child] : [];
};

/** The nearest valid key, when it is close enough to be a typo (or differs only in case or separators). */
export function nearestKey(key: string, valid: readonly string[]): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[-_ ]/g, '');
  let best: { key: string; d: number } | undefined;
  for (const v of valid) {
    const d = norm(v) === norm(key) ? 0 : editDistance(key.toLowerCase(), v.toLowerCase());
    if (!best || d < best.d) best = { key: v, d };
  }
  return best && best.d <= Math.max(2, Math.floor(key.length / 3)) ? best.key : undefined;
}
