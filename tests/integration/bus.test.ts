/** The bus contract on the in-process bus and on Pub/Sub against the pstest emulator. */
import { PubSub } from '@google-cloud/pubsub';
import { afterAll, beforeAll } from 'vitest';
import { createMemoryBus } from '../../pipelines/ports/bus/memory.js';
import { createPubSubBus } from '../../pipelines/ports/bus/pubsub.js';
import { busContract } from '../contract/bus.contract.js';
import { startPubSubEmulator, type PubSubEmulator } from '../support/emulators/pubsub.js';

let emulator: PubSubEmulator;
beforeAll(async () => {
  process.env.METADATA_SERVER_DETECTION = 'none';
  emulator = await startPubSubEmulator();
});
afterAll(() => emulator.stop());

busContract('memory', () => Promise.resolve({ bus: createMemoryBus() }));
busContract('pubsub (pstest)', async () => {
  const projectId = 'stockops-test';
  return {
    bus: await createPubSubBus({ projectId, emulatorHost: emulator.host }),
    topicNames: async () => {
      const admin = new PubSub({ projectId, apiEndpoint: emulator.host, emulatorMode: true });
      try {
        const [topics] = await admin.getTopics();
        return topics.map((t) => t.name.split('/').pop() ?? '');
      } finally {
        await admin.close();
      }
    },
  };
});
