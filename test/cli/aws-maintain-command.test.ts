import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MaintainResult } from '#shared/rotation/index.ts';
import { maintenanceRun, NOTHING_TO_DO } from '#test/fakes/aws/maintenance-history.ts';
import { type AwsWorld, createAwsWorld, STACK } from './aws-world.ts';
import { makeTempDirectory, runKeyturn } from './run-keyturn.ts';

const RETIRED: MaintainResult = {
  removed: ['old-kid'],
  held: [],
  destroyed: ['old-kid'],
  republished: true,
  publicJwksReachable: true,
  drift: { unpublishedTrustedKids: [], removedTrustedKids: ['older-kid'] },
};

/** The operator signs with a key of its own (the next secret was deleted): real drift. */
const DRIFTED: MaintainResult = {
  ...NOTHING_TO_DO,
  drift: {
    unpublishedSigningKid: 'operator-kid',
    unpublishedTrustedKids: ['operator-kid'],
    removedTrustedKids: [],
  },
};

/** The same issuer after `--publish-drift`: the operator's key published, no drift left. */
const REPAIRED: MaintainResult = {
  ...NOTHING_TO_DO,
  republished: true,
  adoptedKid: 'operator-kid',
  drift: { unpublishedTrustedKids: [], removedTrustedKids: [] },
};

