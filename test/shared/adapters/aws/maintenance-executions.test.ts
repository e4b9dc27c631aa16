import { SFNClient } from '@aws-sdk/client-sfn';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  followMaintenanceExecution,
  maintenanceOutcomesOf,
  startMaintenanceExecution,
} from '#shared/adapters/aws/maintenance-executions.ts';
import { createFakeSfn, type FakeSfn } from '#test/fakes/aws/fake-sfn.ts';
import { maintenanceRun, NOTHING_TO_DO } from '#test/fakes/aws/maintenance-history.ts';

const sfnSdk = new SFNClient({ region: 'eu-west-1', maxAttempts: 1 });

describe('the maintenance workflow in AWS', () => {
  let sfn: FakeSfn;
  let machine: string;

  beforeEach(() => {
    sfn = createFakeSfn({ maxResultsPerPage: 2 });
    sfn.install();
    machine = sfn.createStateMachine('KeyturnMaintenance');
  });
  afterEach(() => sfn.restore());

  it('starts maintain--<run id> for the issuers, reports each one done, and reads every outcome', async () => {
    // Prepare
    sfn.setScript(machine, maintenanceRun({ b: { error: 'KeyringFormatError', message: 'not a keyring' } }));
    const { executionArn } = await startMaintenanceExecution({
      stateMachineArn: machine,
      runId: 'm1',
      issuerIds: ['a', 'b'],
      sfn: sfnSdk,
    });
    const done: number[] = [];

    // Act
    const followed = await followMaintenanceExecution({
      executionArn,
      sfn: sfnSdk,
      onIssuerDone: (count) => done.push(count),
      sleep: async () => {
        sfn.advance();
      },
    });

    // Assess
    expect(executionArn).toBe(
      'arn:aws:states:eu-west-1:111122223333:execution:KeyturnMaintenance:maintain--m1',
    );
    expect(JSON.parse(sfn.executions[0]?.input ?? '')).toEqual({ issuerIds: ['a', 'b'] });
    expect(done).toEqual([1, 2]);
    if (followed.outcome !== 'ended') throw new Error('following stopped');
    expect(maintenanceOutcomesOf(followed.end.output, ['a', 'b'])).toEqual([
      { issuerId: 'a', maintain: NOTHING_TO_DO },
      // The Lambda error's Cause is JSON with a stack trace: only its message is kept.
      { issuerId: 'b', failed: true, error: 'KeyringFormatError', cause: 'not a keyring' },
    ]);
  });

  it('reports an item it cannot read as failed, and an output without results as no outcome', () => {
    const outcomes = maintenanceOutcomesOf(
      { results: [{ issuerId: 'a', maintain: { removed: 'x' } }, 7, { failed: true }] },
      ['a', 'b', 'c'],
    );

    expect(outcomes).toEqual([
      {
        issuerId: 'a',
        failed: true,
        error: 'MalformedResult',
        cause: 'the workflow output is not a maintain result',
      },
      {
        issuerId: 'b',
        failed: true,
        error: 'MalformedResult',
        cause: 'the workflow output is not a maintain result',
      },
      { issuerId: 'c', failed: true, error: 'Error', cause: undefined },
    ]);
    for (const output of [undefined, null, {}, { results: 'x' }]) {
      expect(maintenanceOutcomesOf(output, ['a'])).toEqual([]);
    }
  });
});
