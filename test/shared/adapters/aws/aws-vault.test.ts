import { createHash } from 'node:crypto';
import { inspect } from 'node:util';
import { DecryptCommand, EncryptCommand, GenerateDataKeyPairCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  RestoreSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  AwsAccessDeniedError,
  AwsKeyDisabledError,
  AwsThrottledError,
  AwsUnavailableError,
} from '#shared/adapters/aws/aws-errors.ts';
import { type AwsVaultOptions, createAwsVault } from '#shared/adapters/aws/aws-vault.ts';
import { clientRequestTokenOf } from '#shared/adapters/aws/aws-vault-secret.ts';
import {
  encodePrivateKeyPem,
  type PrivateSigningKey,
  parsePrivateKey,
  parsePublicKey,
} from '#shared/keys/index.ts';
import { type KeyVault, VaultError } from '#shared/ports.ts';
import { commandsInOrder } from '#test/fakes/aws/fake-aws.ts';
import { createFakeKms, type FakeKms, type FakeKmsKey } from '#test/fakes/aws/fake-kms.ts';
import {
  createFakeSecretsManager,
  type FakeSecretsManager,
  internalServiceError,
} from '#test/fakes/aws/fake-secrets-manager.ts';
import { readKeyFixture } from '#test/fixtures/keys.ts';
import { privateSecretsOf } from '../local/local-home.ts';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const DAY_MS = 86_400_000;

// maxAttempts 1: a real client would retry throttling with backoff (aws-sdk-client-mock replaces `send`,
// so it never does here, but the clients say what the tests mean).
const kmsSdk = new KMSClient({ region: 'eu-west-1', maxAttempts: 1 });
const secretsSdk = new SecretsManagerClient({ region: 'eu-west-1', maxAttempts: 1 });

let fixtureKey: PrivateSigningKey;
let otherKey: PrivateSigningKey;
let kms: FakeKms;
let secrets: FakeSecretsManager;
let cmk: FakeKmsKey;
let clock: { now: Date };
let stubs: { restore(): void }[];

beforeAll(() => {
  fixtureKey = parsePrivateKey(readKeyFixture('rsa2048.private'));
  otherKey = parsePrivateKey(readKeyFixture('other2048.private'));
});

beforeEach(() => {
  clock = { now: NOW };
  kms = createFakeKms();
  secrets = createFakeSecretsManager(kms, { now: () => clock.now });
  cmk = kms.createKey({ alias: 'alias/keyturn' });
  stubs = [kms.install(), secrets.install()];
});

afterEach(() => {
  for (const stub of stubs) stub.restore();
});

function makeVault(options: Partial<AwsVaultOptions> = {}): KeyVault {
  return createAwsVault({ kmsKeyId: cmk.arn, kms: kmsSdk, secretsManager: secretsSdk, ...options });
}

function kmsCalls(command: string): number {
  return kms.calls.filter((call) => call.command === command).length;
}

async function secretStringOf(name: string): Promise<string> {
  const value = await secretsSdk.send(new GetSecretValueCommand({ SecretId: name }));
  return value.SecretString ?? '';
}

