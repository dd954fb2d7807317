/**
 * What every stage of one ticker's run is given, in one object: adding a field touches no step's
 * signature. A step takes this context first and its data inputs (bars, features, …) second.
 */
import type { Catalog } from './catalog.js';

export interface TickerContext {
  /** The ports, the config (`cat.config`) and the logger (`cat.log`). */
  readonly cat: Catalog;
  readonly ticker: string;
  /** The day the run is for (D): ingest fetches and reads bars on or before it. */
  readonly runDate: string;
  /** The batch run's id, written with every row the run produces. */
  readonly runId: string;
}

/** What the model half knows besides: the as-of date and the TensorFlow.js backend that runs. */
export interface ModelContext extends TickerContext {
  /** The ticker's last bar on or before the run date: every model-half output is as of it. */
  readonly asOf: string;
  /** The TensorFlow.js backend selected for this process (runtime/backend.ts). */
  readonly backend: string;
}
