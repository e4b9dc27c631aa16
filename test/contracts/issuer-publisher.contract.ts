import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildDiscovery, buildKeySet } from '#shared/issuer/index.ts';
import { parsePublicKey } from '#shared/keys/index.ts';
import {
  InvalidDiscoveryError,
  InvalidKeySetError,
  type IssuerDocuments,
  IssuerFetchError,
  IssuerHeadersError,
  type IssuerPublisher,
} from '#shared/ports.ts';
import { readKeyFixture } from '#test/fixtures/keys.ts';

/** One IssuerPublisher under test, with the issuer URL it serves. */
export interface IssuerPublisherSubject {
  readonly publisher: IssuerPublisher;
  /** An issuer URL whose documents this publisher writes and reads back. */
  readonly issuerUrl: string;
  /**
   * From now on, keys.json reaches relying parties with these headers instead of the published ones, as
   * when a CDN policy or a proxy overrides them.
   */
  readonly serveWithHeaders: (headers: Readonly<Record<string, string>>) => void;
  /** Releases what the subject holds (a server, a directory, installed SDK fakes). */
  readonly dispose?: () => Promise<void> | void;
}

const fixtureKey = parsePublicKey(readKeyFixture('rsa2048.public'));
const otherKey = parsePublicKey(readKeyFixture('other2048.public'));
const fixtureJwk = (JSON.parse(buildKeySet([fixtureKey])) as { keys: object[] }).keys[0];

