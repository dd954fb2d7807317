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

const colour = z.string().regex(/^#[0-9a-f]{6}$/);

/** A shaded band between two fields (a prediction interval), drawn behind the lines. */
const band = z.object({ lower: field, upper: field, label: z.string().min(1) }).strict();

const line = z
  .object({
    ...base,
    type: z.literal('line'),
    x: field,
    y: z.array(field).min(1).optional(),
    aggregate: aggregate.optional(),
    /** One small chart per value (per combination of values, for a list). */
    facet: z.union([field, z.array(field).min(1)]).optional(),
    split: z.array(field).optional(),
    /** Horizontal lines: each a constant, or the value of a field of the first row. */
    reference: z
      .union([z.number(), field, z.array(z.union([z.number(), field])).min(1)])
      .optional(),
    /** Bands between two fields of each row, per split group, behind the `y` lines. */
    bands: z.array(band).optional(),
    /** Fixed colours per `y` field, so the same quantity looks the same in every facet. */
    colors: z.record(field, colour).optional(),
    /** `y` fields drawn dashed (a second forecast beside the served one). */
    dashed: z.array(field).optional(),
    /** A fixed value axis [min, max] (a rate between 0 and 1); else it fits the data. */
    range: z.tuple([z.number(), z.number()]).optional(),
  })
  .strict()
  .refine((c) => !!c.y !== !!c.aggregate, { message: 'a line chart has either y or aggregate' })
  .refine((c) => !c.bands || !!c.y, { message: 'bands go with y, not with an aggregate' });

const bar = z
  .object({
    ...base,
    type: z.literal('bar'),
    x: field,
    aggregate,
    split: z.array(field).optional(),
    stacked: z.boolean().optional(),
    /** Fixed colours per series (a split value), so "failed" is always red. */
    colors: z.record(z.string(), colour).optional(),
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

/** The fields a chart is faceted by (none, one, or a combination). */
export function facetFields(c: Chart): string[] {
  if (c.type !== 'line' && c.type !== 'heatmap') return [];
  return c.facet === undefined ? [] : Array.isArray(c.facet) ? c.facet : [c.facet];
}

/** A line chart's reference lines, as a list. */
export function references(c: Extract<Chart, { type: 'line' }>): (number | string)[] {
  return c.reference === undefined ? [] : Array.isArray(c.reference) ? c.reference : [c.reference];
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
      [c.x, ...c.y, c.value, ...facetFields(c)].forEach(add);
      break;
    case 'bar':
      [c.x, ...(c.split ?? [])].forEach(add);
      if (c.aggregate.fn !== 'count') add(c.aggregate.field);
      break;
    case 'line':
      [c.x, ...(c.y ?? []), ...facetFields(c), ...(c.split ?? [])].forEach(add);
      if (c.aggregate && c.aggregate.fn !== 'count') add(c.aggregate.field);
      for (const r of references(c)) if (typeof r === 'string') add(r);
      for (const b of c.bands ?? []) [b.lower, b.upper].forEach(add);
      Object.keys(c.colors ?? {}).forEach(add);
      (c.dashed ?? []).forEach(add);
      break;
  }
  return [...out];
}
