/** The model registry as the model step sees it: names, tags, and loading a version by alias or label. */
import type { Catalog } from '../../catalog.js';
import type { Alias, ModelVersion } from '../../ports/tracking/port.js';
import { loadArtifacts, type ModelVersionArtifacts } from './artifacts.js';

export const ARTIFACT_KEY_TAG = 'stockops.artifact_key';
export const DATA_THROUGH_TAG = 'stockops.data_through';

export interface ServingVersion {
  label: string;
  key: string;
  artifacts: ModelVersionArtifacts;
}

export const registeredModelName = (ticker: string): string =>
  `stockops-${ticker.replace(/[^A-Za-z0-9_.-]/g, '_')}`;

/** Where a version's files live in the object store. */
export const versionKey = (ticker: string, label: string): string => `models/${ticker}/${label}`;

export const describe = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** The registry could not answer (down, refusing credentials): the run goes on without it. */
export class RegistryUnavailable extends Error {
  constructor(cause: unknown) {
    super(`model registry unavailable: ${describe(cause)}`);
    this.name = 'RegistryUnavailable';
  }
}

export async function loadServing(
  cat: Catalog,
  ticker: string,
  label: string,
): Promise<ServingVersion> {
  const key = versionKey(ticker, label);
  return { label, key, artifacts: await loadArtifacts(cat.store, key) };
}

export interface AliasedVersion {
  info: ModelVersion;
  serving: ServingVersion;
  /** The last date of data the version's training saw. */
  dataThrough: string;
}

export async function loadByAlias(
  cat: Catalog,
  ticker: string,
  alias: Alias,
): Promise<AliasedVersion | undefined> {
  let info: ModelVersion | undefined;
  try {
    info = await cat.tracker.registry.getByAlias(registeredModelName(ticker), alias);
  } catch (e) {
    throw new RegistryUnavailable(e);
  }
  const key = info?.tags[ARTIFACT_KEY_TAG];
  if (!info || !key) return undefined;
  const artifacts = await loadArtifacts(cat.store, key);
  const label = key.split('/').at(-1) ?? key;
  return {
    info,
    serving: { label, key, artifacts },
    dataThrough: info.tags[DATA_THROUGH_TAG] ?? artifacts.meta.trainWindow.last,
  };
}

/**
 * Registers a trained version and moves its aliases. A registry that fails leaves the version
 * unregistered (its artifacts stay in the object store, its training run in the tracker or its
 * outbox): the champion alias did not move, so the version counts as not promoted.
 */
export async function register(
  cat: Catalog,
  ticker: string,
  v: { source: string; runId: string; tags: Record<string, string> },
  promote: boolean,
): Promise<{ promoted: boolean; note?: string }> {
  const name = registeredModelName(ticker);
  try {
    const registered = await cat.tracker.registry.createVersion(name, v);
    await cat.tracker.registry.setAlias(name, 'challenger', registered.version);
    if (promote) await cat.tracker.registry.setAlias(name, 'champion', registered.version);
    return { promoted: promote };
  } catch (e) {
    cat.log.warn('model registry update failed; the version serves unregistered', {
      ticker,
      error: describe(e),
    });
    return { promoted: false, note: `registry not updated (${describe(e)})` };
  }
}
