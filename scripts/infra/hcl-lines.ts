/**
 * Line numbers for arguments inside a block, from the source text (hcl2json drops positions). A
 * small scanner tracks brace depth outside strings and comments; an argument is the first line at
 * the block's depth that starts with its name. Good enough to point a reader at the right line;
 * it never decides whether something is wrong.
 */
export interface Located {
  line: number;
  /** How the source writes it: `name = …` (argument) or `name { … }` (block). */
  syntax: 'argument' | 'block' | 'unknown';
}

interface Scan {
  lines: string[];
  /** Brace depth at the start of each line. */
  depth: number[];
}

// One scan per file text: a check locates many arguments in the same few files.
const scans = new Map<string, Scan>();

function scan(text: string): Scan {
  const hit = scans.get(text);
  if (hit) return hit;
  const lines = text.split('\n');
  const depth: number[] = [];
  let d = 0;
  let inString = false;
  for (const line of lines) {
    depth.push(d);
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      if (inString) {
        if (c === '\\') i++;
        else if (c === '"') inString = false;
        continue;
      }
      if (c === '"') inString = true;
      else if (c === '#' || (c === '/' && line[i + 1] === '/')) break;
      else if (c === '{') d++;
      else if (c === '}') d--;
    }
  }
  const s = { lines, depth };
  scans.set(text, s);
  return s;
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Where `path` (argument or block names, outermost first) is written inside the block whose
 * header is on `headerLine` (1-based). Falls back to the deepest part found.
 */
export function locate(text: string, headerLine: number, path: string[], json = false): Located {
  const { lines, depth } = scan(text);
  let at = headerLine - 1;
  let syntax: Located['syntax'] = 'unknown';
  for (const name of path) {
    const inner = (depth[at] ?? 0) + 1;
    const re = json
      ? new RegExp(`^\\s*"${esc(name)}"\\s*:`)
      : new RegExp(`^\\s*(${esc(name)}\\s*(=|\\{)|dynamic\\s+"${esc(name)}"\\s*\\{)`);
    let found = -1;
    for (let k = at + 1; k < lines.length; k++) {
      if ((depth[k] ?? 0) < inner) break; // left the enclosing block
      if (depth[k] === inner && re.test(lines[k] ?? '')) {
        found = k;
        break;
      }
    }
    if (found < 0) return { line: at + 1, syntax: 'unknown' };
    at = found;
    const m = /^\s*[\w"]+\s*(=|\{)/.exec(lines[found] ?? '');
    syntax = json ? 'unknown' : m?.[1] === '=' ? 'argument' : 'block';
  }
  return { line: at + 1, syntax };
}