describe('createAwsVault', () => {
  it('generates a key pair in KMS and opens it as the same key', async () => {
    // Prepare
    const vault = makeVault();

    // Act
    const generated = await vault.generate({ issuerId: 'demo', slot: 'r1', bits: 2048 });
    const opened = await vault.open(generated.ref);

    // Assess
    expect(generated.ref).toBe('keyturn/demo/r1');
    expect(generated.bits).toBe(2048);
    expect(parsePublicKey(generated.publicKeyPem).kid).toBe(generated.kid);
    expect(opened.publicKey.kid).toBe(generated.kid);
    expect(opened.publicKey.bits).toBe(2048);
    expect(kms.calls.find((call) => call.command === 'GenerateDataKeyPairCommand')?.input).toEqual({
      KeyId: cmk.arn,
      KeyPairSpec: 'RSA_2048',
    });
  });

  it('takes the kid from the public key DER exactly as KMS returned it', async () => {
    let publicDer: Uint8Array | undefined;
    const watchingKms = {
      async send(command: GenerateDataKeyPairCommand) {
        const answer = await kmsSdk.send(command);
        publicDer = answer.PublicKey;
        return answer;
      },
    } as unknown as KMSClient;

    const generated = await makeVault({ kms: watchingKms }).generate({
      issuerId: 'demo',
      slot: 'r1',
      bits: 2048,
    });

    const expected = createHash('sha256')
      .update(publicDer ?? new Uint8Array())
      .digest('base64url');
    expect(generated.kid).toBe(expected);
    expect((await makeVault().open(generated.ref)).publicKey.kid).toBe(expected);
  });

  it('stores PKCS#1 PEM under the KMS key, with the public record in the description and tags', async () => {
    const vault = makeVault();

    const generated = await vault.generate({ issuerId: 'demo', slot: 'r1', bits: 2048 });

    const secret = secrets.secret('keyturn/demo/r1');
    expect(secret?.kmsKeyId).toBe(cmk.arn);
    expect(secret?.arn).toMatch(
      /^arn:aws:secretsmanager:eu-west-1:111122223333:secret:keyturn\/demo\/r1-\w{6}$/,
    );
    expect(JSON.parse(secret?.description ?? '')).toEqual({
      kid: generated.kid,
      bits: 2048,
      publicKeyPem: generated.publicKeyPem,
    });
    expect(secret?.tags).toEqual([
      { Key: 'keyturn:issuer', Value: 'demo' },
      { Key: 'keyturn:kid', Value: generated.kid },
      { Key: 'keyturn:slot', Value: 'r1' },
    ]);
    expect(secret?.versions.map((version) => version.versionId)).toEqual([
      clientRequestTokenOf('demo', 'r1'),
    ]);
    expect(await secretStringOf('keyturn/demo/r1')).toMatch(
      /^-----BEGIN RSA PRIVATE KEY-----\n[\s\S]+-----END RSA PRIVATE KEY-----\n$/,
    );
  });

  it('keeps plaintext out of the stored secret, the result, the call logs and KMS buffers (SEALED)', async () => {
    const vault = makeVault();

    const generated = await vault.generate({ issuerId: 'demo', slot: 'r1', bits: 2048 });
    const opened = await vault.open(generated.ref);

    const stored = secrets.secret('keyturn/demo/r1')?.versions[0]?.ciphertext ?? new Uint8Array();
    const storedViews = [Buffer.from(stored).toString('latin1'), Buffer.from(stored).toString('base64')];
    const visible = [...storedViews, JSON.stringify(generated), JSON.stringify([kms.calls, secrets.calls])];
    for (const text of visible) {
      expect(text).not.toContain('PRIVATE KEY');
      for (const secret of privateSecretsOf(opened)) expect(text).not.toContain(secret);
    }
    expect(kms.plaintextsReturned).toHaveLength(1);
    expect(kms.plaintextsReturned.every((buffer) => buffer.every((byte) => byte === 0))).toBe(true);
  });

  it('returns the first key when generate is retried for a slot, without asking KMS again (RETRY-SAFE)', async () => {
    const vault = makeVault();
    const first = await vault.generate({ issuerId: 'demo', slot: 'r1', bits: 2048 });
    const callsBefore = kms.calls.length + secrets.calls.length;

    const again = await makeVault().generate({ issuerId: 'demo', slot: 'r1', bits: 2048 });

    expect(again).toEqual(first);
    expect(kmsCalls('GenerateDataKeyPairCommand')).toBe(1);
    expect(commandsInOrder(kms.calls, secrets.calls).slice(callsBefore)).toEqual(['DescribeSecretCommand']);
  });

  it('converges when the process dies between GenerateDataKeyPair and CreateSecret (RETRY-SAFE)', async () => {
    const vault = makeVault();
    secrets.failNext('CreateSecretCommand', internalServiceError);

    await expect(vault.generate({ issuerId: 'demo', slot: 'r1', bits: 2048 })).rejects.toBeInstanceOf(
      AwsUnavailableError,
    );
    const retried = await vault.generate({ issuerId: 'demo', slot: 'r1', bits: 2048 });

    expect(kmsCalls('GenerateDataKeyPairCommand')).toBe(2);
    expect(secrets.secret(retried.ref)?.versions).toHaveLength(1);
    expect((await vault.open(retried.ref)).publicKey.kid).toBe(retried.kid);
  });

  it('converges when CreateSecret was applied but its answer was lost (RETRY-SAFE)', async () => {
    const vault = makeVault();
    secrets.failNext('CreateSecretCommand', internalServiceError, { afterApplying: true });

    await expect(vault.generate({ issuerId: 'demo', slot: 'r1', bits: 2048 })).rejects.toMatchObject({
      code: 'ERR_AWS_UNAVAILABLE',
    });
    const retried = await vault.generate({ issuerId: 'demo', slot: 'r1', bits: 2048 });

    expect(kmsCalls('GenerateDataKeyPairCommand')).toBe(1);
    expect((await vault.open(retried.ref)).publicKey.kid).toBe(retried.kid);
  });

  it('treats a CreateSecret resent with the same token and value as the same create', async () => {
    await makeVault().seal({ issuerId: 'demo', slot: 'r1', privateKey: fixtureKey });
    const sent = secrets.calls.find((call) => call.command === 'CreateSecretCommand')?.input;

    const again = await secretsSdk.send(
      new CreateSecretCommand({
        Name: 'keyturn/demo/r1',
        ClientRequestToken: String(sent?.ClientRequestToken),
        KmsKeyId: cmk.arn,
        SecretString: encodePrivateKeyPem(fixtureKey),
      }),
    );
    const other = secretsSdk.send(
      new CreateSecretCommand({
        Name: 'keyturn/demo/r1',
        ClientRequestToken: String(sent?.ClientRequestToken),
        SecretString: encodePrivateKeyPem(otherKey),
      }),
    );

    expect(again.VersionId).toBe(clientRequestTokenOf('demo', 'r1'));
    await expect(other).rejects.toMatchObject({ name: 'ResourceExistsException' });
    expect(secrets.secret('keyturn/demo/r1')?.versions).toHaveLength(1);
  });

  it('derives one UUID-shaped client request token per issuer and slot', () => {
    const tokens = [
      clientRequestTokenOf('demo', 'r1'),
      clientRequestTokenOf('demo', 'r2'),
      clientRequestTokenOf('other', 'r1'),
    ];

    expect(clientRequestTokenOf('demo', 'r1')).toBe(tokens[0]);
    expect(new Set(tokens).size).toBe(3);
    for (const token of tokens) {
      expect(token).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });

  it('keeps one key when two generators race for a slot', async () => {
    const [a, b] = await Promise.all([
      makeVault().generate({ issuerId: 'demo', slot: 'r1', bits: 2048 }),
      makeVault().generate({ issuerId: 'demo', slot: 'r1', bits: 2048 }),
    ]);

    expect(kmsCalls('GenerateDataKeyPairCommand')).toBe(2);
    expect(b).toEqual(a);
    expect(secrets.secret('keyturn/demo/r1')?.versions).toHaveLength(1);
    expect((await makeVault().open(a.ref)).publicKey.kid).toBe(a.kid);
  });

  it('refuses to generate a key of another size into a taken slot', async () => {
    const vault = makeVault();
    await vault.generate({ issuerId: 'demo', slot: 'r1', bits: 2048 });

    await expect(vault.generate({ issuerId: 'demo', slot: 'r1', bits: 4096 })).rejects.toMatchObject({
      code: 'ERR_VAULT_SLOT_TAKEN',
    });
    expect(kmsCalls('GenerateDataKeyPairCommand')).toBe(1);
  });

  it('rejects a key size KMS is not asked for before calling AWS', async () => {
    for (const bits of [1024, 2047, 8192]) {
      await expect(makeVault().generate({ issuerId: 'demo', slot: 'r1', bits })).rejects.toMatchObject({
        code: 'ERR_KEY_STRENGTH',
      });
    }
    expect(kms.calls).toEqual([]);
    expect(secrets.calls).toEqual([]);
  });

  it('seals an existing key idempotently, without KMS generating anything', async () => {
    const vault = makeVault();

    const first = await vault.seal({ issuerId: 'demo', slot: 'adopted', privateKey: fixtureKey });
    const again = await vault.seal({ issuerId: 'demo', slot: 'adopted', privateKey: fixtureKey });
    const opened = await vault.open(first.ref);

    expect(again).toEqual(first);
    expect(first).toEqual({
      kid: fixtureKey.publicKey.kid,
      bits: 2048,
      publicKeyPem: readKeyFixture('rsa2048.public'),
      ref: 'keyturn/demo/adopted',
    });
    expect(opened.key.equals(fixtureKey.key)).toBe(true);
    expect(kms.calls).toEqual([]);
  });

  it('refuses to seal another key into a taken slot', async () => {
    const vault = makeVault();
    await vault.seal({ issuerId: 'demo', slot: 'r1', privateKey: fixtureKey });

    const sealing = vault.seal({ issuerId: 'demo', slot: 'r1', privateKey: otherKey });

    await expect(sealing).rejects.toBeInstanceOf(VaultError);
    await expect(sealing).rejects.toMatchObject({ code: 'ERR_VAULT_SLOT_TAKEN' });
    expect((await vault.open('keyturn/demo/r1')).publicKey.kid).toBe(fixtureKey.publicKey.kid);
  });

  it('refuses to seal another key when a racing writer wins the create', async () => {
    const vault = makeVault();
    const [first, second] = await Promise.allSettled([
      vault.seal({ issuerId: 'demo', slot: 'r1', privateKey: fixtureKey }),
      vault.seal({ issuerId: 'demo', slot: 'r1', privateKey: otherKey }),
    ]);

    expect(first.status).toBe('fulfilled');
    expect(second).toMatchObject({ status: 'rejected', reason: { code: 'ERR_VAULT_SLOT_TAKEN' } });
  });

  it('schedules deletion with a 7-day recovery window, idempotently (destroy)', async () => {
    const vault = makeVault();
    const sealed = await vault.seal({ issuerId: 'demo', slot: 'r1', privateKey: fixtureKey });

    await vault.destroy(sealed.ref);
    await vault.destroy(sealed.ref);
    await vault.destroy('keyturn/demo/never-sealed');

    const deletes = secrets.calls.filter((call) => call.command === 'DeleteSecretCommand');
    expect(deletes.map((call) => call.input)).toEqual([
      { SecretId: 'keyturn/demo/r1', RecoveryWindowInDays: 7 },
      { SecretId: 'keyturn/demo/r1', RecoveryWindowInDays: 7 },
      { SecretId: 'keyturn/demo/never-sealed', RecoveryWindowInDays: 7 },
    ]);
    expect(secrets.secret(sealed.ref)?.deletionDate).toEqual(new Date(NOW.getTime() + 7 * DAY_MS));
  });

  it('uses the configured recovery window and secret name prefix', async () => {
    const vault = makeVault({ recoveryWindowDays: 30, secretNamePrefix: 'prod/keyturn' });

    const sealed = await vault.seal({ issuerId: 'demo', slot: 'r1', privateKey: fixtureKey });
    await vault.destroy(sealed.ref);

    expect(sealed.ref).toBe('prod/keyturn/demo/r1');
    expect(secrets.secret(sealed.ref)?.deletionDate).toEqual(new Date(NOW.getTime() + 30 * DAY_MS));
  });

  it('rejects a recovery window Secrets Manager does not allow', () => {
    for (const days of [0, 6, 31, 7.5]) {
      expect(() => makeVault({ recoveryWindowDays: days })).toThrow(RangeError);
    }
  });

  it('says how to restore a destroyed key, and opens it again once restored', async () => {
    const vault = makeVault();
    const sealed = await vault.seal({ issuerId: 'demo', slot: 'r1', privateKey: fixtureKey });
    await vault.destroy(sealed.ref);

    const opening = vault.open(sealed.ref);

    await expect(opening).rejects.toMatchObject({ code: 'ERR_VAULT_NOT_FOUND' });
    await expect(opening).rejects.toThrow(
      'restore it within the recovery window with: aws secretsmanager restore-secret --secret-id keyturn/demo/r1',
    );
    await secretsSdk.send(new RestoreSecretCommand({ SecretId: sealed.ref }));
    expect((await vault.open(sealed.ref)).publicKey.kid).toBe(fixtureKey.publicKey.kid);
  });

  it('finds nothing once the recovery window has passed, and destroy stays idempotent', async () => {
    const vault = makeVault();
    const sealed = await vault.seal({ issuerId: 'demo', slot: 'r1', privateKey: fixtureKey });
    await vault.destroy(sealed.ref);
    clock.now = new Date(NOW.getTime() + 8 * DAY_MS);

    await expect(vault.open(sealed.ref)).rejects.toMatchObject({ code: 'ERR_VAULT_NOT_FOUND' });
    await expect(vault.destroy(sealed.ref)).resolves.toBeUndefined();
  });

  it('refuses to reuse a slot whose key is scheduled for deletion', async () => {
    const vault = makeVault();
    const sealed = await vault.seal({ issuerId: 'demo', slot: 'r1', privateKey: fixtureKey });
    await vault.destroy(sealed.ref);

    const generating = vault.generate({ issuerId: 'demo', slot: 'r1', bits: 2048 });

    await expect(generating).rejects.toMatchObject({ code: 'ERR_VAULT_SLOT_TAKEN' });
    await expect(generating).rejects.toThrow('aws secretsmanager restore-secret --secret-id keyturn/demo/r1');
    expect(kms.calls).toEqual([]);
  });

  it('reports a disabled KMS key as AwsKeyDisabledError on generate, seal and open', async () => {
    const vault = makeVault();
    const sealed = await vault.seal({ issuerId: 'demo', slot: 'r1', privateKey: fixtureKey });
    kms.disableKey(cmk.keyId);

    const generating = vault.generate({ issuerId: 'demo', slot: 'r2', bits: 2048 });
    const sealing = vault.seal({ issuerId: 'demo', slot: 'r3', privateKey: otherKey });
    const opening = vault.open(sealed.ref);

    await expect(generating).rejects.toBeInstanceOf(AwsKeyDisabledError);
    await expect(generating).rejects.toMatchObject({
      operation: 'GenerateDataKeyPair',
      awsName: 'DisabledException',
    });
    await expect(sealing).rejects.toMatchObject({
      code: 'ERR_AWS_KEY_DISABLED',
      awsName: 'EncryptionFailure',
    });
    await expect(opening).rejects.toBeInstanceOf(AwsKeyDisabledError);
    await expect(opening).rejects.toMatchObject({
      operation: 'GetSecretValue',
      awsName: 'DecryptionFailure',
    });
  });

  it('reports a KMS key pending deletion as AwsKeyDisabledError', async () => {
    const vault = makeVault();
    const sealed = await vault.seal({ issuerId: 'demo', slot: 'r1', privateKey: fixtureKey });
    kms.scheduleKeyDeletion(cmk.keyId);

    await expect(vault.generate({ issuerId: 'demo', slot: 'r2', bits: 2048 })).rejects.toMatchObject({
      code: 'ERR_AWS_KEY_DISABLED',
      awsName: 'KMSInvalidStateException',
    });
    await expect(vault.open(sealed.ref)).rejects.toMatchObject({ code: 'ERR_AWS_KEY_DISABLED' });
  });

  it('reports throttling that outlasted the SDK retries as AwsThrottledError', async () => {
    const vault = makeVault();
    const sealed = await vault.seal({ issuerId: 'demo', slot: 'r1', privateKey: fixtureKey });
    kms.throttleNext(5);
    secrets.throttleNext(1, 'GetSecretValueCommand');

    const generating = vault.generate({ issuerId: 'demo', slot: 'r2', bits: 2048 });
    const opening = vault.open(sealed.ref);

    await expect(generating).rejects.toBeInstanceOf(AwsThrottledError);
    await expect(generating).rejects.toMatchObject({ service: 'KMS', awsName: 'ThrottlingException' });
    await expect(opening).rejects.toMatchObject({ code: 'ERR_AWS_THROTTLED', operation: 'GetSecretValue' });
  });

  it('reports a missing permission as AwsAccessDeniedError naming the call', async () => {
    const vault = makeVault();
    kms.denyNext(1, 'GenerateDataKeyPairCommand');
    secrets.denyNext(1, 'CreateSecretCommand');

    const generating = vault.generate({ issuerId: 'demo', slot: 'r1', bits: 2048 });
    await expect(generating).rejects.toBeInstanceOf(AwsAccessDeniedError);
    await expect(generating).rejects.toThrow(
      `KMS GenerateDataKeyPair on ${cmk.arn} failed: AccessDeniedException`,
    );
    const sealing = vault.seal({ issuerId: 'demo', slot: 'r1', privateKey: fixtureKey });
    await expect(sealing).rejects.toMatchObject({ code: 'ERR_AWS_ACCESS_DENIED', operation: 'CreateSecret' });
  });

  it('refuses a secret whose value was replaced outside keyturn (ERR_VAULT_TAMPERED)', async () => {
    const vault = makeVault();
    const sealed = await vault.seal({ issuerId: 'demo', slot: 'r1', privateKey: fixtureKey });

    for (const value of [encodePrivateKeyPem(otherKey), 'not a key', readKeyFixture('rsa2048.public')]) {
      await secretsSdk.send(new PutSecretValueCommand({ SecretId: sealed.ref, SecretString: value }));
      await expect(vault.open(sealed.ref)).rejects.toMatchObject({ code: 'ERR_VAULT_TAMPERED' });
    }
  });

  it('refuses a secret in its namespace that keyturn did not describe (ERR_VAULT_TAMPERED)', async () => {
    const descriptions = [
      undefined,
      'made by hand',
      '{"kid":"abc","bits":2048,"publicKeyPem":"x"}',
      JSON.stringify({
        kid: otherKey.publicKey.kid,
        bits: 2048,
        publicKeyPem: readKeyFixture('rsa2048.public'),
      }),
      JSON.stringify({
        kid: fixtureKey.publicKey.kid,
        bits: 4096,
        publicKeyPem: readKeyFixture('rsa2048.public'),
      }),
    ];
    for (const [index, description] of descriptions.entries()) {
      await secretsSdk.send(
        new CreateSecretCommand({
          Name: `keyturn/demo/hand-${index}`,
          SecretString: encodePrivateKeyPem(fixtureKey),
          Description: description,
        }),
      );

      await expect(makeVault().open(`keyturn/demo/hand-${index}`)).rejects.toMatchObject({
        code: 'ERR_VAULT_TAMPERED',
      });
      await expect(
        makeVault().generate({ issuerId: 'demo', slot: `hand-${index}`, bits: 2048 }),
      ).rejects.toMatchObject({ code: 'ERR_VAULT_TAMPERED' });
    }
  });

  it('rejects refs of other vaults and unsafe names', async () => {
    const vault = makeVault();
    for (const ref of [
      'demo/r1',
      'other/demo/r1',
      'keyturn/demo',
      'keyturn/demo/r1/x',
      'keyturn/../r1',
      '',
    ]) {
      await expect(vault.open(ref)).rejects.toMatchObject({ code: 'ERR_VAULT_REF' });
      await expect(vault.destroy(ref)).rejects.toMatchObject({ code: 'ERR_VAULT_REF' });
    }
    for (const [issuerId, slot] of [
      ['Demo', 'r1'],
      ['demo', 'r/1'],
      ['demo', '..'],
      ['', 'r1'],
      ['demo', '-r1'],
    ] as const) {
      await expect(vault.seal({ issuerId, slot, privateKey: fixtureKey })).rejects.toMatchObject({
        code: 'ERR_UNSAFE_NAME',
      });
    }
    expect(secrets.calls).toEqual([]);
  });

  it('keeps private key material out of every error it raises (SEALED)', async () => {
    const vault = makeVault();
    const sealed = await vault.seal({ issuerId: 'demo', slot: 'r1', privateKey: fixtureKey });
    const errors: unknown[] = [];
    const collect = (promise: Promise<unknown>) =>
      promise.then(
        () => expect.unreachable('expected a failure'),
        (error: unknown) => errors.push(error),
      );

    await collect(vault.seal({ issuerId: 'demo', slot: 'r1', privateKey: otherKey }));
    secrets.throttleNext(1, 'CreateSecretCommand');
    await collect(vault.seal({ issuerId: 'demo', slot: 'r2', privateKey: otherKey }));
    secrets.failNext('CreateSecretCommand', internalServiceError, { afterApplying: true });
    await collect(vault.seal({ issuerId: 'demo', slot: 'r3', privateKey: otherKey }));
    secrets.denyNext(1, 'GetSecretValueCommand');
    await collect(vault.open(sealed.ref));
    await secretsSdk.send(
      new PutSecretValueCommand({ SecretId: sealed.ref, SecretString: encodePrivateKeyPem(otherKey) }),
    );
    await collect(vault.open(sealed.ref));
    kms.disableKey(cmk.keyId);
    await collect(vault.open(sealed.ref));
    await collect(vault.seal({ issuerId: 'demo', slot: 'r4', privateKey: otherKey }));

    expect(errors).toHaveLength(7);
    for (const error of errors) {
      const text = [String(error), inspect(error, { depth: 10, showHidden: true }), JSON.stringify(error)];
      for (const shown of text) {
        expect(shown).not.toContain('PRIVATE KEY');
        for (const secret of [...privateSecretsOf(fixtureKey), ...privateSecretsOf(otherKey)]) {
          expect(shown).not.toContain(secret);
        }
      }
    }
  });

  it('sends exactly these commands per method (IAM inventory)', async () => {
    const vault = makeVault();
    const sent = async (act: () => Promise<unknown>): Promise<string[]> => {
      const before = kms.calls.length + secrets.calls.length;
      await act();
      return commandsInOrder(kms.calls, secrets.calls).slice(before);
    };

    const inventory = {
      generate: await sent(() => vault.generate({ issuerId: 'demo', slot: 'r1', bits: 2048 })),
      generateRetried: await sent(() => vault.generate({ issuerId: 'demo', slot: 'r1', bits: 2048 })),
      seal: await sent(() => vault.seal({ issuerId: 'demo', slot: 'r2', privateKey: fixtureKey })),
      open: await sent(() => vault.open('keyturn/demo/r1')),
      destroy: await sent(() => vault.destroy('keyturn/demo/r1')),
      destroyAgain: await sent(() => vault.destroy('keyturn/demo/r1')),
    };

    expect(inventory).toEqual({
      generate: ['DescribeSecretCommand', 'GenerateDataKeyPairCommand', 'CreateSecretCommand'],
      generateRetried: ['DescribeSecretCommand'],
      seal: ['DescribeSecretCommand', 'CreateSecretCommand'],
      open: ['DescribeSecretCommand', 'GetSecretValueCommand'],
      destroy: ['DeleteSecretCommand'],
      destroyAgain: ['DeleteSecretCommand', 'DescribeSecretCommand'],
    });
  });

  it('uses the process clients when none are injected', async () => {
    const vault = createAwsVault({ kmsKeyId: 'alias/keyturn' });

    const sealed = await vault.seal({ issuerId: 'demo', slot: 'r1', privateKey: fixtureKey });

    expect((await vault.open(sealed.ref)).publicKey.kid).toBe(fixtureKey.publicKey.kid);
    expect(secrets.secret(sealed.ref)?.kmsKeyId).toBe('alias/keyturn');
  });
});

describe('the fake KMS behind the vault', () => {
  it('decrypts ciphertext only under the key that made it', async () => {
    const other = kms.createKey();
    const plaintext = new TextEncoder().encode('not a secret, just bytes');
    const { CiphertextBlob } = await kmsSdk.send(
      new EncryptCommand({ KeyId: cmk.keyId, Plaintext: plaintext }),
    );
    const blob = CiphertextBlob ?? new Uint8Array();
    const forged = Buffer.from(blob);
    forged.write(other.keyId, 6, 'latin1');

    const decrypted = await kmsSdk.send(new DecryptCommand({ CiphertextBlob: blob }));

    expect(Buffer.from(decrypted.Plaintext ?? []).toString()).toBe('not a secret, just bytes');
    expect(decrypted.KeyId).toBe(cmk.arn);
    await expect(
      kmsSdk.send(new DecryptCommand({ CiphertextBlob: blob, KeyId: other.arn })),
    ).rejects.toMatchObject({ name: 'IncorrectKeyException', $metadata: { httpStatusCode: 400 } });
    await expect(kmsSdk.send(new DecryptCommand({ CiphertextBlob: forged }))).rejects.toMatchObject({
      name: 'InvalidCiphertextException',
    });
  });

  it("keeps a data key pair's private key decryptable under its key only", async () => {
    const other = kms.createKey();
    const pair = await kmsSdk.send(
      new GenerateDataKeyPairCommand({ KeyId: cmk.arn, KeyPairSpec: 'RSA_2048' }),
    );
    const blob = pair.PrivateKeyCiphertextBlob ?? new Uint8Array();

    const decrypted = await kmsSdk.send(new DecryptCommand({ CiphertextBlob: blob, KeyId: cmk.arn }));
    kms.disableKey(cmk.keyId);

    expect(Buffer.from(decrypted.Plaintext ?? []).equals(Buffer.from(pair.PrivateKeyPlaintext ?? []))).toBe(
      true,
    );
    await expect(kmsSdk.send(new DecryptCommand({ CiphertextBlob: blob }))).rejects.toMatchObject({
      name: 'DisabledException',
      $fault: 'client',
      $metadata: { httpStatusCode: 409 },
    });
    await expect(
      kmsSdk.send(new DecryptCommand({ CiphertextBlob: blob, KeyId: other.keyId })),
    ).rejects.toMatchObject({
      name: 'IncorrectKeyException',
    });
  });

  it("binds a secret's stored value to its key and to the secret", async () => {
    const other = kms.createKey();
    const sealed = await makeVault().seal({ issuerId: 'demo', slot: 'r1', privateKey: fixtureKey });
    const secret = secrets.secret(sealed.ref);
    const stored = secret?.versions[0]?.ciphertext ?? new Uint8Array();
    const context = { SecretARN: secret?.arn ?? '', SecretVersionId: secret?.versions[0]?.versionId ?? '' };

    expect(Buffer.from(kms.decrypt(stored, context)).toString()).toBe(encodePrivateKeyPem(fixtureKey));
    expect(() => kms.decrypt(stored, context, other.keyId)).toThrow(
      expect.objectContaining({ name: 'IncorrectKeyException' }),
    );
    expect(() => kms.decrypt(stored, { ...context, SecretARN: 'another secret' })).toThrow(
      expect.objectContaining({ name: 'InvalidCiphertextException' }),
    );
  });
});
