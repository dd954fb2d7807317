/**
 * Relative links and anchors in Markdown, checked against the files and headings they name. Anchors
 * are GitHub's heading slugs (lower case, punctuation dropped, spaces as hyphens, `-1`, `-2` for
 * repeats); code blocks and inline code are not Markdown, so links and headings there are skipped.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

export interface BrokenLink {
  file: string;
  line: number;
  target: string;
  why: string;
}

/** The lines outside fenced code, with inline code blanked (line numbers kept). */
function proseLines(text: string): string[] {
  let fence: string | undefined;
  return text.split('\n').map((line) => {
    const f = /^\s*(```+|~~~+)/.exec(line)?.[1];
    if (f && (!fence || f.startsWith(fence))) {
      fence = fence ? undefined : f;
      return '';
    }
    return fence ? '' : line.replace(/`[^`]*`/g, (m) => ' '.repeat(m.length));
  });
}

export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Every anchor a Markdown text defines through its headings. */
export function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  let fence: string | undefined;
  for (const line of text.split('\n')) {
    const f = /^\s*(```+|~~~+)/.exec(line)?.[1];
    if (f && (!fence || f.startsWith(fence))) fence = fence ? undefined : f;
    const h = fence || f ? undefined : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (h === undefined) continue;
    const base = slug(h);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n ? `${base}-${n}` : base);
  }
  return out;
}

/** Inline links `[text](target)` and images, with their line (1-based). */
export function links(text: string): { line: number; target: string }[] {
  const out: { line: number; target: string }[] = [];
  proseLines(text).forEach((l, i) => {
    for (const m of l.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      out.push({ line: i + 1, target: m[1] ?? '' });
    }
  });
  // A link whose text wraps onto the next line still ends `](target)` on one line: found above.
  return out;
}

/** Broken relative links of `file`, a path relative to `root` (the repository's, by default). */
export function brokenLinks(file: string, root = process.cwd()): BrokenLink[] {
  const read = (p: string) => readFileSync(join(root, p), 'utf8');
  const exists = (p: string) => existsSync(join(root, p));
  const out: BrokenLink[] = [];
  for (const { line, target } of links(read(file))) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http(s), mailto: not checked offline
    const [path = '', anchor] = target.split('#', 2);
    const dest = path ? normalize(join(dirname(file), decodeURIComponent(path))) : file;
    if (dest.startsWith('..')) {
      out.push({ file, line, target, why: 'points outside the repository' });
      continue;
    }
    if (!exists(dest)) {
      out.push({ file, line, target, why: `no file ${dest}` });
      continue;
    }
    if (anchor === undefined) continue;
    if (!dest.endsWith('.md') || statSync(join(root, dest)).isDirectory()) {
      out.push({ file, line, target, why: `an anchor into ${dest}, which is not a Markdown file` });
    } else if (!anchors(read(dest)).has(anchor)) {
      out.push({ file, line, target, why: `no heading #${anchor} in ${dest}` });
    }
  }
  return out;
}
