import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { buildDiscovery, buildKeySet, DISCOVERY_PATH, KEY_SET_PATH } from '#shared/issuer/index.ts';
import { encodePrivateKeyPem, encodePublicKeyPem, generateSigningKeyPair } from '#shared/keys/index.ts';
import {
  createTokenVerifier,
  issueServiceAccountToken,
  loadKeySet,
  TokenRejectedError,
} from '#shared/tokens/index.ts';
import { startIssuerServer } from './issuer-server.ts';
import { createStepLog } from './step-log.ts';

/**
 * `npm start` until the local rotation exists: a complete, verified issuer end to end on this machine.
 * Creates a ccoctl-style key pair, publishes keys.json and the discovery document over HTTP on
 * 127.0.0.1, signs a service-account token as the cluster would, and verifies it exactly as a third
 * party (AWS STS) does: discovery, then JWKS, then signature and claims. Forged tokens must be refused.
 */
async function main(): Promise<void> {
  const home = resolve(process.env.KEYTURN_HOME ?? '.keyturn');
  const workDirectory = join(home, 'quickstart');
  const log = createStepLog();
  await rm(workDirectory, { recursive: true, force: true });
  const server = await startIssuerServer({ root: join(workDirectory, 'public') });
  const issuer = `${server.url}/quickstart-cluster`;
  process.stdout.write(`keyturn quickstart: issuer ${issuer}\n`);
  try {
    const pair = await log.step(
      'generate an RSA 4096 key pair, as ccoctl create-key-pair does',
      async () => {
        const generated = await generateSigningKeyPair(4096);
        await mkdir(join(workDirectory, 'keys'), { recursive: true, mode: 0o700 });
        await writeFile(
          join(workDirectory, 'keys', 'serviceaccount-signer.private'),
          encodePrivateKeyPem(generated),
          {
            mode: 0o600,
          },
        );
        await writeFile(
          join(workDirectory, 'keys', 'serviceaccount-signer.public'),
          encodePublicKeyPem(generated.publicKey),
        );
        return generated;
      },
      (generated) => `kid ${generated.publicKey.kid}`,
    );

    await log.step(
      'publish keys.json and the discovery document',
      async () => {
        const issuerDirectory = join(workDirectory, 'public', 'quickstart-cluster');
        await mkdir(join(issuerDirectory, '.well-known'), { recursive: true });
        await writeFile(join(issuerDirectory, KEY_SET_PATH), buildKeySet([pair.publicKey]));
        await writeFile(join(issuerDirectory, DISCOVERY_PATH), buildDiscovery(issuer));
      },
      () => `served from ${relative(process.cwd(), join(workDirectory, 'public'))}`,
    );

    const token = await log.step('issue a service-account token, as the cluster would', () =>
      issueServiceAccountToken(pair, {
        issuer,
        audiences: ['sts.amazonaws.com'],
        namespace: 'demo',
        serviceAccount: 'app',
      }),
    );

    const { keySet } = await log.step(
      'read the issuer over HTTP as a third party: discovery, then keys.json',
      () => loadKeySet({ kind: 'issuer', issuerUrl: issuer }),
      (loaded) => `${loaded.keySet.keys.length} key published`,
    );
    const verifier = createTokenVerifier({ keySet, issuer, audience: 'sts.amazonaws.com' });

    await log.step(
      'verify the token against the published JWKS',
      () => verifier.verify(token),
      (verified) => verified.subject,
    );

    await log.step(
      'refuse forged tokens: another key, an altered payload',
      async () => {
        const stranger = await generateSigningKeyPair(2048);
        const foreign = await issueServiceAccountToken(stranger, {
          issuer,
          audiences: ['sts.amazonaws.com'],
          namespace: 'demo',
          serviceAccount: 'app',
        });
        const [header, , signature] = token.split('.');
        const altered = `${header}.${Buffer.from(JSON.stringify({ iss: issuer, sub: 'system:serviceaccount:kube-system:admin', aud: 'sts.amazonaws.com', exp: 4102444800 })).toString('base64url')}.${signature}`;
        const codes = [
          await rejectionOf(verifier.verify(foreign)),
          await rejectionOf(verifier.verify(altered)),
        ];
        return codes.join(', ');
      },
      (codes) => codes,
    );

    process.stdout.write(
      `\nThe issuer works: a token signed by kid ${pair.publicKey.kid} verified against ${issuer}/${KEY_SET_PATH}.\n` +
        `Key pair and documents are in ${relative(process.cwd(), workDirectory)}/. Try: npx keyturn --help\n`,
    );
  } finally {
    await server.close();
  }
}

/** The rejection code of a verification that must fail; a forged token that verifies is a failure. */
async function rejectionOf(verification: Promise<unknown>): Promise<string> {
  try {
    await verification;
  } catch (error) {
    if (error instanceof TokenRejectedError) {
      return error.code;
    }
    throw error;
  }
  throw new Error('a forged token was accepted');
}

main().catch((error: unknown) => {
  process.stderr.write(`quickstart failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
