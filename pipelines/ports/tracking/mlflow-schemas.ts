/** The shapes of MLflow's REST answers the client reads, checked with zod as they arrive. */
import { z } from 'zod';

const int64 = z.union([z.number(), z.string()]).transform(Number);
// Protobuf JSON writes non-finite doubles as the strings "NaN", "Infinity", "-Infinity".
const double = z.union([z.number(), z.string()]).transform(Number);
const kvList = z.array(z.object({ key: z.string(), value: z.string().default('') })).default([]);

export const experimentSchema = z.object({
  experiment_id: z.string(),
  name: z.string(),
  artifact_location: z.string().optional(),
  lifecycle_stage: z.string().optional(),
});
export type MlflowExperiment = z.infer<typeof experimentSchema>;

export const metricSchema = z.object({
  key: z.string(),
  value: double,
  timestamp: int64,
  step: int64.default(0),
});
export type MlflowMetric = z.infer<typeof metricSchema>;

export const runSchema = z.object({
  info: z.object({
    run_id: z.string(),
    experiment_id: z.string(),
    run_name: z.string().optional(),
    status: z.enum(['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED']),
    start_time: int64.optional(),
    end_time: int64.optional(),
    artifact_uri: z.string(),
    lifecycle_stage: z.string().optional(),
  }),
  data: z
    .object({
      metrics: z.array(metricSchema).default([]),
      params: kvList,
      tags: kvList,
    })
    .default({ metrics: [], params: [], tags: [] }),
  /** MLflow 3: the logged models the run produced. */
  outputs: z
    .object({
      model_outputs: z
        .array(z.object({ model_id: z.string(), step: int64.default(0) }))
        .default([]),
    })
    .default({ model_outputs: [] }),
});
export type MlflowRun = z.infer<typeof runSchema>;

export const modelVersionSchema = z.object({
  name: z.string(),
  version: z.string(),
  source: z.string().default(''),
  run_id: z.string().optional(),
  status: z.string().optional(),
  tags: kvList,
  aliases: z.array(z.string()).default([]),
});
export type MlflowModelVersion = z.infer<typeof modelVersionSchema>;

export const registeredModelSchema = z.object({
  name: z.string(),
  aliases: z.array(z.object({ alias: z.string(), version: z.string() })).default([]),
  tags: kvList,
});
export type MlflowRegisteredModel = z.infer<typeof registeredModelSchema>;

export type RunStatus = 'FINISHED' | 'FAILED' | 'KILLED';
export type RunViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';

export const loggedModelSchema = z.object({
  info: z.object({
    model_id: z.string(),
    experiment_id: z.string(),
    name: z.string(),
    artifact_uri: z.string(),
    status: z.string().optional(),
    model_type: z.string().optional(),
    source_run_id: z.string().optional(),
    tags: kvList,
  }),
  data: z.object({ params: kvList }).default({ params: [] }),
});
export type MlflowLoggedModel = z.infer<typeof loggedModelSchema>;
