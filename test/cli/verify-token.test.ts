import { generateKeyPairSync } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IssuerServer, startIssuerServer } from '#local/issuer-server.ts';
import { buildDiscovery, buildKeySet, DISCOVERY_PATH, KEY_SET_PATH } from '#shared/issuer/index.ts';
import { encodePublicKeyPem, generateSigningKeyPair, type PrivateSigningKey } from '#shared/keys/index.ts';
import { issueServiceAccountToken } from '#shared/tokens/index.ts';
import { makeTempDirectory, runKeyturn } from './run-keyturn.ts';

let directory: { path: string; remove: () => Promise<void> };
let server: IssuerServer;
let issuer: string;
let signer: PrivateSigningKey;
let stranger: PrivateSigningKey;

const claims = (iss: string) => ({
  issuer: iss,
  audiences: ['sts.amazonaws.com'],
  namespace: 'team-a',
  serviceAccount: 'reader',
});

async function writeToken(name: string, token: string): Promise<string> {
  await writeFile(join(directory.path, name), `${token}\n`);
  return name;
}

beforeAll(async () => {
  directory = await makeTempDirectory();
  [signer, stranger] = await Promise.all([generateSigningKeyPair(2048), generateSigningKeyPair(2048)]);
  server = await startIssuerServer({ root: join(directory.path, 'public') });
  issuer = `${server.url}/cluster-a`;
  await mkdir(join(directory.path, 'public', 'cluster-a', '.well-known'), { recursive: true });
  await writeFile(join(directory.path, 'public', 'cluster-a', KEY_SET_PATH), buildKeySet([signer.publicKey]));
  await writeFile(join(directory.path, 'public', 'cluster-a', DISCOVERY_PATH), buildDiscovery(issuer));
  await writeFile(join(directory.path, 'signer.public'), encodePublicKeyPem(signer.publicKey));
  await writeFile(join(directory.path, 'keys.json'), buildKeySet([stranger.publicKey, signer.publicKey]));
});

afterAll(async () => {
  await server.close();
  await directory.remove();
});

describe('keyturn verify-token', () => {
  it('accepts a valid token against a public key file', async () => {
    const token = await writeToken('valid.jwt', await issueServiceAccountToken(signer, claims(issuer)));

    const run = await runKeyturn(['verify-token', token, '--public-key', 'signer.public'], {
      cwd: directory.path,
    });

    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^The token is valid\n/);
    expect(run.out).toContain('system:serviceaccount:team-a:reader');
    expect(run.out).toContain(signer.publicKey.kid);
  });

  it('accepts a valid token against a JWKS file holding old and new keys', async () => {
    const token = await writeToken('valid.jwt', await issueServiceAccountToken(signer, claims(issuer)));

    const run = await runKeyturn(
      ['verify-token', token, '--jwks', 'keys.json', '--audience', 'sts.amazonaws.com'],
      {
        cwd: directory.path,
      },
    );

    expect(run.code).toBe(0);
  });

  it("skips an EC key in a third party's JWKS with a note and verifies with its RSA key (ALWAYS-VALID)", async () => {
    // Prepare
    const token = await writeToken('valid.jwt', await issueServiceAccountToken(signer, claims(issuer)));
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
    const rsa = (JSON.parse(buildKeySet([signer.publicKey])) as { keys: unknown[] }).keys;
    await writeFile(
      join(directory.path, 'mixed.json'),
      JSON.stringify({ keys: [{ ...ec, kid: 'ec-1' }, ...rsa] }),
    );

    // Act
    const run = await runKeyturn(
      ['verify-token', token, '--jwks', 'mixed.json', '--audience', 'sts.amazonaws.com'],
      { cwd: directory.path },
    );

    // Assess
    expect(run.code).toBe(0);
    expect(run.out).toContain(signer.publicKey.kid);
    expect(run.err).toBe('note: skipped key 1: kty is "EC", not "RSA": it cannot verify RS256 tokens\n');
  });

  it('fetches discovery then keys.json from --issuer, as a third party does', async () => {
    const token = await writeToken('valid.jwt', await issueServiceAccountToken(signer, claims(issuer)));

    const run = await runKeyturn(
      ['verify-token', token, '--issuer', `${issuer}/`, '--audience', 'sts.amazonaws.com'],
      {
        cwd: directory.path,
      },
    );

    expect(run.code).toBe(0);
    expect(run.out).toContain(`issuer:   ${issuer}`);
  });

  it('fetches a JWKS from a URL', async () => {
    const token = await writeToken('valid.jwt', await issueServiceAccountToken(signer, claims(issuer)));

    const run = await runKeyturn(['verify-token', token, '--jwks', `${issuer}/keys.json`], {
      cwd: directory.path,
    });

    expect(run.code).toBe(0);
  });

  it('rejects a token from another issuer when --issuer is given', async () => {
    const token = await writeToken(
      'other.jwt',
      await issueServiceAccountToken(signer, claims('https://evil.example')),
    );

    const run = await runKeyturn(['verify-token', token, '--issuer', issuer], { cwd: directory.path });

    expect(run.code).toBe(1);
    expect(run.err).toContain('https://evil.example');
  });

  it('rejects a token for another audience', async () => {
    const token = await writeToken('valid.jwt', await issueServiceAccountToken(signer, claims(issuer)));

    const run = await runKeyturn(
      ['verify-token', token, '--public-key', 'signer.public', '--audience', 'openshift'],
      {
        cwd: directory.path,
      },
    );

    expect(run.code).toBe(1);
    expect(run.err).toContain('audience');
  });

  it('rejects a token signed by a key the issuer does not publish', async () => {
    const token = await writeToken('foreign.jwt', await issueServiceAccountToken(stranger, claims(issuer)));

    const run = await runKeyturn(['verify-token', token, '--issuer', issuer], { cwd: directory.path });

    expect(run.code).toBe(1);
    expect(run.err).toContain(stranger.publicKey.kid);
    expect(run.err).toContain('not among the trusted keys');
  });

  it('rejects an unsigned alg none token and never echoes it', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', kid: signer.publicKey.kid })).toString(
      'base64url',
    );
    const payload = Buffer.from(JSON.stringify({ iss: issuer, sub: 'x', exp: 4102444800 })).toString(
      'base64url',
    );
    const token = await writeToken('none.jwt', `${header}.${payload}.`);

    const run = await runKeyturn(['verify-token', token, '--public-key', 'signer.public'], {
      cwd: directory.path,
    });

    expect(run.code).toBe(1);
    expect(run.err).toContain('unsigned');
    expect(run.err).not.toContain(payload);
  });

  it('rejects an expired token with exit 1', async () => {
    const lastYear = new Date(Date.now() - 365 * 24 * 3600 * 1000);
    const token = await writeToken(
      'old.jwt',
      await issueServiceAccountToken(signer, claims(issuer), lastYear),
    );

    const run = await runKeyturn(['verify-token', token, '--public-key', 'signer.public'], {
      cwd: directory.path,
    });

    expect(run.code).toBe(1);
    expect(run.err).toContain('expired');
  });

  it('exits 3 when the issuer cannot be reached', async () => {
    const token = await writeToken('valid.jwt', await issueServiceAccountToken(signer, claims(issuer)));

    const run = await runKeyturn(['verify-token', token, '--issuer', 'http://127.0.0.1:1/cluster'], {
      cwd: directory.path,
    });

    expect(run.code).toBe(3);
    expect(run.err).toContain('could not reach');
  });

  it('exits 2 without a key source, and with two of them', async () => {
    const none = await runKeyturn(['verify-token', 'valid.jwt'], { cwd: directory.path });
    const two = await runKeyturn(['verify-token', 'valid.jwt', '--public-key', 'a', '--jwks', 'b'], {
      cwd: directory.path,
    });

    expect(none.code).toBe(2);
    expect(none.err).toContain('--public-key, --jwks or --issuer');
    expect(two.code).toBe(2);
  });

  it('reads the token from standard input for -', async () => {
    const token = await issueServiceAccountToken(signer, claims(issuer));

    const run = await runKeyturn(['verify-token', '-', '--public-key', 'signer.public'], {
      cwd: directory.path,
      stdin: token,
    });

    expect(run.code).toBe(0);
  });
});

