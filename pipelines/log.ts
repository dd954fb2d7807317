/**
 * Logging: JSON lines with Cloud Logging's `severity` field when not on a TTY (Cloud Functions, CI,
 * pipes), short human lines on a TTY. Everything goes to stderr so stdout stays for results.
 */
export type Severity = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR';
export type Fields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: Fields): void;
  info(message: string, fields?: Fields): void;
  warn(message: string, fields?: Fields): void;
  error(message: string, fields?: Fields): void;
  child(fields: Fields): Logger;
}

export interface LoggerOptions {
  json?: boolean;
  level?: Severity;
  write?: (line: string) => void;
  base?: Fields;
}

const ORDER: Severity[] = ['DEBUG', 'INFO', 'WARNING', 'ERROR'];

export function createLogger(opts: LoggerOptions = {}): Logger {
  const json = opts.json ?? !process.stderr.isTTY;
  const min = ORDER.indexOf(opts.level ?? 'INFO');
  const write = opts.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const base = opts.base ?? {};
  const emit = (severity: Severity, message: string, fields: Fields = {}): void => {
    if (ORDER.indexOf(severity) < min) return;
    const all = { ...base, ...fields };
    if (json) {
      write(JSON.stringify({ severity, message, time: new Date().toISOString(), ...all }));
    } else {
      const extra = Object.entries(all)
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join(' ');
      write(`${severity === 'INFO' ? '' : `${severity} `}${message}${extra ? `  ${extra}` : ''}`);
    }
  };
  return {
    debug: (m, f) => emit('DEBUG', m, f),
    info: (m, f) => emit('INFO', m, f),
    warn: (m, f) => emit('WARNING', m, f),
    error: (m, f) => emit('ERROR', m, f),
    child: (fields) => createLogger({ ...opts, json, base: { ...base, ...fields } }),
  };
}

/** A silent logger for tests and library use. */
export const nullLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => nullLogger,
};
