import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IMPORT_RULES } from './architecture-rules.ts';
import { findBreaches, formatBreaches } from './check-imports.ts';
import { buildImportGraph, listSourceFiles, REPO_ROOT, readRepoFile } from './import-graph.ts';
import { findModuleUrlPathnames, MODULE_PATH_RULE } from './module-paths.ts';

const edges = await buildImportGraph();

describe('the import graph', () => {
  it('resolves every relative and # import to a file of the repository', () => {
    // Prepare: guards the checker itself; a graph that lost its edges would pass every rule.
    const unresolved = edges
      .filter((edge) => edge.to !== undefined && !existsSync(join(REPO_ROOT, edge.to)))
      .map((edge) => `${edge.from}:${edge.line} imports '${edge.specifier}' (→ ${edge.to})`);

    // Assess
    expect(edges.length).toBeGreaterThan(1000);
    expect(unresolved.join('\n')).toBe('');
  });

  it.each(IMPORT_RULES.map((rule) => [rule.id, rule] as const))('keeps the rule %s', (_, rule) => {
    // Act
    const report = formatBreaches(rule, findBreaches([rule], edges));

    // Assess: the report names every breach with its file, line and specifier.
    expect(report).toBe('');
  });
});

describe(MODULE_PATH_RULE.id, () => {
  it('never reads .pathname of a URL made from import.meta.url', async () => {
    // Act
    const offenders: string[] = [];
    for (const file of await listSourceFiles()) {
      for (const line of findModuleUrlPathnames(await readRepoFile(file)))
        offenders.push(`  ${file}:${line}`);
    }

    // Assess
    const report = offenders.length === 0 ? '' : `${MODULE_PATH_RULE.rule}\n${offenders.join('\n')}`;
    expect(report).toBe('');
  });
});
