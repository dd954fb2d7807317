/** The staged warehouse as the contract suite drives it: overlay only, or committed after each write. */
import type { Warehouse } from '../../pipelines/ports/warehouse/port.js';
import type { StagedWarehouse } from '../../pipelines/ports/warehouse/staged.js';

/** Every write followed by a commit: the committed tables alone must then satisfy the contract. */
export function committingEachWrite(w: StagedWarehouse): Warehouse {
  const after =
    <A extends unknown[], R>(fn: (...a: A) => Promise<R>) =>
    async (...a: A): Promise<R> => {
      const r = await fn(...a);
      const c = await w.commit();
      // A write that stored rows must have left a batch to commit.
      const n =
        typeof r === 'number'
          ? r
          : r && typeof r === 'object'
            ? Object.values(r as Record<string, number>).reduce((s, x) => s + x, 0)
            : 0;
      if (c.batches === 0 && n > 0)
        throw new Error('a write stored rows but left nothing to commit');
      return r;
    };
  return {
    kind: 'staged+commit',
    init: () => w.init(),
    upsert: after(w.upsert.bind(w)),
    upsertBatch: after(w.upsertBatch.bind(w)),
    delete: after(w.delete.bind(w)),
    select: (t, q) => w.committed.select(t, q),
    close: () => w.close(),
  };
}
