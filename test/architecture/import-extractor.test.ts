import { describe, expect, it } from 'vitest';
import { extractImports, maskSource } from './import-extractor.ts';
import { edgesOf, resolveSpecifier } from './import-graph.ts';

const ALIASES = { '#shared/*': './shared/*', '#cli/*': './cli/*' };

/** One of each import form, and the look-alikes the extractor must skip. */
const SOURCE = `import fs from 'node:fs';
import type { Keyring } from "#shared/keyring/keyring.ts";
import {
  a,
  type B,
} from './multi-line.ts';
import * as ns from '../namespace.ts';
import def, { named } from 'jose';
import './side-effect.ts';
export { x } from './re-export.ts';
export type { Y } from './type-re-export.ts';
export * from './star.ts';
export * as all from '@aws-sdk/client-s3';
const lazy = await import('./dynamic.ts');
const later = () => import(\`./template.ts\`);
// import { commented } from './comment.ts';
/* import './block-comment.ts'; */
const banner = "import { createRequire } from 'node:module'; import('./in-string.ts')";
const computed = import(\`./\${name}.ts\`);
const variable = import(specifier);
const pattern = /import '[x]'/;
const url = new URL('.', import.meta.url);
const ratio = total / 2; const other = 'import("./after-division.ts")';
const nested = \`\${\`import('./nested-template.ts')\`}\`;
import last from './last.ts';
`;

describe('extractImports', () => {
  it('finds every static import, re-export, side-effect import and literal dynamic import, in order', () => {
    // Act
    const found = extractImports(SOURCE);

    // Assess
    expect(found.map(({ specifier, kind }) => [kind, specifier])).toEqual([
      ['import', 'node:fs'],
      ['import', '#shared/keyring/keyring.ts'],
      ['import', './multi-line.ts'],
      ['import', '../namespace.ts'],
      ['import', 'jose'],
      ['side-effect', './side-effect.ts'],
      ['export', './re-export.ts'],
      ['export', './type-re-export.ts'],
      ['export', './star.ts'],
      ['export', '@aws-sdk/client-s3'],
      ['dynamic', './dynamic.ts'],
      ['dynamic', './template.ts'],
      ['import', './last.ts'],
    ]);
  });

  it('reports the line of each specifier', () => {
    // Act
    const lines = Object.fromEntries(extractImports(SOURCE).map((found) => [found.specifier, found.line]));

    // Assess
    expect(lines['node:fs']).toBe(1);
    expect(lines['./multi-line.ts']).toBe(6);
    expect(lines['./last.ts']).toBe(SOURCE.split('\n').length - 1);
  });

  it('keeps offsets and line breaks when it blanks comments, strings and regular expressions', () => {
    // Act
    const masked = maskSource(SOURCE);

    // Assess
    expect(masked).toHaveLength(SOURCE.length);
    expect(masked.split('\n')).toHaveLength(SOURCE.split('\n').length);
    expect(masked).not.toContain('commented');
    expect(masked).not.toContain('createRequire');
    expect(masked).toContain('import.meta.url');
  });
});

describe('resolveSpecifier', () => {
  it.each([
    ['local/quickstart.ts', './local-rotation.ts', { to: 'local/local-rotation.ts' }],
    ['local/workflow/x.ts', '../../functions/task-handlers.ts', { to: 'functions/task-handlers.ts' }],
    ['local/quickstart.ts', '#cli/commands/status.ts', { to: 'cli/commands/status.ts' }],
    ['cli/x.ts', '#unknown/y.ts', { to: '#unknown/y.ts' }],
    ['shared/x.ts', '@aws-sdk/client-s3', { packageName: '@aws-sdk/client-s3' }],
    ['infra/x.ts', 'aws-cdk-lib/aws-iam', { packageName: 'aws-cdk-lib' }],
    ['shared/x.ts', 'node:fs/promises', { packageName: 'node:fs' }],
  ])('resolves %s importing %s', (from, specifier, expected) => {
    expect(resolveSpecifier(from, specifier, ALIASES)).toEqual(expected);
  });
});

describe('edgesOf', () => {
  it('makes one edge per import, resolved', () => {
    // Act
    const edges = edgesOf('shared/keys/x.ts', "import { y } from '#cli/main.ts';\n", ALIASES);

    // Assess
    expect(edges).toEqual([
      { from: 'shared/keys/x.ts', specifier: '#cli/main.ts', kind: 'import', line: 1, to: 'cli/main.ts' },
    ]);
  });
});
