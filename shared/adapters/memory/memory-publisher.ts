import { IssuerFetchError } from '../../issuer/errors.ts';
import { parseKeySet } from '../../issuer/key-set.ts';
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
}

/** Creates an in-memory publisher whose public reads see a write after `propagationMs`. */
export function createMemoryPublisher(options: MemoryPublisherOptions): MemoryPublisher {
  const history = new Map<string, { at: number; documents: IssuerDocuments }[]>();
  const delay = options.propagationMs ?? 0;
  let unreachable = false;
  return {
    async publish(issuerUrl, documents) {
      parseKeySet(documents.keySet);
      const versions = history.get(issuerUrl) ?? [];
      versions.push({ at: options.clock.now().getTime() + delay, documents });
      history.set(issuerUrl, versions.slice(-20));
    },
    async invalidate(issuerUrl) {
      const latest = history.get(issuerUrl)?.at(-1);
      if (latest !== undefined) {
        latest.at = Math.min(latest.at, options.clock.now().getTime());
      }
    },
    async readPublic(issuerUrl) {
      const now = options.clock.now().getTime();
      const visible = (history.get(issuerUrl) ?? []).filter((version) => version.at <= now).at(-1);
      if (unreachable || visible === undefined) {
        throw new IssuerFetchError(
          'ERR_ISSUER_FETCH',
          `${issuerUrl}/keys.json answered HTTP 404, expected 200`,
        );
      }
      const kids = parseKeySet(visible.documents.keySet, { requireKubernetesKids: false }).keys.map(
        (key) => key.kid,
      );
      return { kids, keySet: visible.documents.keySet };
    },
    origin: (issuerUrl) => history.get(issuerUrl)?.at(-1)?.documents,
    setUnreachable: (value) => {
      unreachable = value;
    },
  };
}
