import { randomUUID } from 'node:crypto';
import type { Bus, BusMessage } from './port.js';

/** Embedded default: an in-process bus. publish() resolves after every handler ran, like a synchronous hand-over. */
export function createMemoryBus(): Bus {
  const handlers = new Map<string, Set<(msg: BusMessage) => Promise<void>>>();
  return {
    kind: 'memory',
    async publish(topic, data, attributes) {
      const msg: BusMessage = {
        topic,
        data: structuredClone(data),
        ...(attributes ? { attributes } : {}),
      };
      for (const h of handlers.get(topic) ?? []) await h(msg);
      return randomUUID();
    },
    subscribe(topic, handler) {
      const set = handlers.get(topic) ?? new Set();
      set.add(handler);
      handlers.set(topic, set);
      return Promise.resolve(() => {
        set.delete(handler);
        return Promise.resolve();
      });
    },
    close() {
      handlers.clear();
      return Promise.resolve();
    },
  };
}
