import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isKeyturnError } from '#shared/errors.ts';
import { type PrivateSigningKey, parsePrivateKey, parsePublicKey } from '#shared/keys/index.ts';
import type { ClusterSigner, RolloutProgress } from '#shared/ports.ts';
import { createTokenVerifier, readTokenHeader } from '#shared/tokens/index.ts';
import { readKeyFixture } from '#test/fixtures/keys.ts';
import { privateSecretsOf } from '#test/shared/adapters/local/local-home.ts';
import { renderError } from '#test/support/error-renderings.ts';

/** One ClusterSigner under test, over a cluster installed with `initialKey` whose time the test moves. */
export interface ClusterSignerSubject {
  readonly signer: ClusterSigner;
  /** The cluster's service-account issuer (the `iss` of its tokens). */
  readonly issuerUrl: string;
  /** The cluster's current time, and a way to move it on so rollouts progress. */
  readonly now: () => Date;
  readonly advance: (seconds: number) => void;
  /** Makes the cluster's API fail its next call (a 500), through the simulator's fault injection. */
  readonly failNextCall: () => void;
  /** Releases what the subject holds (a server). */
  readonly dispose?: () => Promise<void> | void;
}

/** The committed test keys: the one a subject's cluster is installed with, and the one pushed. */
export function readContractKeys(): { current: PrivateSigningKey; next: PrivateSigningKey } {
  return {
    current: parsePrivateKey(readKeyFixture('rsa2048.private')),
    next: parsePrivateKey(readKeyFixture('other2048.private')),
  };
}

/**
 * The behaviour every ClusterSigner shares (ports.ts): push idempotent for one pair, rolloutProgress
 * from trusted to signing, tokens signed with the rolled-out key, readKeys listing what is trusted, and
 * failed calls that change nothing, carry no key material and converge when retried. The subject's
 * cluster must be installed with {@link readContractKeys}' `current` key; nodes roll out within 10 s.
 */
