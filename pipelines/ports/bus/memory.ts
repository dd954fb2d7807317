import { randomUUID } from 'node:crypto';
import type { Bus, BusMessage } from './port.js';

/** Embedded default: an in-process bus. publish() resolves after every handler ran, like a synchronous hand-over. */
export function createMemoryBus(): Bus {
  const handlers = new Map<string, Set<(msg: BusMessage) => Promise<void>>>();
  let closed = false;
  const closedError = (what: string) => new Error(`memory bus: ${what} after close()`);
  return {
    kind: 'memory',
    async publish(topic, data, attributes) {
      if (closed) throw closedError(`publish to ${topic}`);
      const msg: BusMessage = {
        topic,
        data: structuredClone(data),
        ...(attributes ? { attributes } : {}),
      };
      for (const h of handlers.get(topic) ?? []) await h(msg);
      return randomUUID();
    },
    subscribe(topic, handler) {
      if (closed) return Promise.reject(closedError(`subscribe to ${topic}`));
      const set = handlers.get(topic) ?? new Set();
      set.add(handler);
      handlers.set(topic, set);
      return Promise.resolve(() => {
        set.delete(handler);
        return Promise.resolve();
      });
    },
    close() {
      closed = true;
      handlers.clear();
      return Promise.resolve();
    },
  };
}
