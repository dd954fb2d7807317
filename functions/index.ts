/**
 * Cloud Functions entry points (gen2, Pub/Sub-triggered CloudEvents), one per step of the daily
 * path (docs/architecture.md): stockopsSchedule → stockopsIngest → stockopsModel,
 * then stockopsCommit (the fan-in of staged writes) on the done topic. A few lines each.
 */
import { cloudEvent, type CloudEvent } from '@google-cloud/functions-framework';
import { openCatalog, type Catalog } from '../pipelines/catalog.js';
import { loadConfig, runtimeFrom } from '../pipelines/config.js';
import { createLogger } from '../pipelines/log.js';
import { configureNativeEnv } from '../pipelines/model/runtime/native-env.js';
import { routeLibraryNotices } from '../pipelines/model/runtime/notices.js';
import { reportMessage, scheduleMessage, tickerMessage } from './events.js';
import { decodeOrDeadLetter, onIngest, onModel, onReport, onSchedule } from './handlers.js';

// TensorFlow's C++ log settings before it loads, and tfjs' Orthogonal notice as a debug log line.
const runtime = runtimeFrom(process.env);
configureNativeEnv(runtime.nativeTfEnv);
const log = createLogger({ json: true, level: runtime.debug ? 'DEBUG' : 'INFO' });
routeLibraryNotices(log);

// One catalog per instance: warm invocations reuse its connections.
let catalog: Promise<Catalog> | undefined;
const cat = () =>
  (catalog ??= openCatalog(loadConfig({ env: process.env }), { log }).catch((e: unknown) => {
    // A failed open (warehouse briefly unreachable) must not stick to the instance: retry next time.
    catalog = undefined;
    throw e;
  }));
/** The instance's catalog: tests watch its bus and read its warehouse. */
export { cat as instanceCatalog };

cloudEvent('stockopsSchedule', async (event: CloudEvent<unknown>) => {
  const c = await cat();
  const msg = await decodeOrDeadLetter(event.data, scheduleMessage, 'stockopsSchedule', c);
  if (msg) await onSchedule(msg, c, event.id);
});

cloudEvent('stockopsIngest', async (event: CloudEvent<unknown>) => {
  const c = await cat();
  const msg = await decodeOrDeadLetter(event.data, tickerMessage, 'stockopsIngest', c);
  if (msg) await onIngest(msg, c);
});

cloudEvent('stockopsModel', async (event: CloudEvent<unknown>) => {
  const c = await cat();
  const msg = await decodeOrDeadLetter(event.data, tickerMessage, 'stockopsModel', c);
  if (msg) await onModel(msg, c);
});

// The fan-in, on the done topic: commits the day's staged writes once every ticker reported.
cloudEvent('stockopsCommit', async (event: CloudEvent<unknown>) => {
  const c = await cat();
  const msg = await decodeOrDeadLetter(event.data, reportMessage, 'stockopsCommit', c);
  if (msg) await onReport(msg, c);
});
