import { maskSource } from './import-extractor.ts';

/** The source rule on module-relative paths, worded for docs/architecture.md. */
export const MODULE_PATH_RULE = {
  id: 'module-paths-are-file-paths',
  rule:
    'a URL made from import.meta.url becomes a file path through fileURLToPath (or use import.meta.dirname), ' +
    'never through .pathname: under a folder whose name has a space, .pathname holds %20 and the file is not found',
} as const;

// `new URL(..., import.meta.url)` (one level of nested parentheses inside), or of import.meta.resolve(...).
const MODULE_URL =
  /new\s+URL\s*\((?:[^()]|\([^()]*\))*?import\.meta\.(?:url|resolve\s*\((?:[^()]|\([^()]*\))*\))\s*\)/g;

/**
 * Lines (1-based) where a URL derived from `import.meta.url` is read through `.pathname`: directly
 * (`new URL('x', import.meta.url).pathname`) or through the variable it was assigned to.
 */
export function findModuleUrlPathnames(source: string): number[] {
  const masked = maskSource(source);
  const lines = new Set<number>();
  const lineAt = (index: number) => masked.slice(0, index).split('\n').length;
  for (const match of masked.matchAll(MODULE_URL)) {
    const end = match.index + match[0].length;
    const direct = /^\s*\.\s*pathname\b/.exec(masked.slice(end));
    if (direct !== null) {
      lines.add(lineAt(end + direct[0].length));
      continue;
    }
    const assigned = /(?:const|let|var)\s+([\w$]+)\s*(?::[^=]+)?=\s*$/.exec(masked.slice(0, match.index));
    if (assigned?.[1] === undefined) continue;
    const use = new RegExp(`(?<![\\w$.])${assigned[1].replaceAll('$', '\\$')}\\s*\\.\\s*pathname\\b`, 'g');
    for (const found of masked.slice(end).matchAll(use)) lines.add(lineAt(end + found.index));
  }
  return [...lines].sort((a, b) => a - b);
}
