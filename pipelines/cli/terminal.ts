/**
 * A command's terminal: the logger (debug with STOCKOPS_DEBUG=1), the progress display it writes
 * through, TensorFlow's C++ log settings and the library notices routed to debug. Set up once per
 * command, before any model runs.
 */
import { runtimeFrom, type Env } from '../config.js';
import { createLogger, type Logger } from '../log.js';
import { configureNativeEnv } from '../model/runtime/native-env.js';
import { routeLibraryNotices } from '../model/runtime/notices.js';
import { createProgressDisplay, type ProgressDisplay } from './progress-display.js';

export interface Terminal {
  log: Logger;
  progress: ProgressDisplay;
  debug: boolean;
}

export function openTerminal(label: string, env: Env): Terminal {
  const runtime = runtimeFrom(env);
  configureNativeEnv(runtime.nativeTfEnv);
  const progress = createProgressDisplay({
    label,
    tty: process.stderr.isTTY === true,
    write: (chunk) => process.stderr.write(chunk),
    // A pseudo-terminal without a size (e.g. under `script`) reports 0 columns: use the default.
    columns: process.stderr.columns > 0 ? process.stderr.columns : undefined,
  });
  const log = createLogger({ level: runtime.debug ? 'DEBUG' : 'INFO', write: progress.log });
  routeLibraryNotices(log);
  return { log, progress, debug: runtime.debug };
}
