import { join } from 'node:path';
import { DISCOVERY_PATH, KEY_SET_PATH, parseDiscovery } from '../../issuer/discovery.ts';
import { InvalidIssuerUrlError } from '../../issuer/errors.ts';
import { normalizeIssuerUrl } from '../../issuer/issuer-url.ts';
import { parseKeySet } from '../../issuer/key-set.ts';
import type { Fetch } from '../../issuer/read-public-issuer.ts';
import { readPublicKeySet } from '../../issuer/served-headers.ts';
import type { IssuerPublisher } from '../../ports.ts';
import { replaceFileAtomically } from './home.ts';

/** Where the directory publisher writes and how it reads back. */
export interface DirectoryPublisherOptions {
  /** The directory the local issuer server serves (`<home>/public`). */
  readonly root: string;
  /** Used by `readPublic`. @default globalThis.fetch */
  readonly fetch?: Fetch;
}

/** Documents are public: readable by the server, whoever runs it. */
const PUBLIC_FILE_MODE = 0o644;
const PUBLIC_DIR_MODE = 0o755;

/** A URL path segment that is also a plain directory name. */
const PATH_SEGMENT = /^[A-Za-z0-9._~-]+$/;

/**
 * An IssuerPublisher for a directory served over HTTP (local/issuer-server.ts): the issuer
 * `http://127.0.0.1:8080/demo` is published as `<root>/demo/keys.json` and
 * `<root>/demo/.well-known/openid-configuration`, each replaced atomically, keys.json first, so a relying
 * party never reads a half file or a discovery document pointing at keys that are not there yet.
 */
export function createDirectoryPublisher(options: DirectoryPublisherOptions): IssuerPublisher {
  return {
    async publish(issuerUrl, documents) {
      const issuer = normalizeIssuerUrl(issuerUrl);
      const directory = issuerDirectory(options.root, issuer);
      // ALWAYS-VALID: nothing that would not pass a relying party's checks reaches the directory.
      parseKeySet(documents.keySet);
      parseDiscovery(documents.discovery, issuer);
      const write = { mode: PUBLIC_FILE_MODE, dirMode: PUBLIC_DIR_MODE };
      await replaceFileAtomically(join(directory, KEY_SET_PATH), documents.keySet, write);
      await replaceFileAtomically(join(directory, ...DISCOVERY_PATH.split('/')), documents.discovery, write);
    },

    async invalidate() {
      // Nothing to do: there is no CDN in front of the local directory and the issuer server reads the files
      // on every request, so a publish is visible at once.
    },

    // The local issuer server sends CloudFront's headers; a proxy in between may not, so they are checked.
    readPublic: (issuerUrl) => readPublicKeySet(issuerUrl, { fetch: options.fetch }),
  };
}

/** `<root>/<issuer path>`; segments that are not plain directory names (`..`, `%2F`...) are refused. */
export function issuerDirectory(root: string, issuer: string): string {
  const segments = new URL(issuer).pathname.split('/').slice(1);
  if (segments.length === 1 && segments[0] === '') {
    return root;
  }
  for (const segment of segments) {
    if (!PATH_SEGMENT.test(segment) || segment === '.' || segment === '..') {
      throw new InvalidIssuerUrlError(
        'ERR_ISSUER_URL',
        `issuer ${issuer}: path segment ${JSON.stringify(segment)} cannot be published to a directory; use letters, digits, '.', '-', '_' or '~'`,
      );
    }
  }
  return join(root, ...segments);
}
