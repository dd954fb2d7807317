/** Decoding and validating the Pub/Sub CloudEvents the functions receive. */
import { z } from 'zod';
import { isCalendarDate } from '../pipelines/calendar/exchange.js';

// A real date, not just its shape: 2020-13-45 would otherwise reach the warehouse and fail there.
const isoDate = z.string().refine(isCalendarDate, 'expected a real calendar date as YYYY-MM-DD');
const ticker = z.string().regex(/^[A-Z0-9.^=-]{1,20}$/, 'expected an upper-case ticker symbol');

/** What Cloud Scheduler publishes: all fields optional, defaults filled by the handler. */
export const scheduleMessage = z.object({
  date: isoDate.optional(),
  tickers: z.array(ticker).min(1).optional(),
});
export type ScheduleMessage = z.infer<typeof scheduleMessage>;

/** One ticker's work for one run. */
export const tickerMessage = z.object({ runId: z.string().min(1), date: isoDate, ticker });
export type TickerMessage = z.infer<typeof tickerMessage>;

/**
 * What the fan-in function takes from the done topic: a ticker's result (only the fields it needs),
 * or the schedule's follow-up `{"flush": true}`, which commits whatever is staged.
 */
export const reportMessage = z.union([
  z.object({ flush: z.literal(true) }),
  z.object({ runId: z.string().min(1), ticker, status: z.string().optional() }),
]);
export type ReportMessage = z.infer<typeof reportMessage>;

const pubsubEnvelope = z.object({
  message: z.object({
    data: z.string().optional(),
    attributes: z.record(z.string(), z.string()).optional(),
    messageId: z.string().optional(),
  }),
});

export class BadEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BadEventError';
  }
}

/** Decodes a Pub/Sub CloudEvent's base64 JSON payload and validates it; errors name the bad field. */
export function decodePubSub<T>(eventData: unknown, schema: z.ZodType<T>, what: string): T {
  const env = pubsubEnvelope.safeParse(eventData);
  if (!env.success) throw new BadEventError(`${what}: not a Pub/Sub message event`);
  const raw = env.data.message.data;
  let json: unknown = {};
  if (raw) {
    try {
      json = JSON.parse(Buffer.from(raw, 'base64').toString('utf8'));
    } catch {
      throw new BadEventError(`${what}: message data is not base64-encoded JSON`);
    }
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (i) => `${i.path.join('.') || '(message)'}: ${i.message}`,
    );
    throw new BadEventError(`${what}: ${issues.join('; ')}`);
  }
  return parsed.data;
}
