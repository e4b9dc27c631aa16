import type { ImportRule } from './architecture-rules.ts';
import { type ImportEdge, topFolder } from './import-graph.ts';

/** One import that breaks a rule. */
export interface ImportBreach {
  readonly ruleId: string;
  readonly edge: Pick<ImportEdge, 'from' | 'specifier' | 'line' | 'to' | 'packageName'>;
}

/** The parts of an edge the checker reads; `line` and `specifier` only for the report. */
export type CheckedEdge = Pick<ImportEdge, 'from'> & Partial<Omit<ImportEdge, 'from'>>;

/** Whether a repository path lies in a scope: `shared/` (folder), `shared/*.ts` (glob) or a file. */
export function inScope(scope: string, path: string): boolean {
  if (scope.endsWith('/')) return path.startsWith(scope);
  if (!scope.includes('*')) return path === scope;
  const pattern = scope.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '[^/]*');
  return new RegExp(`^${pattern}$`).test(path);
}

function inAnyScope(scopes: readonly string[], path: string): boolean {
  return scopes.some((scope) => inScope(scope, path));
}

function matchesPackage(pattern: string, name: string): boolean {
  return pattern.endsWith('/*') ? name.startsWith(pattern.slice(0, -1)) : name === pattern;
}

/** Whether one edge breaks one rule. */
export function breaks(rule: ImportRule, edge: CheckedEdge): boolean {
  const { from, to, packageName } = edge;
  switch (rule.kind) {
    case 'forbid':
      return (
        to !== undefined &&
        inAnyScope(rule.from, from) &&
        inAnyScope(rule.to, to) &&
        !inAnyScope(rule.except ?? [], to)
      );
    case 'isolate': {
      // The first sub-folder of `folder` a path lies in; undefined for files directly in it.
      const subfolderOf = (path: string) =>
        path.startsWith(rule.folder) ? path.slice(rule.folder.length).split('/').slice(0, -1)[0] : undefined;
      const source = subfolderOf(from);
      const target = to === undefined ? undefined : subfolderOf(to);
      return source !== undefined && target !== undefined && source !== target;
    }
    case 'confine':
      return (
        packageName !== undefined &&
        rule.packages.some((pattern) => matchesPackage(pattern, packageName)) &&
        !inAnyScope([...rule.onlyIn, ...(rule.alsoIn?.scopes ?? [])], from)
      );
    case 'leaf':
      return inAnyScope(rule.files, from) && !packageName?.startsWith('node:');
    case 'alias-across-folders':
      return to !== undefined && (edge.specifier ?? '').startsWith('.') && topFolder(from) !== topFolder(to);
  }
}

/** Every breach of the rules in a graph, rule by rule, edges in graph order. */
export function findBreaches(rules: readonly ImportRule[], edges: readonly CheckedEdge[]): ImportBreach[] {
  return rules.flatMap((rule) =>
    edges
      .filter((edge) => breaks(rule, edge))
      .map((edge) => ({
        ruleId: rule.id,
        edge: {
          from: edge.from,
          specifier: edge.specifier ?? edge.to ?? edge.packageName ?? '?',
          line: edge.line ?? 0,
          ...(edge.to === undefined ? {} : { to: edge.to }),
          ...(edge.packageName === undefined ? {} : { packageName: edge.packageName }),
        },
      })),
  );
}

/** A report of one rule's breaches: the rule, then `file:line imports 'specifier' (→ target)` per breach. */
export function formatBreaches(rule: ImportRule, breaches: readonly ImportBreach[]): string {
  const lines = breaches
    .filter((breach) => breach.ruleId === rule.id)
    .map(({ edge }) => {
      const target = edge.to ?? edge.packageName;
      const resolved = target === undefined || target === edge.specifier ? '' : ` (→ ${target})`;
      return `  ${edge.from}:${edge.line} imports '${edge.specifier}'${resolved}`;
    });
  return lines.length === 0 ? '' : `${rule.id}: ${rule.rule}\n${lines.join('\n')}`;
}
