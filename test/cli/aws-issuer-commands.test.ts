import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseDiscovery } from '#shared/issuer/discovery.ts';
import { parseKeySet } from '#shared/issuer/key-set.ts';
import { parseKeyring } from '#shared/keyring/keyring.ts';
import { parsePublicKey } from '#shared/keys/index.ts';
import { readKeyFixture } from '#test/fixtures/keys.ts';
import { type AwsWorld, createAwsWorld, STACK } from './aws-world.ts';
import { makeTempDirectory, runKeyturn } from './run-keyturn.ts';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'keys');
const ISSUER = `${STACK.issuerBaseUrl}/demo`;
/** The issuer a ccoctl install created: its own bucket, served by S3 under the bucket's URL. */
const CCOCTL = { bucket: 'demo-oidc', url: 'https://demo-oidc.s3.eu-west-1.amazonaws.com' } as const;

describe('keyturn init --aws and status --aws', () => {
  let world: AwsWorld;
  let directory: { path: string; remove: () => Promise<void> };
  const keyturn = (args: readonly string[]) => runKeyturn(args, { cwd: directory.path });
  const init = (...extra: string[]) =>
    keyturn(['init', '--aws', '--issuer-id', 'demo', '--bits', '2048', ...extra]);
  const text = (bucket: string, key: string) => world.s3.getObject(bucket, key)?.body.toString('utf8') ?? '';

  beforeEach(async () => {
    world = createAwsWorld();
    directory = await makeTempDirectory();
  });
  afterEach(async () => {
    world.restore();
    await directory.remove();
  });

  it('creates the issuer in the stack: a KMS key sealed in Secrets Manager, the keyring, the documents', async () => {
    // Act
    const run = await init();

    // Assess
    expect(run.code, run.err).toBe(0);
    const keyring = parseKeyring(text(STACK.stateBucket, 'keyrings/demo.json'), 'state bucket');
    const [key] = keyring.keys;
    expect(keyring).toMatchObject({ issuerId: 'demo', issuerUrl: ISSUER });
    expect(key).toMatchObject({
      state: 'active',
      origin: 'generated',
      vaultRef: 'keyturn/demo/initial',
      bits: 2048,
    });
    expect(world.secretsManager.secret('keyturn/demo/initial')?.kmsKeyId).toBe(world.outputs.SigningKeyArn);
    expect(parseKeySet(text(STACK.issuerBucket, 'demo/keys.json')).keys.map((jwk) => jwk.kid)).toEqual([
      key?.kid,
    ]);
    expect(
      parseDiscovery(text(STACK.issuerBucket, 'demo/.well-known/openid-configuration'), ISSUER).issuer,
    ).toBe(ISSUER);
    expect(world.cloudFront.invalidations.map((invalidation) => invalidation.paths)).toEqual([
      ['/demo/keys.json', '/demo/.well-known/openid-configuration'],
    ]);
    expect(run.out).toContain(`Created issuer demo at ${ISSUER}`);
    expect(run.out).toContain(`active key: ${key?.kid} (generated)`);
    expect(run.out).toContain(
      `Secrets Manager secret keyturn/demo/initial, encrypted with ${world.outputs.SigningKeyArn}`,
    );
    expect(run.err).toMatch(/^audit \{.*"step":"init".*"outcome":"ok"/m);
  });

  it('adopts a ccoctl private key (SEALED: it appears in no output)', async () => {
    // Prepare
    const pem = readKeyFixture('rsa2048.private');
    const body = pem.split('\n').filter((line) => line !== '' && !line.startsWith('-----'));

    // Act
    const run = await init('--adopt', join(fixtures, 'rsa2048.private'));

    // Assess
    expect(run.code, run.err).toBe(0);
    const kid = parsePublicKey(readKeyFixture('rsa2048.public')).kid;
    expect(run.out).toContain(`active key: ${kid} (adopted)`);
    const printed = run.out + run.err;
    expect(printed).not.toContain('PRIVATE KEY');
    for (const line of body) expect(printed).not.toContain(line);
    expect(JSON.stringify(world.s3.calls) + JSON.stringify(world.secretsManager.calls)).not.toContain(
      body[1],
    );
  });

  it('publishes an issuer migrated in place to its own bucket, at the URL clusters already use', async () => {
    // Prepare: ccoctl's bucket with its keys.json, tagged as ccoctl tags it.
    world.s3.createBucket(CCOCTL.bucket);
    const tags = { 'openshift.io/cloud-credential-operator/demo': 'owned' };
    world.s3.putObject(CCOCTL.bucket, 'keys.json', '{"keys":[]}', { contentType: 'application/json', tags });

    // Act
    const run = await init(
      '--adopt',
      join(fixtures, 'rsa2048.private'),
      '--issuer-url',
      CCOCTL.url,
      '--issuer-bucket',
      CCOCTL.bucket,
      '--distribution-id',
      'E3CCOCTLDIST',
    );

    // Assess
    expect(run.code, run.err).toBe(0);
    const kid = parsePublicKey(readKeyFixture('rsa2048.public')).kid;
    expect(parseKeySet(text(CCOCTL.bucket, 'keys.json')).keys.map((jwk) => jwk.kid)).toEqual([kid]);
    expect(world.s3.getObject(CCOCTL.bucket, 'keys.json')?.tags).toEqual(tags);
    expect(parseDiscovery(text(CCOCTL.bucket, '.well-known/openid-configuration'), CCOCTL.url).issuer).toBe(
      CCOCTL.url,
    );
    expect(world.s3.getObject(STACK.issuerBucket, 'keys.json')).toBeUndefined();
    expect(world.cloudFront.invalidations[0]?.distributionId).toBe('E3CCOCTLDIST');
    expect(parseKeyring(text(STACK.stateBucket, 'keyrings/demo.json'), 'state').issuerUrl).toBe(CCOCTL.url);
    expect(run.out).toContain('once keyturn.config.json lists issuer demo with this existingIssuer');
  });

  it('rejects with exit 1 an issuer URL the stack does not serve, and writes nothing', async () => {
    const run = await init('--issuer-url', 'https://oidc.elsewhere.example/demo');

    expect(run.code).toBe(1);
    expect(run.err).toContain(`is not under ${STACK.issuerBaseUrl}`);
    expect(world.s3.getObject(STACK.stateBucket, 'keyrings/demo.json')).toBeUndefined();
    expect(world.kms.calls).toEqual([]);
  });

  it('rejects with exit 1 an issuer that already exists, and leaves it as it was', async () => {
    await init();
    const before = text(STACK.stateBucket, 'keyrings/demo.json');

    const again = await init();

    expect(again.code).toBe(1);
    expect(again.err).toContain('already');
    expect(text(STACK.stateBucket, 'keyrings/demo.json')).toBe(before);
  });

  it('refuses (exit 1) a URL path another issuer of the bucket publishes, before writing anything', async () => {
    // Prepare
    await init();
    const before = text(STACK.issuerBucket, 'demo/keys.json');
    // Reading the other keyrings verifies their MACs (VerifyMac); nothing may generate a key or a MAC.
    const writingCalls = () => world.kms.calls.filter((call) => call.command !== 'VerifyMacCommand').length;
    const kmsCalls = writingCalls();

    // Act
    const other = await keyturn(['init', '--aws', '--issuer-id', 'other', '--issuer-url', ISSUER]);

    // Assess
    expect(other.code).toBe(1);
    expect(other.err).toContain(
      `issuer demo already publishes ${ISSUER} at s3://${STACK.issuerBucket}/demo/`,
    );
    expect(text(STACK.issuerBucket, 'demo/keys.json')).toBe(before);
    expect(world.s3.getObject(STACK.stateBucket, 'keyrings/other.json')).toBeUndefined();
    expect(writingCalls()).toBe(kmsCalls);
  });

  it('refuses a second issuer migrated in place to the same bucket root', async () => {
    // Prepare
    world.s3.createBucket(CCOCTL.bucket);
    const migrate = (id: string) =>
      keyturn([
        'init',
        '--aws',
        '--issuer-id',
        id,
        '--bits',
        '2048',
        '--issuer-url',
        CCOCTL.url,
        '--issuer-bucket',
        CCOCTL.bucket,
      ]);
    expect((await migrate('demo')).code).toBe(0);

    // Act
    const other = await migrate('other');

    // Assess
    expect(other.code).toBe(1);
    expect(other.err).toContain(`at s3://${CCOCTL.bucket}/`);
    expect(world.s3.getObject(STACK.stateBucket, 'keyrings/other.json')).toBeUndefined();
  });

  it.each([
    [['init', '--issuer-id', 'demo'], 'choose --local (the keyturn home) or --aws'],
    [['init', '--aws'], "required option '--issuer-id <id>' not specified"],
    [['init', '--aws', '--issuer-id', 'Demo'], 'expected an issuer id'],
    [['init', '--aws', '--issuer-id', 'demo', '--home', 'h'], '--home: not with --aws'],
    [['init', '--aws', '--issuer-id', 'demo', '--issuer-bucket', 'b'], '--issuer-bucket needs --issuer-url'],
    [
      ['init', '--aws', '--issuer-id', 'demo', '--distribution-id', 'E1'],
      '--distribution-id goes with --issuer-bucket',
    ],
    [['init', '--local', '--issuer-id', 'demo'], '--issuer-id: not with --local'],
    [['status', '--aws', '--home', 'h'], '--home is for the local keyturn home'],
  ])('rejects %j with exit 2 before calling AWS', async (args, message) => {
    const run = await keyturn(args);

    expect(run.code).toBe(2);
    expect(run.err).toContain(message);
    expect(world.cloudFormation.calls).toEqual([]);
  });

  it('prints the keyring from the state bucket as the local status does', async () => {
    // Prepare
    await init('--lead-time', '5m', '--grace', '2d');

    // Act
    const run = await keyturn(['status', '--aws', '--issuer', 'demo']);

    // Assess
    expect(run.code, run.err).toBe(0);
    expect(run.out).toContain(`issuer demo  ${ISSUER}`);
    expect(run.out).toContain('lead time 5m, grace 2d');
    expect(run.out).toMatch(/KID\s+STATE\s+AGE\s+REMOVES AT/);
    expect(run.out).toMatch(/\bactive\s+\d+s\s+-/);
  });

  it('lists every issuer of the state bucket when --stack names the deployment and no issuer is given', async () => {
    await init();
    await keyturn(['init', '--aws', '--issuer-id', 'other', '--bits', '2048']);

    const run = await keyturn(['status', '--stack', 'Keyturn']);

    expect(run.code, run.err).toBe(0);
    expect(run.out).toContain(`issuer demo  ${ISSUER}`);
    expect(run.out).toContain(`issuer other  ${STACK.issuerBaseUrl}/other`);
  });

  it('says how to create the first issuer, and names an unknown one, in the state bucket', async () => {
    const empty = await keyturn(['status', '--aws']);
    const unknown = await keyturn(['status', '--aws', '--issuer', 'nope']);

    expect(empty.out).toContain(`No issuer in s3://${STACK.stateBucket}/keyrings/`);
    expect(empty.out).toContain('keyturn init --aws --issuer-id ID');
    expect(unknown.out).toContain(`issuer nope: not found in s3://${STACK.stateBucket}/keyrings/`);
  });

  it('rejects status --aws with exit 3 when the stack is not deployed', async () => {
    world.cloudFormation.deleteStack('Keyturn');

    const run = await keyturn(['status', '--aws']);

    expect(run.code).toBe(3);
    expect(run.err).toContain('deploy keyturn with npx cdk deploy');
  });
});
