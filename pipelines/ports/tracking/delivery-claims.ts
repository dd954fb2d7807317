/**
 * Lets a run record's first delivery skip MLflow's `runs/search`. Finding the run an earlier try
 * may have made is a tag-filtered search over the whole experiment, and at thousands of tickers a
 * day that experiment grows by millions of runs a year. A key's first delivery claims it in the
 * object store (create-only, so exactly one claimer); only a key claimed before (a retry, a
 * redelivered message, another instance) searches. The claims sit beside the outbox, under
 * `claims/`, which the outbox's listing skips.
 */
import type { ObjectStore } from '../object-store/port.js';
import { outboxFileName } from './outbox.js';

export class DeliveryClaims {
  constructor(
    readonly store: ObjectStore,
    readonly prefix: string = '',
  ) {}

  /**
   * True when no delivery of this key ever started before, so no run can exist for it. A store
   * that fails answers false: the caller searches, as it always did.
   */
  async claimFirst(key: string): Promise<boolean> {
    try {
      return await this.store.putIfAbsent(
        `${this.prefix}claims/${outboxFileName(key)}`,
        JSON.stringify({ key, at: new Date().toISOString() }),
      );
    } catch {
      return false;
    }
  }
}
