/**
 * Dependencies point inward (issue #11): stages reach adapters only through the port types and the
 * catalog, adapters never import a stage, and `pipelines/` never imports `functions/`. Read from
 * the real sources on every run; the same checker is shown to catch each kind of violation.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importGraph, layerViolations, STAGES } from '../support/import-graph.js';
import { repoFixtures, repoRoot } from '../support/paths.js';

describe('import direction', () => {
  const graph = importGraph(repoRoot, ['pipelines', 'functions']);

  it('holds in the repository', () => {
    expect(layerViolations(graph)).toEqual([]);
  });

  it('reads the whole graph, not an empty one', () => {
    const files = new Set(graph.map((e) => e.from));
    for (const s of STAGES) {
      expect([...files].some((f) => f.startsWith(`pipelines/${s}/`))).toBe(true);
    }
    // 72 files and 276 imports when this was written.
    expect(files.size).toBeGreaterThan(60);
    expect(graph.length).toBeGreaterThan(250);
    // Allowed edges of each kind the rules look at are seen, so the rules have something to judge.
    expect(graph).toContainEqual({
      from: 'pipelines/ports/market-data/csv-folder.ts',
      to: 'pipelines/ports/market-data/yahoo-csv.ts',
    });
    expect(graph).toContainEqual({
      from: 'pipelines/ingest/step.ts',
      to: 'pipelines/ports/warehouse/schema.ts',
    });
    expect(graph).toContainEqual({
      from: 'functions/events.ts',
      to: 'pipelines/calendar/exchange.ts',
    });
  });

  it('reports each rule broken in a synthetic graph', () => {
    const edges = [
      { from: 'pipelines/model/step.ts', to: 'pipelines/ports/tracking/mlflow.ts' },
      { from: 'pipelines/record/runs.ts', to: 'pipelines/ports/retry.ts' },
      { from: 'pipelines/ports/market-data/csv-folder.ts', to: 'pipelines/ingest/contract.ts' },
      { from: 'pipelines/daily/model-half.ts', to: 'functions/handlers.ts' },
      // Allowed: the port API, the catalog, and functions/ → pipelines/.
      { from: 'pipelines/ingest/step.ts', to: 'pipelines/ports/market-data/port.ts' },
      { from: 'pipelines/drift/step.ts', to: 'pipelines/ports/warehouse/schema.ts' },
      { from: 'pipelines/record/runs.ts', to: 'pipelines/ports/errors.ts' },
      { from: 'pipelines/forecast/step.ts', to: 'pipelines/catalog.ts' },
      { from: 'functions/handlers.ts', to: 'pipelines/daily/ingest-half.ts' },
    ];
    expect(layerViolations(edges).map((v) => `${v.from} -> ${v.to}`)).toEqual([
      'pipelines/model/step.ts -> pipelines/ports/tracking/mlflow.ts',
      'pipelines/record/runs.ts -> pipelines/ports/retry.ts',
      'pipelines/ports/market-data/csv-folder.ts -> pipelines/ingest/contract.ts',
      'pipelines/daily/model-half.ts -> functions/handlers.ts',
    ]);
    const allowed = new Set(['pipelines/record/runs.ts -> pipelines/ports/retry.ts']);
    expect(layerViolations(edges, allowed)).toHaveLength(3);
  });

  it('finds violations in source files: type-only, re-exported and dynamic imports count', () => {
    const root = join(repoFixtures, 'import-direction');
    const found = layerViolations(importGraph(root, ['pipelines', 'functions']));
    expect(found.map((v) => `${v.from} -> ${v.to}: ${v.rule}`).sort()).toEqual([
      'pipelines/daily.ts -> functions/handler.ts: pipelines/ imports functions/',
      'pipelines/ingest/step.ts -> pipelines/ports/market-data/csv-folder.ts: a stage imports an adapter (only port.ts, schema, errors)',
      'pipelines/ingest/step.ts -> pipelines/ports/object-store/local.ts: a stage imports an adapter (only port.ts, schema, errors)',
      'pipelines/ports/market-data/csv-folder.ts -> pipelines/ingest/rules.ts: a port or adapter imports a stage',
    ]);
  });
});
