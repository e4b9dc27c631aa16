/**
 * A small import extractor for the architecture tests: finds the module specifiers of a TypeScript or
 * JavaScript source without a parser dependency. Comments and the contents of strings, template literals
 * and regular expressions are blanked out first, so an `import ... from '...'` inside a string (an esbuild
 * banner, a doc comment) is not mistaken for an import.
 */

/** How a module is imported. */
export type ImportKind = 'import' | 'export' | 'side-effect' | 'dynamic';

/** One module specifier found in a source. */
export interface ExtractedImport {
  /** The specifier exactly as written: `#shared/ports.ts`, `../x.ts`, `node:fs`, `jose`. */
  readonly specifier: string;
  readonly kind: ImportKind;
  /** 1-based line of the specifier. */
  readonly line: number;
}

// Each pattern runs on the masked source and ends at the opening quote of the specifier.
const PATTERNS: readonly (readonly [ImportKind, RegExp])[] = [
  ['import', /(?<![\w$.])import\s+(?!\()[^'"`;()]*?(?<![\w$])from\s*(['"])/g],
  ['export', /(?<![\w$.])export\s+(?:type\s+)?(?:\*(?:\s+as\s+[\w$]+)?|\{[^}]*\})\s*from\s*(['"])/g],
  ['side-effect', /(?<![\w$.])import\s*(['"])/g],
  ['dynamic', /(?<![\w$.])import\s*\(\s*(['"`])/g],
];

/** Every static import, re-export, side-effect import and literal dynamic `import()` of a source. */
export function extractImports(source: string): ExtractedImport[] {
  const masked = maskSource(source);
  const found: { index: number; found: ExtractedImport }[] = [];
  for (const [kind, pattern] of PATTERNS) {
    for (const match of masked.matchAll(pattern)) {
      const open = match.index + match[0].length - 1;
      const close = masked.indexOf(masked.charAt(open), open + 1);
      const specifier = source.slice(open + 1, close);
      // A template literal counts only without substitutions: `import(\`./x.ts\`)`, not `import(\`${x}\`)`.
      if (close < 0 || specifier.includes('${')) continue;
      found.push({ index: open, found: { specifier, kind, line: lineOf(source, open) } });
    }
  }
  return found.sort((a, b) => a.index - b.index).map((entry) => entry.found);
}

function lineOf(source: string, index: number): number {
  let line = 1;
  for (let at = source.indexOf('\n'); at >= 0 && at < index; at = source.indexOf('\n', at + 1)) line += 1;
  return line;
}

/** After one of these (or at the start), a `/` opens a regular expression rather than dividing. */
const BEFORE_REGEX = new Set(['', '(', ',', '=', ':', '[', '!', '&', '|', '?', '{', '}', ';', '+', '-', '*']);
const KEYWORDS_BEFORE_REGEX = /(?:^|[^\w$])(?:return|typeof|case|in|of|void|throw|await|yield)$/;

/**
 * The source with comments blanked and every string, template and regex body blanked between its
 * delimiters (which stay), line breaks kept, so offsets and lines match the original. `${...}` inside a
 * template is code again, nested templates included.
 */
export function maskSource(source: string): string {
  const scan: Scan = { source, out: source.split(''), braces: [], last: '' };
  let index = 0;
  while (index < source.length) index = scanAt(scan, index);
  return scan.out.join('');
}

interface Scan {
  readonly source: string;
  /** The masked characters. */
  readonly out: string[];
  /** Open `{` counts of the template substitutions the scan is inside, innermost last. */
  readonly braces: number[];
  /** The last significant code character (`a` for any identifier character). */
  last: string;
}

/** Masks what starts at `index` and returns where the scan goes on. */
function scanAt(scan: Scan, index: number): number {
  const { source } = scan;
  const char = source.charAt(index);
  const next = source.charAt(index + 1);
  if (char === '/' && (next === '/' || next === '*')) return maskComment(scan, index, next === '/');
  if (char === "'" || char === '"') return maskLiteral(scan, index, skipQuoted(source, index, char), char);
  if (char === '`' || (char === '}' && scan.braces.at(-1) === 0)) return maskTemplatePart(scan, index);
  if (char === '/' && isRegexStart(source, index, scan.last)) {
    return maskLiteral(scan, index, skipRegex(source, index), '/');
  }
  trackCode(scan, char);
  return index + 1;
}

/** Follows plain code: braces inside a template substitution, and the last significant character. */
function trackCode(scan: Scan, char: string): void {
  const depth = scan.braces.length - 1;
  if (depth >= 0 && (char === '{' || char === '}')) {
    scan.braces[depth] = (scan.braces[depth] ?? 0) + (char === '{' ? 1 : -1);
  }
  if (!/\s/.test(char)) scan.last = /[\w$]/.test(char) ? 'a' : char;
}

/** Blanks a `//` comment up to its line break, or a block comment with its delimiters. */
function maskComment(scan: Scan, index: number, isLine: boolean): number {
  const end = isLine ? scan.source.indexOf('\n', index) : scan.source.indexOf('*/', index + 2);
  const stop = end < 0 ? scan.source.length : isLine ? end : end + 2;
  blank(scan, index, stop);
  return stop;
}

function blank(scan: Scan, from: number, to: number): void {
  for (let index = from; index < to; index += 1) if (scan.out[index] !== '\n') scan.out[index] = ' ';
}

/** Blanks a string or regex body between its delimiters at `start` and `stop - 1`. */
function maskLiteral(scan: Scan, start: number, stop: number, last: string): number {
  blank(scan, start + 1, stop - 1);
  scan.last = last;
  return stop;
}

/** A template from its backtick, or its rest from the `}` closing a substitution, to the next `${` or its end. */
function maskTemplatePart(scan: Scan, index: number): number {
  if (scan.source.charAt(index) === '}') scan.braces.pop();
  const [stop, opensSubstitution] = skipTemplate(scan.source, index + 1);
  blank(scan, index + 1, opensSubstitution ? stop - 2 : stop - 1);
  if (opensSubstitution) scan.braces.push(0);
  scan.last = opensSubstitution ? '{' : '`';
  return stop;
}

function skipQuoted(source: string, start: number, quote: string): number {
  let index = start + 1;
  while (index < source.length && source.charAt(index) !== quote && source.charAt(index) !== '\n') {
    index += source.charAt(index) === '\\' ? 2 : 1;
  }
  return index + 1;
}

/** From inside a template: the index after its closing backtick, or after the `${` that interrupts it. */
function skipTemplate(source: string, start: number): [number, boolean] {
  let index = start;
  while (index < source.length) {
    const char = source.charAt(index);
    if (char === '\\') index += 2;
    else if (char === '`') return [index + 1, false];
    else if (char === '$' && source.charAt(index + 1) === '{') return [index + 2, true];
    else index += 1;
  }
  return [index, false];
}

function isRegexStart(source: string, index: number, last: string): boolean {
  if (BEFORE_REGEX.has(last)) return true;
  return last === 'a' && KEYWORDS_BEFORE_REGEX.test(source.slice(0, index).trimEnd());
}

function skipRegex(source: string, start: number): number {
  let index = start + 1;
  let inClass = false;
  while (index < source.length && source.charAt(index) !== '\n') {
    const char = source.charAt(index);
    if (char === '\\') index += 1;
    else if (char === '[') inClass = true;
    else if (char === ']') inClass = false;
    else if (char === '/' && !inClass) return index + 1;
    index += 1;
  }
  return index;
}
