/**
 * A command's terminal: the logger (debug with STOCKOPS_DEBUG=1), the progress display it writes
 * through, TensorFlow's C++ log settings and the library notices routed to debug. Set up once per
 * command, before any model runs.
 */
import { runtimeFrom, type Env } from '../config.js';
import { createLogger, type Fields, type Logger } from '../log.js';
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
  const lines = createLogger({ level: runtime.debug ? 'DEBUG' : 'INFO', write: progress.log });
  // On a terminal the progress line and the final table tell each ticker's day; off one, the
  // JSON lines are the record and stay as they are.
  const log = process.stderr.isTTY === true ? perTickerAtDebug(lines) : lines;
  routeLibraryNotices(log);
  return { log, progress, debug: runtime.debug };
}

/**
 * INFO lines about one ticker (a `ticker` field, or a child logger's) at DEBUG: one per ticker and
 * day is what the progress line replaces. Warnings and errors, and INFO about the whole run, stay.
 */
export function perTickerAtDebug(log: Logger, base: Fields = {}): Logger {
  const aboutTicker = (f?: Fields): boolean =>
    'ticker' in base || (f !== undefined && 'ticker' in f);
  return {
    debug: (m, f) => log.debug(m, f),
    info: (m, f) => (aboutTicker(f) ? log.debug(m, f) : log.info(m, f)),
    warn: (m, f) => log.warn(m, f),
    error: (m, f) => log.error(m, f),
    child: (fields) => perTickerAtDebug(log.child(fields), { ...base, ...fields }),
  };
}
