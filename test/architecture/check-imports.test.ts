import { describe, expect, it } from 'vitest';
import { IMPORT_RULES, type ImportRule } from './architecture-rules.ts';
import { type CheckedEdge, findBreaches, formatBreaches, inScope } from './check-imports.ts';

function ruleOf(id: string): ImportRule {
  return IMPORT_RULES.find((rule) => rule.id === id) ?? expect.fail(`no rule ${id}`);
}

/** Per rule: an import it must report, and a near miss it must let pass. */
const CASES: readonly (readonly [string, CheckedEdge, CheckedEdge])[] = [
  [
    'shared-is-the-core',
    { from: 'shared/keys/x.ts', to: 'cli/main.ts' },
    { from: 'cli/x.ts', to: 'shared/y.ts' },
  ],
  [
    'domain-without-adapters',
    { from: 'shared/ports.ts', to: 'shared/adapters/local/index.ts' },
    { from: 'shared/adapters/local/index.ts', to: 'shared/ports.ts' },
  ],
  [
    'adapters-apart',
    { from: 'shared/adapters/aws/aws-vault.ts', to: 'shared/adapters/local/errors.ts' },
    { from: 'shared/adapters/aws/aws-vault.ts', to: 'shared/adapters/aws/clients.ts' },
  ],
  [
    'local-without-cli',
    { from: 'local/quickstart.ts', to: 'cli/commands/status.ts' },
    { from: 'cli/quickstart.ts', to: 'local/local-rotation.ts' },
  ],
  [
    'handlers-stay-lambda',
    { from: 'functions/handlers/push.ts', to: 'local/local-session.ts' },
    { from: 'local/local-session.ts', to: 'functions/task-handlers.ts' },
  ],
  [
    'local-takes-only-workflows-from-infra',
    { from: 'local/workflow/runner.ts', to: 'infra/constructs/rotation-workflows.ts' },
    { from: 'local/workflow/runner.ts', to: 'infra/workflows/index.ts' },
  ],
  [
    'workflow-files-are-a-leaf',
    { from: 'infra/workflows/index.ts', packageName: 'aws-cdk-lib' },
    { from: 'infra/workflows/index.ts', packageName: 'node:fs' },
  ],
  [
    'product-without-tests',
    { from: 'cli/main.ts', to: 'test/fixtures/keys.ts' },
    { from: 'test/cli/x.test.ts', to: 'cli/main.ts' },
  ],
  [
    'aws-sdk-in-aws-adapter',
    { from: 'functions/handlers/push.ts', packageName: '@aws-sdk/client-kms' },
    { from: 'test/fakes/aws/s3.ts', packageName: '@aws-sdk/client-s3' },
  ],
  [
    'kubernetes-client-in-openshift-adapter',
    { from: 'local/openshift-sim/index.ts', packageName: '@kubernetes/client-node' },
    { from: 'shared/adapters/openshift/openshift-api.ts', packageName: '@kubernetes/client-node' },
  ],
  [
    'jose-in-tokens',
    { from: 'shared/keys/jwk.ts', packageName: 'jose' },
    { from: 'shared/tokens/verify-token.ts', packageName: 'jose' },
  ],
  [
    'cdk-in-infra',
    { from: 'shared/rotation/push.ts', packageName: 'aws-cdk-lib' },
    { from: 'infra/app.ts', packageName: 'aws-cdk-lib' },
  ],
  [
    'aliases-across-folders',
    {
      from: 'local/workflow/runner.ts',
      specifier: '../../functions/task-handlers.ts',
      to: 'functions/task-handlers.ts',
    },
    {
      from: 'local/workflow/runner.ts',
      specifier: '#functions/task-handlers.ts',
      to: 'functions/task-handlers.ts',
    },
  ],
];

describe('findBreaches', () => {
  it('has a case for every rule', () => {
    expect(CASES.map(([id]) => id)).toEqual(IMPORT_RULES.map((rule) => rule.id));
  });

  it.each(CASES)('reports a breach of %s, and not its near miss', (id, wrong, right) => {
    // Act
    const breaches = findBreaches([ruleOf(id)], [wrong, right]);

    // Assess
    expect(breaches.map((breach) => breach.edge.from)).toEqual([wrong.from]);
  });

  it('names the rule, the file, the line and the specifier of a deliberately wrong import', () => {
    // Prepare
    const edges: CheckedEdge[] = [
      { from: 'shared/keys/x.ts', specifier: '#cli/main.ts', line: 3, to: 'cli/main.ts' },
      { from: 'shared/keys/y.ts', specifier: '../../local/z.ts', line: 7, to: 'local/z.ts' },
    ];
    const rule = ruleOf('shared-is-the-core');

    // Act
    const report = formatBreaches(rule, findBreaches(IMPORT_RULES, edges));

    // Assess
    expect(report).toBe(
      `shared-is-the-core: ${rule.rule}\n` +
        "  shared/keys/x.ts:3 imports '#cli/main.ts' (→ cli/main.ts)\n" +
        "  shared/keys/y.ts:7 imports '../../local/z.ts' (→ local/z.ts)",
    );
  });

  it('reports nothing for a clean graph', () => {
    // Act
    const breaches = findBreaches(IMPORT_RULES, [
      { from: 'cli/main.ts', specifier: '#shared/ports.ts', to: 'shared/ports.ts' },
      { from: 'shared/tokens/verify-token.ts', specifier: 'jose', packageName: 'jose' },
    ]);

    // Assess
    expect(breaches).toEqual([]);
    expect(IMPORT_RULES.map((rule) => formatBreaches(rule, breaches)).join('')).toBe('');
  });
});

describe('inScope', () => {
  it.each([
    ['shared/', 'shared/keys/kid.ts', true],
    ['shared/', 'shared.ts', false],
    ['shared/*.ts', 'shared/ports.ts', true],
    ['shared/*.ts', 'shared/keys/kid.ts', false],
    ['infra/workflows/index.ts', 'infra/workflows/index.ts', true],
    ['infra/workflows/index.ts', 'infra/workflows/index.tsx', false],
  ])('puts %s around %s: %s', (scope, path, expected) => {
    expect(inScope(scope, path)).toBe(expected);
  });
});
