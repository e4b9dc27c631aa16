import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IssuerServer, startIssuerServer } from '#local/issuer-server.ts';
import { createClusterModel } from '#local/openshift-sim/cluster-model.ts';
import { createSimulatedClusterSigner } from '#local/openshift-sim/simulated-cluster-signer.ts';
import { createLocalHomePorts } from '#shared/adapters/local/index.ts';
import { createManualClock } from '#shared/adapters/memory/index.ts';
import { findInvariantViolations } from '#shared/keyring/invariants.ts';
import { encodePrivateKeyPem, type PrivateSigningKey } from '#shared/keys/index.ts';
import { initIssuer, maintainIssuer } from '#shared/rotation/index.ts';
import { callRotationStep, driveRotationTasks } from '#test/shared/rotation/drive-rotation.ts';

let home: string;
let server: IssuerServer;
const privateKeys: PrivateSigningKey[] = [];

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'keyturn-local-rotation-'));
  server = await startIssuerServer({ root: join(home, 'public') });
});

afterAll(async () => {
  await server.close();
  await rm(home, { recursive: true, force: true });
});

/** Every file under a directory, recursively. */
async function listFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

describe('a rotation on the local backends (sealed files, CAS JSON store, served directory, audit log)', () => {
  it('rotates through every step, publishes over HTTP, and never writes a private key in the clear (SEALED)', async () => {
    // Prepare: an issuer served by the local issuer server, a simulated cluster installed with its key.
    const issuerUrl = `${server.url}/demo`;
    const clock = createManualClock(new Date());
    const base = createLocalHomePorts({ home, clock, actor: 'test' });
    const init = await initIssuer(base, {
      issuerUrl,
      policy: { keyBits: 2048, leadTimeSeconds: 60, stablePeriodSeconds: 10 },
    });
    const initialKey = await base.vault.open(`${init.issuerId}/initial`);
    privateKeys.push(initialKey);
    const model = createClusterModel({
      issuerUrl,
      initialKey,
      clock,
      nodeRolloutSeconds: 1,
      sleep: async () => {},
    });
    const ports = { ...base, cluster: createSimulatedClusterSigner(model) };
    const request = { issuerId: init.issuerId, rotationId: 'local-1', mode: 'manual' } as const;

    // Act: the workflow's order, with the clock moved instead of waiting.
    const results = await driveRotationTasks({
      run: (task) => callRotationStep(task, ports, request),
      clock,
      maxPolls: 100,
    });
    const kid = results.generate?.kid;
    privateKeys.push(await ports.vault.open(`${init.issuerId}/local-1`));
    const maintained = await maintainIssuer(ports, { issuerId: init.issuerId });

    // Assess: the outcome, over HTTP, and the invariants.
    const served = (await (await fetch(`${issuerUrl}/keys.json`)).json()) as { keys: { kid: string }[] };
    expect(served.keys.map((key) => key.kid)).toEqual([init.kid, kid]);
    const stored = await ports.store.read(init.issuerId);
    expect(stored?.keyring.keys.map((key) => key.state)).toEqual(['retired', 'active']);
    expect(maintained.republished).toBe(false);
    expect(
      findInvariantViolations({
        keyring: stored?.keyring ?? ({} as never),
        publicKids: served.keys.map((key) => key.kid),
        now: clock.now(),
      }),
    ).toEqual([]);

    // Assess SEALED: no file in the home holds a private key in a readable form.
    // The private members only (the first PEM lines of a PKCS#1 key encode the public modulus).
    const secrets = privateKeys.flatMap((key) => {
      const jwk = key.key.export({ format: 'jwk' });
      const privateMembers = [jwk.d, jwk.p, jwk.q, jwk.dp, jwk.dq, jwk.qi].map(String);
      const pemTail = encodePrivateKeyPem(key).trim().split('\n').slice(-12, -1);
      return [...privateMembers.map((value) => value.slice(0, 48)), ...pemTail];
    });
    for (const file of await listFiles(home)) {
      const content = await readFile(file, 'latin1');
      expect(content, file).not.toContain('PRIVATE KEY');
      for (const secret of secrets)
        expect(content.includes(secret), `${file} holds key material`).toBe(false);
    }
    const audit = await readFile(join(home, 'audit', 'demo.jsonl'), 'utf8');
    expect(
      audit
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).step),
    ).toEqual([
      'init',
      'prepare',
      'generate',
      'publish',
      'confirm-visible',
      'push',
      'await-stability',
      'await-stability',
      'verify',
      'activate',
    ]);
  });
});
