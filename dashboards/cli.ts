#!/usr/bin/env node
/** `make dashboard` and `make dashboard-url`: the local page, and the Looker Studio Linking API URL. */
import { Command } from 'commander';
import { linkingUrl } from './looker/linking-url.js';
import { renderDashboard } from './local/render.js';
import { loadReport } from './report.js';

const program = new Command('stockops-dashboard').showHelpAfterError();

program
  .command('render')
  .description('draw the local DuckDB warehouse into one self-contained HTML file')
  .option('--warehouse <file>', 'the DuckDB warehouse', '.data/demo/warehouse.duckdb')
  .option('--out <file>', 'the HTML file (default: dashboard.html beside the warehouse)')
  .action(async (flags: { warehouse: string; out?: string }) => {
    const r = await renderDashboard({
      warehouse: flags.warehouse,
      ...(flags.out ? { out: flags.out } : {}),
    });
    const missing = r.panels.filter((p) => p.state !== 'ok').map((p) => `${p.id} (${p.state})`);
    process.stdout.write(
      `dashboard: ${r.path}\n  ${r.panels.length} panels, tickers ${r.tickers.join(', ') || 'none'}` +
        (missing.length ? `; without data: ${missing.join(', ')}` : '') +
        '\n',
    );
  });

program
  .command('url')
  .description('print the Looker Studio Linking API URL that creates the report from its template')
  .requiredOption('--template <id>', 'the template report id')
  .requiredOption('--project <id>', 'the Google Cloud project holding the dataset')
  .option('--dataset <id>', 'the BigQuery dataset', 'stockops')
  .option('--billing-project <id>', 'the project billed for the queries')
  .option('--name <name>', 'the new report name')
  .action(
    (f: {
      template: string;
      project: string;
      dataset: string;
      billingProject?: string;
      name?: string;
    }) => {
      const url = linkingUrl(loadReport(), {
        templateReportId: f.template,
        projectId: f.project,
        datasetId: f.dataset,
        ...(f.billingProject ? { billingProjectId: f.billingProject } : {}),
        ...(f.name ? { reportName: f.name } : {}),
      });
      process.stdout.write(`${url}\n`);
    },
  );

program.parseAsync().catch((e: unknown) => {
  console.error(`stockops-dashboard: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