describe('keyturn maintain --aws', () => {
  let world: AwsWorld;
  let directory: { path: string; remove: () => Promise<void> };

  /** Runs `keyturn maintain ...`; each poll advances the scripted maintenance by one issuer. */
  const maintain = (args: readonly string[], options: Partial<Parameters<typeof runKeyturn>[1]> = {}) =>
    runKeyturn(['maintain', ...args], {
      cwd: directory.path,
      sleep: async () => {
        world.sfn.advance();
      },
      ...options,
    });
  const started = () =>
    world.sfn.calls
      .filter((call) => call.command === 'StartExecutionCommand')
      .map((call) => ({ name: call.input.name, input: JSON.parse(String(call.input.input)) }));

  beforeEach(async () => {
    world = createAwsWorld({ maxHistoryPage: 3 });
    world.addIssuers('prod-a', 'prod-b');
    directory = await makeTempDirectory();
  });
  afterEach(async () => {
    world.restore();
    await directory.remove();
  });

  it('maintains every issuer of the state bucket and reports each in the words of maintain --local', async () => {
    // Prepare
    world.sfn.setScript(world.maintenanceStateMachineArn, maintenanceRun({ 'prod-a': RETIRED }));

    // Act
    const run = await maintain(['--aws']);

    // Assess
    expect(run.code, run.err).toBe(0);
    expect(started()).toEqual([
      {
        name: expect.stringMatching(/^maintain--\d{8}-\d{6}-[0-9a-f]{6}$/),
        input: { issuerIds: ['prod-a', 'prod-b'] },
      },
    ]);
    expect(run.err).toContain('Started maintenance ');
    expect(run.err).toContain(' of 2 issuers (prod-a, prod-b)');
    expect(run.err.split('\n').filter((line) => line.includes('maintenance: '))).toEqual([
      '  maintenance: 1/2 issuers done',
      '  maintenance: 2/2 issuers done',
    ]);
    expect(run.out).toBe(
      'Issuer prod-a:\n' +
        '  removed from keys.json: old-kid\n' +
        '  private keys destroyed: old-kid\n' +
        '  keys.json republished: yes\n' +
        '  public keys.json reachable: yes\n' +
        '  drift: none (the cluster signs with a published key)\n' +
        '  trusted, removed by keyturn (expected: OpenShift never drops a public key): older-kid\n' +
        'Issuer prod-b:\n' +
        '  removed from keys.json: none\n' +
        '  private keys destroyed: none\n' +
        '  keys.json republished: no\n' +
        '  public keys.json reachable: yes\n' +
        '  drift: none (the cluster signs and trusts only published keys)\n',
    );
  });

  it('rejects drift with exit 1 (ERR_DRIFT) naming keyturn maintain --aws --publish-drift (RECOVERABLE)', async () => {
    // Prepare: prod-a's cluster signs with a key the operator made itself.
    world.sfn.setScript(world.maintenanceStateMachineArn, maintenanceRun({ 'prod-a': DRIFTED }));

    // Act
    const run = await maintain(['--aws']);

    // Assess
    expect(run.code).toBe(1);
    expect(run.out).toContain(
      '  drift: the cluster signs with operator-kid, which keys.json lacks (STS rejects its tokens); ' +
        'trusted, never published by keyturn: operator-kid\n' +
        '  repair: keyturn maintain --aws --publish-drift (publishes the key the cluster signs with)\n',
    );
    expect(run.err).toContain('keyturn maintain --aws --publish-drift');
    expect(started()[0]?.input).toEqual({ issuerIds: ['prod-a', 'prod-b'] });
  });

  it('passes --publish-drift to the workflow and exits 0 once the cluster key is published (RECOVERABLE)', async () => {
    world.sfn.setScript(world.maintenanceStateMachineArn, maintenanceRun({ 'prod-a': REPAIRED }));

    const run = await maintain(['--aws', '--publish-drift']);

    expect(run.code, run.err).toBe(0);
    expect(started()[0]?.input).toEqual({ issuerIds: ['prod-a', 'prod-b'], publishDrift: true });
    expect(run.out).toContain("  published the cluster's signing key: operator-kid (drift repaired)\n");
    expect(run.out).not.toContain('repair:');
  });

  it('rejects with exit 1 when one issuer failed, naming it and its error, after reporting the others', async () => {
    world.sfn.setScript(
      world.maintenanceStateMachineArn,
      maintenanceRun({
        'prod-a': { error: 'KeyringFormatError', message: 'keyrings/prod-a.json: not a keyring' },
        'prod-b': { ...NOTHING_TO_DO, publicJwksReachable: false, publicJwksError: 'ERR_ISSUER_FETCH' },
      }),
    );

    const run = await maintain(['--aws']);

    expect(run.code).toBe(1);
    expect(run.out).toContain(
      'Issuer prod-a: FAILED with KeyringFormatError (keyrings/prod-a.json: not a keyring)\n',
    );
    expect(run.out).toContain(
      '  public keys.json reachable: no (ERR_ISSUER_FETCH): relying parties cannot fetch it\n',
    );
    expect(run.err).toContain(
      'keyturn: maintenance failed for prod-a (see above); the other issuers were maintained. Execution: arn:aws:states:eu-west-1:111122223333:execution:KeyturnMaintenance:maintain--',
    );
    expect(run.out + run.err).not.toMatch(/at handler|index\.mjs/);
  });

  it('maintains only the issuers named (--issuer, repeatable); --stack implies --aws', async () => {
    world.addIssuers('prod-c');
    world.sfn.setScript(world.maintenanceStateMachineArn, maintenanceRun());

    const run = await maintain(['--issuer', 'prod-c', '--issuer', 'prod-a', '--stack', STACK.name]);

    expect(run.code, run.err).toBe(0);
    expect(started()[0]?.input).toEqual({ issuerIds: ['prod-c', 'prod-a'] });
    expect(run.out.match(/^Issuer /gm)).toHaveLength(2);
  });

  it('rejects with exit 1 naming the error when the workflow itself fails', async () => {
    world.sfn.setScript(world.maintenanceStateMachineArn, [
      [{ type: 'ExecutionTimedOut', details: { error: 'States.Timeout', cause: 'The execution timed out' } }],
    ]);

    const run = await maintain(['--aws']);

    expect(run.code).toBe(1);
    expect(run.err).toMatch(
      /keyturn: maintenance \S+ timed out with States\.Timeout: The execution timed out\./,
    );
  });

  it('stops following on Ctrl-C (exit 130); the maintenance goes on', async () => {
    world.sfn.setScript(world.maintenanceStateMachineArn, maintenanceRun());

    const run = await maintain(['--aws'], { untilStopped: async () => {} });

    expect(run.code).toBe(130);
    expect(run.err).toContain('stopped following; maintenance ');
    expect(world.sfn.executions[0]?.status).toBe('RUNNING');
  });

  it('rejects with exit 3 before starting anything when an issuer named has no keyring', async () => {
    const run = await maintain(['--aws', '--issuer', 'prod-z']);

    expect(run.code).toBe(3);
    expect(run.err).toContain(`keyturn: no issuer prod-z in s3://${STACK.stateBucket}/keyrings/`);
    expect(started()).toEqual([]);
  });

  it.each([
    [['--aws', '--local'], 'do not mix'],
    [['--local', '--region', 'eu-west-1'], 'do not mix'],
    [['--aws', '--kubeconfig', 'k.yaml'], '--kubeconfig: they need --local'],
    [['--aws', '--home', '.keyturn'], '--home: they need --local'],
    [['--aws', '--issuer', 'Prod_A'], 'is not an issuer id'],
    [['--local', '--issuer', 'a', '--issuer', 'b'], '--local maintains one issuer'],
    [[], 'say where to maintain: --local'],
  ])('rejects %j with exit 2 before calling AWS', async (args, message) => {
    const run = await maintain(args);

    expect(run.code).toBe(2);
    expect(run.err).toContain(message);
    expect(world.cloudFormation.calls).toEqual([]);
  });
});
