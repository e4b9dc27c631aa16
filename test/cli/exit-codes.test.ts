import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { EXIT_CODE_OF, ExitCode, exitCodeFor } from '#cli/exit-codes.ts';
import { LocalRotationInterruptedError } from '#local/local-resume.ts';
import { WorkflowBindingError, WorkflowFailedError } from '#local/workflow/local-workflow-runner.ts';
import { ClusterApiCallError } from '#shared/port-errors.ts';
import { RotationRequestError } from '#shared/rotation/errors.ts';

const PRODUCT = ['shared', 'functions', 'infra', 'cli', 'local'];
/** Codes in the sources that are Node's, not keyturn's (recognised on Node's own errors). */
const NOT_KEYTURN_CODES = new Set([
  'ERR_PROXY_CONNECTION_FAILED',
  'ERR_TUNNEL_CONNECTION_FAILED',
  'ERR_MISSING_PASSPHRASE',
]);

async function sourceFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('exitCodeFor', () => {
  it('maps every error code written in the sources to a documented exit code', async () => {
    // Prepare
    const codes = new Set<string>();
    for (const folder of PRODUCT) {
      for (const file of await sourceFiles(folder)) {
        for (const match of (await readFile(file, 'utf8')).matchAll(/'(ERR_[A-Z0-9_]+)'/g)) {
          if (match[1] !== undefined && !NOT_KEYTURN_CODES.has(match[1])) codes.add(match[1]);
        }
      }
    }

    // Act
    const unmapped = [...codes].filter((code) => !Object.hasOwn(EXIT_CODE_OF, code));

    // Assess
    expect(codes.size).toBeGreaterThan(100);
    expect(unmapped).toEqual([]);
    const documented = new Set<number>([
      ExitCode.rejected,
      ExitCode.environment,
      ExitCode.internal,
      ExitCode.interrupted,
    ]);
    for (const exit of Object.values(EXIT_CODE_OF)) expect(documented.has(exit)).toBe(true);
  });

  it('keeps 70 for errors that are not keyturn errors, and for the runner refusing a definition', () => {
    expect(exitCodeFor(new TypeError('bug'))).toBe(70);
    expect(exitCodeFor('thrown string')).toBe(70);
    expect(exitCodeFor(new WorkflowBindingError('Task state X has no handler'))).toBe(70);
  });

  it('maps usage, interruption and the documented environment codes', () => {
    expect(exitCodeFor(new CommanderError(1, 'commander.unknownOption', 'unknown option'))).toBe(2);
    expect(exitCodeFor(new CommanderError(0, 'commander.helpDisplayed', ''))).toBe(0);
    expect(exitCodeFor(new LocalRotationInterruptedError('ERR_ROTATION_INTERRUPTED', 'stopped'))).toBe(130);
    for (const code of [
      'ERR_CLUSTER_UNAVAILABLE',
      'ERR_CLUSTER_TLS',
      'ERR_CLUSTER_UNAUTHORIZED',
      'ERR_CLUSTER_CONFIG',
      'ERR_AWS_UNREACHABLE',
      'ERR_PORT_BUSY',
      'ERR_CONFIG',
      'ERR_ROTATION_IN_PROGRESS',
    ] as const) {
      expect(EXIT_CODE_OF[code], code).toBe(3);
    }
    expect(EXIT_CODE_OF.ERR_DRIFT).toBe(1);
    expect(exitCodeFor(new RotationRequestError('ERR_ROTATION_REQUEST', 'no such kid'))).toBe(1);
  });

  it('exits as the keyturn error that failed a workflow state would', () => {
    // Prepare
    const down = new ClusterApiCallError('ERR_CLUSTER_UNAVAILABLE', 'cluster down', {
      method: 'GET',
      resource: 'secrets',
    });
    const rolledBack = (failedCode?: string) =>
      new WorkflowFailedError(
        {
          error: 'RotationRolledBack',
          state: 'RotationRolledBack',
          reason: { Error: 'ClusterApiCallError', Cause: 'cluster down' },
          ...(failedCode === undefined ? {} : { failedCode }),
        },
        down,
      );

    // Act
    const cases = [
      rolledBack('ERR_CLUSTER_UNAVAILABLE'),
      rolledBack('ERR_VERIFICATION_FAILED'),
      rolledBack(),
    ];

    // Assess
    expect(cases.map(exitCodeFor)).toEqual([3, 1, 1]);
    expect(cases[0]?.code).toBe('ERR_WORKFLOW_FAILED');
    expect(cases[0]?.message).toMatch(/run keyturn status/);
  });
});
