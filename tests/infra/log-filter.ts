/**
 * Cloud Logging's filter language, the subset infra/monitoring.tf uses: `field OP value` terms
 * joined by AND, where a value is a quoted string, a number, true/false, or `(v1 OR v2 …)`.
 * Anything else (top-level OR, NOT, `-`, functions) is refused rather than guessed at, so a new
 * filter the evaluator cannot read fails the alerts test instead of passing it.
 * https://cloud.google.com/logging/docs/view/logging-query-language
 */
export type Op = '=' | '!=' | '=~' | '!~' | '>=' | '<=' | '>' | '<' | ':';
type Scalar = string | number | boolean;

export interface Condition {
  /** Dotted path, e.g. `jsonPayload.servedMaseMax`. */
  field: string;
  op: Op;
  /** One value, or any of several (`(a OR b)`). */
  values: Scalar[];
}

const OPS: Op[] = ['>=', '<=', '!=', '=~', '!~', '=', '>', '<', ':'];

export function parseFilter(filter: string): Condition[] {
  let i = 0;
  const s = filter;
  const ws = () => {
    while (s[i] === ' ') i++;
  };
  const fail = (why: string): never => {
    throw new Error(`unsupported filter (${why}) at ${i}: ${s}`);
  };
  const scalar = (): Scalar => {
    ws();
    if (s[i] === '"') {
      let out = '';
      for (i++; i < s.length && s[i] !== '"'; i++) out += s[i] === '\\' ? s[++i] : s[i];
      if (s[i++] !== '"') fail('unterminated string');
      return out;
    }
    const m = /^[^\s()]+/.exec(s.slice(i));
    if (!m) return fail('expected a value');
    i += m[0].length;
    if (m[0] === 'true' || m[0] === 'false') return m[0] === 'true';
    const n = Number(m[0]);
    return Number.isFinite(n) ? n : fail(`bare word ${m[0]}`);
  };
  const out: Condition[] = [];
  for (;;) {
    ws();
    const f = /^[A-Za-z_][\w.]*/.exec(s.slice(i));
    if (!f) fail('expected a field');
    const field = f?.[0] ?? '';
    if (field === 'NOT' || field === 'OR') fail(field);
    i += field.length;
    ws();
    const op = OPS.find((o) => s.startsWith(o, i)) ?? fail('expected an operator');
    i += op.length;
    ws();
    const values: Scalar[] = [];
    if (s[i] === '(') {
      i++;
      for (;;) {
        values.push(scalar());
        ws();
        if (s[i] === ')') break;
        if (!s.startsWith('OR ', i)) fail('expected OR or )');
        i += 3;
      }
      i++;
    } else values.push(scalar());
    out.push({ field, op, values });
    ws();
    if (i >= s.length) return out;
    if (!s.startsWith('AND ', i)) fail('expected AND');
    i += 4;
  }
}

function get(entry: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>(
      (v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined),
      entry,
    );
}

function holds(actual: unknown, op: Op, want: Scalar): boolean {
  if (actual === undefined || actual === null) return false;
  const text = typeof actual === 'string' ? actual : JSON.stringify(actual);
  switch (op) {
    case '=':
      return text === String(want);
    case '!=':
      return text !== String(want);
    case ':':
      return text.toLowerCase().includes(String(want).toLowerCase());
    case '=~':
      return new RegExp(String(want)).test(text);
    case '!~':
      return !new RegExp(String(want)).test(text);
    default: {
      if (typeof actual !== 'number' || typeof want !== 'number') return false;
      if (op === '>=') return actual >= want;
      if (op === '<=') return actual <= want;
      return op === '>' ? actual > want : actual < want;
    }
  }
}

/** Whether a log entry ({resource, jsonPayload, …}) matches every condition. */
export function matches(entry: unknown, conditions: Condition[]): boolean {
  return conditions.every((c) => c.values.some((v) => holds(get(entry, c.field), c.op, v)));
}