describe('keyturn verify-token for scripts and for a careful reader (issue 14)', () => {
  it('says on stderr that the audience was not checked when --audience is absent', async () => {
    // Arrange
    const token = await writeToken('no-aud.jwt', await issueServiceAccountToken(signer, claims(issuer)));

    // Act
    const without = await runKeyturn(['verify-token', token, '--public-key', 'signer.public'], {
      cwd: directory.path,
    });
    const withAudience = await runKeyturn(
      ['verify-token', token, '--public-key', 'signer.public', '--audience', 'sts.amazonaws.com'],
      { cwd: directory.path },
    );

    // Assess
    expect(without.code).toBe(0);
    expect(without.err).toContain('the audience was not checked; add --audience');
    expect(withAudience.err).not.toContain('audience was not checked');
  });

  it('prints the verified token as a versioned JSON document, saying what it checked', async () => {
    // Arrange
    const token = await writeToken('json.jwt', await issueServiceAccountToken(signer, claims(issuer)));

    // Act
    const run = await runKeyturn(
      ['verify-token', token, '--issuer', issuer, '--audience', 'sts.amazonaws.com', '-o', 'json'],
      { cwd: directory.path },
    );

    // Assess
    expect(run.code).toBe(0);
    expect(JSON.parse(run.out)).toEqual({
      apiVersion: 'keyturn.io/v1',
      kind: 'TokenVerification',
      valid: true,
      kid: signer.publicKey.kid,
      issuer,
      subject: 'system:serviceaccount:team-a:reader',
      audiences: ['sts.amazonaws.com'],
      expiresAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      checked: { issuer: true, audience: true },
    });
  });

  it('prints nothing on stdout for a refused token, whatever the format (exit 1)', async () => {
    // Arrange
    const token = await writeToken('stranger.jwt', await issueServiceAccountToken(stranger, claims(issuer)));

    // Act
    const run = await runKeyturn(['verify-token', token, '--issuer', issuer, '-o', 'json'], {
      cwd: directory.path,
    });

    // Assess
    expect(run.code).toBe(1);
    expect(run.out).toBe('');
    expect(run.err).toMatch(/^keyturn: /m);
  });
});