export function describeClusterSignerContract(
  name: string,
  makeSubject: () => Promise<ClusterSignerSubject> | ClusterSignerSubject,
): void {
  describe(`ClusterSigner contract: ${name}`, () => {
    let subject: ClusterSignerSubject;
    let current: PrivateSigningKey;
    let next: PrivateSigningKey;
    beforeAll(() => {
      ({ current, next } = readContractKeys());
    });
    beforeEach(async () => {
      subject = await makeSubject();
    });
    afterEach(async () => {
      await subject.dispose?.();
    });

    /** Reads progress every 2 simulated seconds until every node signs with `kid`. */
    async function watchUntilSigning(kid: string, maxSteps = 30): Promise<RolloutProgress[]> {
      const seen: RolloutProgress[] = [];
      for (let step = 0; step < maxSteps; step++) {
        const progress = await subject.signer.rolloutProgress(kid);
        seen.push(progress);
        if (progress.nodesUpdated === progress.nodesTotal && progress.signingKid === kid) return seen;
        subject.advance(2);
      }
      return seen;
    }

    const verifierFor = (key: PrivateSigningKey) =>
      createTokenVerifier({
        keySet: { keys: [key.publicKey] },
        issuer: subject.issuerUrl,
        audience: 'sts.amazonaws.com',
      });

    it('reads the installed key as the only trusted one, and signs with it', async () => {
      // Act
      const keys = await subject.signer.readKeys();
      const token = await subject.signer.requestToken('sts.amazonaws.com');

      // Assess
      expect(keys.trustedKids).toEqual([current.publicKey.kid]);
      expect(keys.signingKid).toBe(current.publicKey.kid);
      expect(parsePublicKey(keys.publicKeys.get(current.publicKey.kid) ?? '').kid).toBe(
        current.publicKey.kid,
      );
      await expect(verifierFor(current).verify(token, subject.now())).resolves.toMatchObject({
        kid: current.publicKey.kid,
      });
    });

    it('reports a key it was never given as not trusted', async () => {
      await expect(subject.signer.rolloutProgress(next.publicKey.kid)).resolves.toMatchObject({
        trusted: false,
        signingKid: current.publicKey.kid,
      });
    });

    it('rolls a pushed pair out: trusted first, then every node signs with it', async () => {
      // Act
      await subject.signer.push(next);
      const seen = await watchUntilSigning(next.publicKey.kid);

      // Assess: the cluster accepts the new key's tokens before any node signs with it
      const firstSigning = seen.findIndex((progress) => progress.signingKid === next.publicKey.kid);
      expect(firstSigning).toBeGreaterThan(0);
      expect(seen.slice(firstSigning).every((progress) => progress.trusted)).toBe(true);
      expect(seen.at(-1)).toMatchObject({ trusted: true, signingKid: next.publicKey.kid });
      expect(seen.at(-1)?.nodesUpdated).toBe(seen.at(-1)?.nodesTotal);
    });

    it('issues tokens whose kid is the new key once rolled out, verifiable with its public key only', async () => {
      // Prepare
      await subject.signer.push(next);
      await watchUntilSigning(next.publicKey.kid);

      // Act
      const token = await subject.signer.requestToken('sts.amazonaws.com');

      // Assess
      expect(readTokenHeader(token).kid).toBe(next.publicKey.kid);
      await expect(verifierFor(next).verify(token, subject.now())).resolves.toMatchObject({
        kid: next.publicKey.kid,
      });
      await expect(verifierFor(current).verify(token, subject.now())).rejects.toMatchObject({
        code: 'ERR_TOKEN_KID_UNKNOWN',
      });
    });

    it('reads both trusted kids with their public keys, and the new signing kid, after the rollout', async () => {
      await subject.signer.push(next);
      await watchUntilSigning(next.publicKey.kid);

      const keys = await subject.signer.readKeys();

      expect(keys.trustedKids).toEqual([current.publicKey.kid, next.publicKey.kid]);
      expect(parsePublicKey(keys.publicKeys.get(next.publicKey.kid) ?? '').kid).toBe(next.publicKey.kid);
      expect(keys.signingKid).toBe(next.publicKey.kid);
    });

    it('pushes idempotently: the same pair again starts no second rollout (RETRY-SAFE)', async () => {
      // Prepare
      await subject.signer.push(next);
      await watchUntilSigning(next.publicKey.kid);
      subject.advance(60);
      const settled = await subject.signer.rolloutProgress(next.publicKey.kid);

      // Act
      await subject.signer.push(next);
      const right = await subject.signer.rolloutProgress(next.publicKey.kid);
      subject.advance(60);

      // Assess
      expect(right).toEqual(settled);
      expect(await subject.signer.rolloutProgress(next.publicKey.kid)).toEqual(settled);
      expect((await subject.signer.readKeys()).trustedKids).toEqual([
        current.publicKey.kid,
        next.publicKey.kid,
      ]);
    });

    it('fails a push the API refuses with a coded error that carries no key material (SEALED)', async () => {
      // Prepare
      subject.failNextCall();

      // Act
      const error = await subject.signer.push(next).catch((caught: unknown) => caught);

      // Assess
      expect(isKeyturnError(error)).toBe(true);
      const text = renderError(error);
      expect(text).not.toContain('PRIVATE KEY');
      for (const secret of privateSecretsOf(next)) {
        expect(text).not.toContain(secret);
      }
    });

    it('changes nothing when a push fails, and a retried push rolls the pair out (RETRY-SAFE)', async () => {
      // Prepare
      subject.failNextCall();
      await subject.signer.push(next).catch(() => undefined);
      subject.advance(60);
      const untouched = await subject.signer.rolloutProgress(next.publicKey.kid);

      // Act
      await subject.signer.push(next);
      const seen = await watchUntilSigning(next.publicKey.kid);

      // Assess
      expect(untouched).toMatchObject({ trusted: false, signingKid: current.publicKey.kid });
      expect(seen.at(-1)).toMatchObject({ trusted: true, signingKid: next.publicKey.kid });
    });
  });
}
