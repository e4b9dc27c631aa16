import { KEY_SET_PATH, parseDiscovery } from '../../issuer/discovery.ts';
import { IssuerFetchError } from '../../issuer/errors.ts';
import { issuerDocumentUrl, normalizeIssuerUrl } from '../../issuer/issuer-url.ts';
import { parseKeySet } from '../../issuer/key-set.ts';
import { ISSUER_CACHE_CONTROL, ISSUER_CONTENT_TYPE } from '../../issuer/publishing.ts';
import { assertServedForRelyingParties } from '../../issuer/served-headers.ts';
import type { Clock, IssuerDocuments, IssuerPublisher } from '../../ports.ts';

/** Options of {@link createMemoryPublisher}. */
export interface MemoryPublisherOptions {
  readonly clock: Clock;
  /**
   * How long a publish takes to reach the public URL (a CDN edge) unless invalidated. @default 0
   */
  readonly propagationMs?: number;
}

/** An in-memory publisher: the origin, and a public view that lags by the propagation delay. */
export interface MemoryPublisher extends IssuerPublisher {
  /** The documents at the origin for an issuer (what was last written). */
  readonly origin: (issuerUrl: string) => IssuerDocuments | undefined;
  /** Makes the public URL fail (true) or answer again (false), to test confirm-visible. */
  readonly setUnreachable: (unreachable: boolean) => void;
  /**
   * Serves keys.json with these headers instead of the published ones (a CDN policy overriding them),
   * or with the published ones again when undefined, to test the header check of `readPublic`.
   */
  readonly setServedHeaders: (headers: Readonly<Record<string, string>> | undefined) => void;
}

/**
 * Creates an in-memory publisher whose public reads see a write after `propagationMs`. `publish` checks
 * both documents as every publisher does (ALWAYS-VALID) and, as they do, leaves documents of a higher
 * generation in place (`superseded`); `readPublic` applies the same header check as the publishers served
 * over HTTP (served-headers.ts) to the headers keys.json is "served" with.
 */
export function createMemoryPublisher(options: MemoryPublisherOptions): MemoryPublisher {
  const history = new Map<string, { at: number; documents: IssuerDocuments }[]>();
  const delay = options.propagationMs ?? 0;
  let unreachable = false;
  let servedHeaders: Readonly<Record<string, string>> | undefined;
  const publishedHeaders: Readonly<Record<string, string>> = {
    'content-type': ISSUER_CONTENT_TYPE,
    'cache-control': ISSUER_CACHE_CONTROL[KEY_SET_PATH],
  };
  return {
    async publish(issuerUrl, documents) {
      parseKeySet(documents.keySet);
      parseDiscovery(documents.discovery, normalizeIssuerUrl(issuerUrl));
      const versions = history.get(issuerUrl) ?? [];
      const latest = versions.at(-1)?.documents.generation ?? 0;
      if (documents.generation < latest) {
        return 'superseded';
      }
      versions.push({ at: options.clock.now().getTime() + delay, documents });
      history.set(issuerUrl, versions.slice(-20));
      return 'published';
    },
    async invalidate(issuerUrl) {
      const latest = history.get(issuerUrl)?.at(-1);
      if (latest !== undefined) {
        latest.at = Math.min(latest.at, options.clock.now().getTime());
      }
    },
    async readPublic(issuerUrl) {
      const url = issuerDocumentUrl(normalizeIssuerUrl(issuerUrl), KEY_SET_PATH);
      const now = options.clock.now().getTime();
      const visible = (history.get(issuerUrl) ?? []).filter((version) => version.at <= now).at(-1);
      if (unreachable || visible === undefined) {
        throw new IssuerFetchError('ERR_ISSUER_FETCH', `${url} answered HTTP 404, expected 200`);
      }
      assertServedForRelyingParties(url, new Headers(servedHeaders ?? publishedHeaders));
      const kids = parseKeySet(visible.documents.keySet).keys.map((key) => key.kid);
      return { kids, keySet: visible.documents.keySet };
    },
    origin: (issuerUrl) => history.get(issuerUrl)?.at(-1)?.documents,
    setUnreachable: (value) => {
      unreachable = value;
    },
    setServedHeaders: (headers) => {
      servedHeaders = headers;
    },
  };
}