/** Headers relying parties need on keys.json (DESIGN.md §1). */
const GOOD_HEADERS = { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' };

/**
 * The behaviour every IssuerPublisher shares (ports.ts): publish then readPublic sees the kids, publish
 * and invalidate are idempotent, an invalid key set never reaches the public (ALWAYS-VALID), documents of
 * an older keyring generation never replace newer ones, and readPublic applies the one header check of
 * shared/issuer/served-headers.ts.
 */
export function describeIssuerPublisherContract(
  name: string,
  makeSubject: () => Promise<IssuerPublisherSubject> | IssuerPublisherSubject,
): void {
  describe(`IssuerPublisher contract: ${name}`, () => {
    let subject: IssuerPublisherSubject;
    const documentsFor = (keys = [fixtureKey], generation = 1): IssuerDocuments => ({
      keySet: buildKeySet(keys),
      discovery: buildDiscovery(subject.issuerUrl),
      generation,
    });
    const publishAndInvalidate = async (documents: IssuerDocuments) => {
      await subject.publisher.publish(subject.issuerUrl, documents);
      await subject.publisher.invalidate(subject.issuerUrl);
    };
    beforeEach(async () => {
      subject = await makeSubject();
    });
    afterEach(async () => {
      await subject.dispose?.();
    });

    it('reads back the published kids, in order, and the keys.json text as published', async () => {
      // Prepare
      const documents = documentsFor([fixtureKey, otherKey]);

      // Act
      await publishAndInvalidate(documents);
      const view = await subject.publisher.readPublic(subject.issuerUrl);

      // Assess
      expect(view).toEqual({ kids: [fixtureKey.kid, otherKey.kid], keySet: documents.keySet });
    });

    it('publishes and invalidates idempotently: a re-run changes nothing (RETRY-SAFE)', async () => {
      // Prepare
      const documents = documentsFor();
      await publishAndInvalidate(documents);

      // Act
      await subject.publisher.publish(subject.issuerUrl, documents);
      await subject.publisher.invalidate(subject.issuerUrl);
      await subject.publisher.invalidate(subject.issuerUrl);

      // Assess
      await expect(subject.publisher.readPublic(subject.issuerUrl)).resolves.toEqual({
        kids: [fixtureKey.kid],
        keySet: documents.keySet,
      });
    });

    it('replaces the public keys.json with the next publish', async () => {
      await publishAndInvalidate(documentsFor([fixtureKey]));
      await publishAndInvalidate(documentsFor([fixtureKey, otherKey]));

      expect((await subject.publisher.readPublic(subject.issuerUrl)).kids).toEqual([
        fixtureKey.kid,
        otherKey.kid,
      ]);
    });

    it('never replaces keys.json of a newer keyring generation with an older one (ALWAYS-VALID, NO-ORPHAN-TOKENS)', async () => {
      // Prepare: the rotation published its new key from generation 8; a maintenance read generation 7.
      const newer = documentsFor([fixtureKey, otherKey], 8);
      await publishAndInvalidate(newer);

      // Act
      const outcome = await subject.publisher.publish(subject.issuerUrl, documentsFor([fixtureKey], 7));
      await subject.publisher.invalidate(subject.issuerUrl);

      // Assess
      expect(outcome).toBe('superseded');
      expect((await subject.publisher.readPublic(subject.issuerUrl)).keySet).toBe(newer.keySet);
    });

    it('publishes a newer generation over an older one and the same generation again (RETRY-SAFE)', async () => {
      // Prepare
      await publishAndInvalidate(documentsFor([fixtureKey], 7));
      const newer = documentsFor([fixtureKey, otherKey], 8);

      // Act
      const outcomes = [
        await subject.publisher.publish(subject.issuerUrl, newer),
        await subject.publisher.publish(subject.issuerUrl, newer),
      ];
      await subject.publisher.invalidate(subject.issuerUrl);

      // Assess
      expect(outcomes).toEqual(['published', 'published']);
      expect((await subject.publisher.readPublic(subject.issuerUrl)).keySet).toBe(newer.keySet);
    });

    it('fails with ERR_ISSUER_FETCH before anything is published', async () => {
      const reading = subject.publisher.readPublic(subject.issuerUrl);

      await expect(reading).rejects.toBeInstanceOf(IssuerFetchError);
      await expect(reading).rejects.toMatchObject({ code: 'ERR_ISSUER_FETCH' });
    });

    it.each([
      ['an empty set', '{"keys": []}', 'ERR_KEYSET_INVALID'],
      ['duplicate kids', JSON.stringify({ keys: [fixtureJwk, fixtureJwk] }), 'ERR_KEYSET_DUPLICATE_KID'],
      ['a wrong kid', buildKeySet([fixtureKey]).replace(fixtureKey.kid, 'x'), 'ERR_KEYSET_KID_MISMATCH'],
    ])(
      'refuses to publish %s with %s and keeps what was public (ALWAYS-VALID)',
      async (_variant, keySet, code) => {
        // Prepare
        const before = documentsFor([otherKey]);
        await publishAndInvalidate(before);

        // Act
        const refused = subject.publisher.publish(subject.issuerUrl, { ...before, keySet });

        // Assess
        await expect(refused).rejects.toBeInstanceOf(InvalidKeySetError);
        await expect(refused).rejects.toMatchObject({ code });
        await subject.publisher.invalidate(subject.issuerUrl);
        expect((await subject.publisher.readPublic(subject.issuerUrl)).keySet).toBe(before.keySet);
      },
    );

    it('refuses a discovery document naming another issuer with ERR_DISCOVERY_ISSUER_MISMATCH', async () => {
      const documents = { ...documentsFor(), discovery: buildDiscovery('https://elsewhere.example.com/x') };

      const publishing = subject.publisher.publish(subject.issuerUrl, documents);

      await expect(publishing).rejects.toBeInstanceOf(InvalidDiscoveryError);
      await expect(publishing).rejects.toMatchObject({ code: 'ERR_DISCOVERY_ISSUER_MISMATCH' });
    });

    it('accepts keys.json served as application/json with a charset', async () => {
      await publishAndInvalidate(documentsFor());
      subject.serveWithHeaders({ ...GOOD_HEADERS, 'content-type': 'application/json; charset=utf-8' });

      expect((await subject.publisher.readPublic(subject.issuerUrl)).kids).toEqual([fixtureKey.kid]);
    });

    it.each([
      [
        'another content type',
        { ...GOOD_HEADERS, 'content-type': 'binary/octet-stream' },
        'binary/octet-stream',
      ],
      ['no content type', { 'cache-control': 'public, max-age=300' }, '(none)'],
      ['no-store', { ...GOOD_HEADERS, 'cache-control': 'no-store' }, 'no-store'],
      ['max-age=0', { ...GOOD_HEADERS, 'cache-control': 'public, MAX-AGE = 0' }, 'max-age=0'],
    ])('refuses keys.json served with %s with ERR_ISSUER_HEADERS', async (_variant, headers, named) => {
      // Prepare
      await publishAndInvalidate(documentsFor());
      subject.serveWithHeaders(headers);

      // Act, Assess
      const reading = subject.publisher.readPublic(subject.issuerUrl);

      await expect(reading).rejects.toBeInstanceOf(IssuerHeadersError);
      await expect(reading).rejects.toMatchObject({
        code: 'ERR_ISSUER_HEADERS',
        message: expect.stringContaining(named),
      });
    });
  });
}
