/** Cloud Functions entry points (gen2, Pub/Sub-triggered CloudEvents). A few lines each. */
import { cloudEvent, type CloudEvent } from '@google-cloud/functions-framework';
import { openCatalog, type Catalog } from '../pipelines/catalog.js';
import { loadConfig } from '../pipelines/config.js';
import { createLogger } from '../pipelines/log.js';
import { decodePubSub, scheduleMessage, tickerMessage } from './events.js';
import { onSchedule, onTicker } from './handlers.js';

// One catalog per instance: warm invocations reuse its connections.
let catalog: Promise<Catalog> | undefined;
const cat = () =>
  (catalog ??= openCatalog(loadConfig({ env: process.env }), {
    log: createLogger({ json: true }),
  }).catch((e: unknown) => {
    // A failed open (warehouse briefly unreachable) must not stick to the instance: retry next time.
    catalog = undefined;
    throw e;
  }));
/** The instance's catalog: tests watch its bus and read its warehouse. */
export { cat as instanceCatalog };

cloudEvent('stockopsSchedule', async (event: CloudEvent<unknown>) => {
  await onSchedule(decodePubSub(event.data, scheduleMessage, 'stockopsSchedule'), await cat());
});

cloudEvent('stockopsTicker', async (event: CloudEvent<unknown>) => {
  const result = await onTicker(
    decodePubSub(event.data, tickerMessage, 'stockopsTicker'),
    await cat(),
  );
  // A failed ticker is recorded, not retried: Pub/Sub redelivery would only repeat the same failure.
  if (result.status === 'failed') (await cat()).log.error('ticker failed', { ...result });
});
