import { parseKeySet } from '../issuer/key-set.ts';
import type { Keyring } from '../keyring/keyring.ts';
import { buildIssuerDocuments, publishedKeys } from '../keyring/queries.ts';
import type { PublicView, PublishOutcome, RotationPorts } from '../ports.ts';
import { loadKeyring } from './step-context.ts';

/** What a publication of a keyring did. */
export interface KeyringPublication {
  /** The kids of the keyring's keys.json, oldest first. */
  readonly kids: string[];
  /** `superseded` when the publisher already held documents of a newer keyring revision (nothing written). */
  readonly outcome: PublishOutcome;
}

/**
 * Publishes keys.json and the discovery document for a committed keyring, then invalidates caches.
 * Documents are always built from a keyring already written (pass the keyring `commit` returned: it
 * carries the generation), so whatever is public matches a state the store holds; they carry the
 * keyring's generation, and the publisher keeps documents of a newer generation rather than go back to
 * these (a writer that read the keyring before another committed and published). A re-run publishes the
 * same bytes (RETRY-SAFE). A superseded publication invalidates nothing: the newer writer does.
 */
export async function publishKeyring(
  ports: Pick<RotationPorts, 'publisher'>,
  keyring: Keyring,
): Promise<KeyringPublication> {
  const documents = buildIssuerDocuments(keyring);
  const outcome = await ports.publisher.publish(keyring.issuerUrl, documents);
  if (outcome === 'published') {
    await ports.publisher.invalidate(keyring.issuerUrl);
  }
  return { kids: publishedKeys(keyring).map((key) => key.kid), outcome };
}

/**
 * Reads the keyring again and publishes that revision: for a caller whose own read may be stale by now
 * (maintenance, which decides to republish after reading the public copy), so it publishes what the
 * latest revision says, not what it read at its start. The publisher's ordering covers a commit that
 * lands between this read and the write.
 */
export async function publishLatestKeyring(
  ports: Pick<RotationPorts, 'publisher' | 'store'>,
  issuerId: string,
): Promise<KeyringPublication> {
  const latest = await loadKeyring(ports, issuerId);
  return publishKeyring(ports, latest.keyring);
}

/** Reads what relying parties see, checks it is a valid key set, and lists the kids it lacks. */
export async function readPublicKids(
  ports: Pick<RotationPorts, 'publisher'>,
  keyring: Keyring,
): Promise<{ view: PublicView; missing: string[] }> {
  const view = await ports.publisher.readPublic(keyring.issuerUrl);
  parseKeySet(view.keySet);
  const missing = publishedKeys(keyring)
    .map((key) => key.kid)
    .filter((kid) => !view.kids.includes(kid));
  return { view, missing };
}
