/**
 * The report description (`looker/report.json`): pages of charts, each naming its view and fields.
 * One description for the Looker Studio template and for the local page.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { viewsDir } from './views.js';

const field = z.string().regex(/^[a-z][a-z0-9_]*$/, 'a view column name');

const base = {
  id: z.string().regex(/^[a-z][a-z0-9-]*$/),
  /** Says what to read from the chart, not only what it shows. */
  title: z.string().min(20),
  view: field,
  /** The visible message when the view has no rows. */
  empty: z.string().min(1),
  /** Display names of fields (legend, table header), as set on the Looker Studio fields. */
  labels: z.record(field, z.string().min(1)).optional(),
  where: z
    .union([
      z.object({ field, equals: z.string() }).strict(),
      z.object({ field, not: z.string() }).strict(),
    ])
    .optional(),
};

const aggregate = z.union([
  z.object({ fn: z.literal('count') }).strict(),
  z.object({ fn: z.enum(['avg', 'sum']), field }).strict(),
]);

const line = z
  .object({
    ...base,
    type: z.literal('line'),
    x: field,
    y: z.array(field).min(1).optional(),
    aggregate: aggregate.optional(),
    facet: field.optional(),
    split: z.array(field).optional(),
    /** A horizontal line: a constant, or the value of a field of the first row. */
    reference: z.union([z.number(), field]).optional(),
  })
  .strict()
  .refine((c) => !!c.y !== !!c.aggregate, { message: 'a line chart has either y or aggregate' });

const bar = z
  .object({
    ...base,
    type: z.literal('bar'),
    x: field,
    aggregate,
    split: z.array(field).optional(),
    stacked: z.boolean().optional(),
    /** Fixed colours per series (a split value), so "failed" is always red. */
    colors: z.record(z.string(), z.string().regex(/^#[0-9a-f]{6}$/)).optional(),
  })
  .strict();

const heatmap = z
  .object({
    ...base,
    type: z.literal('heatmap'),
    x: field,
    y: z.tuple([field]),
    value: field,
    facet: field.optional(),
  })
  .strict();

const table = z
  .object({ ...base, type: z.literal('table'), columns: z.array(field).min(1) })
  .strict();

export const chartSchema = z.union([line, bar, heatmap, table]);
export type Chart = z.infer<typeof chartSchema>;

export const reportSchema = z
  .object({
    reportName: z.string().min(1),
    about: z.string(),
    dataSources: z
      .array(z.object({ alias: z.string().regex(/^[A-Za-z0-9_]+$/), view: field }).strict())
      .min(1),
    pages: z
      .array(
        z
          .object({
            id: z.string().regex(/^[a-z][a-z0-9-]*$/),
            name: z.string().min(1),
            controls: z.array(field),
            charts: z.array(chartSchema).min(1),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();
export type Report = z.infer<typeof reportSchema>;

export function loadReport(file = join(viewsDir(), '..', 'looker', 'report.json')): Report {
  const parsed = reportSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file}: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** Every view column a chart reads (the test checks each exists in its view). */
export function fieldsOf(c: Chart): string[] {
  const out = new Set<string>();
  const add = (f: string | undefined) => f && out.add(f);
  add(c.where?.field);
  Object.keys(c.labels ?? {}).forEach(add);
  switch (c.type) {
    case 'table':
      c.columns.forEach(add);
      break;
    case 'heatmap':
      [c.x, ...c.y, c.value, c.facet].forEach(add);
      break;
    case 'bar':
      [c.x, ...(c.split ?? [])].forEach(add);
      if (c.aggregate.fn !== 'count') add(c.aggregate.field);
      break;
    case 'line':
      [c.x, ...(c.y ?? []), c.facet, ...(c.split ?? [])].forEach(add);
      if (c.aggregate && c.aggregate.fn !== 'count') add(c.aggregate.field);
      if (typeof c.reference === 'string') add(c.reference);
      break;
  }
  return [...out];
}
