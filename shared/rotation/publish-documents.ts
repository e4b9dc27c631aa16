import { parseKeySet } from '../issuer/key-set.ts';
import type { Keyring } from '../keyring/keyring.ts';
import { buildIssuerDocuments, publishedKeys } from '../keyring/queries.ts';
import type { PublicView, RotationPorts } from '../ports.ts';

/**
 * Publishes keys.json and the discovery document for a committed keyring, then invalidates caches.
 * Documents are always built from a keyring already written, so whatever is public matches a state the
 * store holds; a re-run publishes the same bytes (RETRY-SAFE). Returns the kids published.
 */
export async function publishKeyring(
  ports: Pick<RotationPorts, 'publisher'>,
  keyring: Keyring,
): Promise<string[]> {
  const documents = buildIssuerDocuments(keyring);
  await ports.publisher.publish(keyring.issuerUrl, documents);
  await ports.publisher.invalidate(keyring.issuerUrl);
  return publishedKeys(keyring).map((key) => key.kid);
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
