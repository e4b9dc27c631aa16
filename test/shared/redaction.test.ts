import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { redact } from '#shared/adapters/openshift/api-call.ts';
import { MIN_REDACTED_RUN, REDACTED, redactSecrets } from '#shared/redaction.ts';
import { readKeyFixture } from '#test/fixtures/keys.ts';

const privateJwk = JSON.parse(readKeyFixture('rsa2048.private.jwk.json')) as Record<string, string>;
const pemBody = readKeyFixture('rsa2048.private')
  .split('\n')
  .filter((line) => line !== '' && !line.startsWith('-----'));

/** Deterministic stand-ins for random base64url: SHA-256 digests of a counter, joined. */
function randomLookingBase64url(seed: number, length: number): string {
  let text = '';
  for (let block = 0; text.length < length; block += 1) {
    text += createHash('sha256').update(`${seed}/${block}`).digest('base64url');
  }
  return text.slice(0, length);
}

/** A kid as kube-apiserver computes it: base64url of a SHA-256 digest, 43 characters. */
function kidOf(seed: number): string {
  return createHash('sha256').update(`kid ${seed}`).digest('base64url');
}

describe('redactSecrets', () => {
  it.each([
    ['97 characters of a private JWK d', () => `the webhook said: d=${privateJwk.d?.slice(0, 97)} is bad`],
    ['a whole private JWK', () => `denied: ${JSON.stringify(privateJwk)}`],
    [
      'a PEM body without its BEGIN line',
      () => `cut here\n${pemBody.join('\n')}\n-----END RSA PRIVATE KEY-----`,
    ],
    [
      'a PEM body wrapped at 40 columns',
      () =>
        `body:\n${pemBody
          .join('')
          .match(/.{1,40}/g)
          ?.join('\n')}`,
    ],
    ['an OpenShift bearer token', () => `Authorization: Bearer sha256~${kidOf(1)} was refused`],
    [
      'a service-account token',
      () => `token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.${randomLookingBase64url(2, 342)}`,
    ],
  ])('removes %s (SEALED)', (_case, text) => {
    // Prepare
    const secretParts = [privateJwk.d, privateJwk.p, privateJwk.q, ...pemBody, kidOf(1)]
      .filter((part): part is string => part !== undefined)
      .map((part) => part.slice(0, 24));

    // Act
    const redacted = redactSecrets(text());

    // Assess
    expect(redacted).toContain(REDACTED);
    for (const part of secretParts) expect(redacted).not.toContain(part);
  });

  it('removes every one of 500 runs of 97 base64url characters of random bytes (SEALED)', () => {
    // Prepare
    const runs = Array.from({ length: 500 }, (_, seed) => randomLookingBase64url(seed, 97));

    // Act
    const kept = runs.filter((run) => redactSecrets(`reason: ${run}.`) !== `reason: ${REDACTED}.`);

    // Assess
    expect(kept).toEqual([]);
  });

  it(`keeps 500 kids of 43 characters visible, and removes runs from ${MIN_REDACTED_RUN} characters (SEALED)`, () => {
    // Prepare
    const kids = Array.from({ length: 500 }, (_, seed) => kidOf(seed));
    const vector = 'JHJehTTTZlsspKHT-GaJxK7Kd1NQgZJu3fyK6K_QDYU';

    // Act
    const changed = [vector, ...kids].filter(
      (kid) => redactSecrets(`kid ${kid} is active`) !== `kid ${kid} is active`,
    );
    const shortest = redactSecrets(`value ${randomLookingBase64url(7, MIN_REDACTED_RUN)} end`);

    // Assess
    expect(changed).toEqual([]);
    expect(shortest).toBe(`value ${REDACTED} end`);
  });

  it.each([
    'PATCH secrets openshift-kube-apiserver-operator/next-bound-service-account-signing-key failed with 422',
    'execution cluster-a--6f1c2b3e-1234-4abc-9def-0123456789ab failed',
    'revision 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 is stale',
    'cannot read /home/alice/keyturn-home/vault/prod-eu-west-1/initial.sealed: permission denied',
    'arn:aws:iam::123456789012:role/keyturn-rotation-role-for-the-production-fleet is not authorized',
  ])('keeps an ordinary message as it is: %s', (message) => {
    // Act
    const redacted = redactSecrets(message);

    // Assess
    expect(redacted).toBe(message);
  });
});

describe('redact (Status messages of the cluster API)', () => {
  it('removes 97 base64url characters of a private JWK d from a Status message (SEALED)', () => {
    // Prepare
    const d = privateJwk.d?.slice(0, 97) ?? '';

    // Act
    const redacted = redact(`admission webhook denied the request: {"d":"${d}"}`);

    // Assess
    expect(redacted).not.toContain(d.slice(0, 24));
    expect(redacted).toContain(REDACTED);
  });
});
