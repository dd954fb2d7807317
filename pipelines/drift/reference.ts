/** A version's prediction reference (its holdout's predicted returns), read so that a bad file skips only prediction drift. */
import type { Catalog } from '../catalog.js';
import { printable } from '../text.js';

/**
 * The reference, or undefined when it is missing or unreadable: prediction drift is then skipped
 * (feature and dataset drift still run), with a warning naming the object and what was wrong.
 */
export async function readPredictionReference(
  cat: Catalog,
  ticker: string,
  versionKey: string,
): Promise<number[] | undefined> {
  const key = `${versionKey}/prediction-reference.json`;
  const bytes = await cat.store.get(key);
  if (!bytes) return undefined;
  let problem: string;
  try {
    const parsed: unknown = JSON.parse(new TextDecoder().decode(bytes));
    if (Array.isArray(parsed) && parsed.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      return parsed as number[];
    }
    problem = 'not an array of finite numbers';
  } catch (e) {
    problem = printable(e instanceof Error ? e.message : String(e), 120);
  }
  cat.log.warn('prediction reference unreadable; prediction drift skipped', {
    ticker,
    object: cat.store.uri(key),
    error: problem,
  });
  return undefined;
}
