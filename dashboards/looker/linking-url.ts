/**
 * The Looker Studio Linking API URL that creates the StockOps report from its template, with one
 * BigQuery data source per view of the user's project and dataset.
 * Parameters: https://developers.google.com/looker-studio/integrate/linking-api
 */
import type { Report } from '../report.js';

export interface LinkingTarget {
  /** The template report's id (the UUID in its URL, lookerstudio.google.com/reporting/<id>). */
  templateReportId: string;
  projectId: string;
  datasetId: string;
  /** The project billed for the report's queries; the data's project when absent. */
  billingProjectId?: string;
  reportName?: string;
}

const BASE = 'https://lookerstudio.google.com/reporting/create';
// A project id, optionally domain-scoped ("example.com:my-project"); a dataset id.
const PROJECT = /^([a-z][a-z0-9.-]*[a-z0-9]:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const DATASET = /^[A-Za-z0-9_]{1,1024}$/;
const REPORT_ID = /^[A-Za-z0-9_-]{8,}$/;

function check(name: string, value: string | undefined, pattern: RegExp, hint: string): string {
  if (!value) throw new Error(`${name} is required (${hint})`);
  if (!pattern.test(value))
    throw new Error(`${name} ${JSON.stringify(value)} is not valid: ${hint}`);
  return value;
}

/** The URL, parameters in a fixed order: the same inputs always give the same URL. */
export function linkingUrl(report: Report, t: LinkingTarget): string {
  const reportId = check(
    'the template report id',
    t.templateReportId,
    REPORT_ID,
    'the id in the template report URL, lookerstudio.google.com/reporting/<id>',
  );
  const project = check('the project id', t.projectId, PROJECT, 'a Google Cloud project id');
  const dataset = check('the dataset id', t.datasetId, DATASET, 'letters, digits and underscores');
  const billing =
    t.billingProjectId &&
    check('the billing project id', t.billingProjectId, PROJECT, 'a Google Cloud project id');
  const aliases = new Set<string>();
  const params: [string, string][] = [
    ['c.reportId', reportId],
    ['r.reportName', t.reportName ?? report.reportName],
  ];
  for (const { alias, view } of report.dataSources) {
    if (aliases.has(alias)) throw new Error(`data source alias ${alias} is used twice`);
    aliases.add(alias);
    const ds = `ds.${alias}`;
    params.push(
      [`${ds}.connector`, 'bigQuery'],
      [`${ds}.type`, 'TABLE'],
      [`${ds}.projectId`, project],
      [`${ds}.datasetId`, dataset],
      [`${ds}.tableId`, view],
    );
    if (billing) params.push([`${ds}.billingProjectId`, billing]);
  }
  return `${BASE}?${params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}`;
}
