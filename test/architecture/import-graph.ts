import { readdir, readFile } from 'node:fs/promises';
import { join, posix, relative, sep } from 'node:path';
import { extractImports, type ImportKind } from './import-extractor.ts';

/** The repository root (this file is test/architecture/import-graph.ts). */
export const REPO_ROOT = join(import.meta.dirname, '..', '..');

/** The folders whose sources make up the graph. */
export const SOURCE_FOLDERS = ['shared', 'functions', 'infra', 'cli', 'local', 'bench', 'test'] as const;

/** Never walked: installed packages, and test fixtures (data, not architecture). */
const EXCLUDED = ['node_modules', 'test/fixtures'];

/** package.json `"imports"`: `#shared/*` → `./shared/*`. */
export type ImportAliases = Readonly<Record<string, string>>;

/** One import: from a repository file to a repository file (`to`) or to a package (`packageName`). */
export interface ImportEdge {
  /** Repository path of the importing file, `/`-separated: `local/quickstart.ts`. */
  readonly from: string;
  /** The specifier as written. */
  readonly specifier: string;
  readonly kind: ImportKind;
  readonly line: number;
  /** Repository path of the imported file, for relative and `#` specifiers. */
  readonly to?: string;
  /** The imported package (`@aws-sdk/client-s3`, `jose`, `node:fs`), for bare specifiers. */
  readonly packageName?: string;
}

/** Every source file (`.ts`, `.js`) of the graph: repository paths, sorted. */
export async function listSourceFiles(root = REPO_ROOT): Promise<string[]> {
  const files: string[] = [];
  for (const folder of SOURCE_FOLDERS) {
    for (const entry of await readdir(join(root, folder), { withFileTypes: true, recursive: true })) {
      const path = relative(root, join(entry.parentPath, entry.name)).split(sep).join('/');
      const excluded = EXCLUDED.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
      if (entry.isFile() && /\.(ts|js)$/.test(entry.name) && !excluded && !path.includes('/node_modules/')) {
        files.push(path);
      }
    }
  }
  return files.sort();
}

/** The `"imports"` aliases of the repository's package.json. */
export async function readImportAliases(root = REPO_ROOT): Promise<ImportAliases> {
  const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as {
    imports?: Record<string, string>;
  };
  return manifest.imports ?? {};
}

/**
 * Where a specifier of `from` leads: `{ to }` for a relative or `#` specifier (a repository path, not
 * checked for existence), `{ packageName }` for anything else.
 */
export function resolveSpecifier(
  from: string,
  specifier: string,
  aliases: ImportAliases,
): { to: string } | { packageName: string } {
  if (specifier.startsWith('./') || specifier.startsWith('../')) {
    return { to: posix.normalize(posix.join(posix.dirname(from), specifier)) };
  }
  if (specifier.startsWith('#')) {
    for (const [pattern, target] of Object.entries(aliases)) {
      const [prefix = '', suffix = ''] = pattern.split('*');
      if (specifier.startsWith(prefix) && specifier.endsWith(suffix)) {
        const matched = specifier.slice(prefix.length, specifier.length - suffix.length);
        return { to: posix.normalize(target.replace('*', matched)) };
      }
    }
    return { to: specifier }; // an unknown alias: reported by the graph test as unresolved
  }
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
  return { packageName: name };
}

/** The edges of one source text. */
export function edgesOf(from: string, source: string, aliases: ImportAliases): ImportEdge[] {
  return extractImports(source).map((found) => ({
    from,
    ...found,
    ...resolveSpecifier(from, found.specifier, aliases),
  }));
}

/** The repository's import graph: every import of every source file. */
export async function buildImportGraph(root = REPO_ROOT): Promise<ImportEdge[]> {
  const aliases = await readImportAliases(root);
  const edges: ImportEdge[] = [];
  for (const file of await listSourceFiles(root)) {
    edges.push(...edgesOf(file, await readFile(join(root, file), 'utf8'), aliases));
  }
  return edges;
}

/** Reads a repository file by its repository path. */
export function readRepoFile(path: string, root = REPO_ROOT): Promise<string> {
  return readFile(join(root, ...path.split('/')), 'utf8');
}

/** The top-level folder of a repository path: `local` for `local/workflow/x.ts`. */
export function topFolder(path: string): string {
  return path.split('/')[0] ?? path;
}
