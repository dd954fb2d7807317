/** What the CLI prints for an error that stopped a command: a plain, bounded message, no stack trace. */
import { printable } from '../text.js';

const MAX = 600;

/** The message and its causes, e.g. `cannot open warehouse x: IO Error: ...`. `STOCKOPS_DEBUG=1` adds the stack. */
export function cliMessage(e: unknown, debug = false): string {
  const parts: string[] = [];
  let cur: unknown = e;
  for (let depth = 0; cur !== undefined && depth < 4; depth++) {
    const msg =
      cur instanceof Error ? cur.message : typeof cur === 'string' ? cur : JSON.stringify(cur);
    if (!parts.some((p) => p.includes(msg))) parts.push(msg);
    cur = cur instanceof Error ? cur.cause : undefined;
  }
  const text = `stockops: ${printable(parts.join(': '), MAX)}`;
  return debug && e instanceof Error && e.stack ? `${text}\n${e.stack}` : text;
}
