/**
 * Every relative link and anchor in the README, docs/ and the dashboards' README resolves to a file
 * and heading that exist. The checker itself is shown to catch each kind of break.
 */
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { anchors, brokenLinks, links, slug } from '../support/markdown-links.js';

const PAGES = [
  'README.md',
  'dashboards/README.md',
  ...readdirSync('docs')
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

describe('documentation links', () => {
  it('covers the README and the docs pages', () => {
    expect(PAGES).toEqual(
      expect.arrayContaining([
        'docs/configuration.md',
        'docs/architecture.md',
        'docs/deploying.md',
      ]),
    );
    // The README links into docs/, so an empty link list would mean the parser found nothing.
    expect(links(readFileSync('README.md', 'utf8')).length).toBeGreaterThan(10);
  });

  it.each(PAGES)('%s: every relative link and anchor resolves', (page) => {
    expect(brokenLinks(page)).toEqual([]);
  });

  it('slugs headings as GitHub does', () => {
    expect(slug('Evaluation (`stockops evaluate`)')).toBe('evaluation-stockops-evaluate');
    expect(slug('What `make demo` prints')).toBe('what-make-demo-prints');
    expect(slug('Dependencies, and why')).toBe('dependencies-and-why');
    expect([...anchors('# A\n## A\n```\n# not a heading\n```\n## B: c')]).toEqual([
      'a',
      'a-1',
      'b-c',
    ]);
  });

  it('reports a missing file, a missing heading and links in code as not links', () => {
    const dir = mkdtempSync(join(tmpdir(), 'docs-links-'));
    mkdirSync(join(dir, 'docs'));
    writeFileSync(join(dir, 'docs', 'b.md'), '# B\n\n## Real heading\n');
    const a = [
      'See [b](b.md#real-heading), [self](#top) and [gone](c.md).',
      '[bad anchor](b.md#no-such)',
      '`[in code](nowhere.md)`',
      '```',
      '[in a block](nowhere.md)',
      '```',
      '# Top',
    ].join('\n');
    writeFileSync(join(dir, 'docs', 'a.md'), a);
    try {
      expect(brokenLinks('docs/a.md', dir).map((b) => `${b.line} ${b.target}: ${b.why}`)).toEqual([
        '1 c.md: no file docs/c.md',
        '2 b.md#no-such: no heading #no-such in docs/b.md',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
