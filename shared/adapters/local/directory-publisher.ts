import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DISCOVERY_PATH, KEY_SET_PATH, parseDiscovery } from '../../issuer/discovery.ts';
import { InvalidIssuerUrlError } from '../../issuer/errors.ts';
import { normalizeIssuerUrl } from '../../issuer/issuer-url.ts';
import { parseKeySet } from '../../issuer/key-set.ts';
import type { Fetch } from '../../issuer/read-public-issuer.ts';
import { readPublicKeySet } from '../../issuer/served-headers.ts';
import { PublishConflictError } from '../../port-errors.ts';
import type { IssuerDocuments, IssuerPublisher, PublishOutcome } from '../../ports.ts';
import { homeAccessError } from './errors.ts';
import { acquireFileLock, type FileLockOptions } from './file-lock.ts';
import { errorCode, replaceFileAtomically } from './home.ts';

/** Where the directory publisher writes and how it reads back. */
export interface DirectoryPublisherOptions {
  /** The directory the local issuer server serves (`<home>/public`). */
  readonly root: string;
  /** Used by `readPublic`. @default globalThis.fetch */
  readonly fetch?: Fetch;
  /** Waiting for another process's publish of the same issuer. @default acquireFileLock's defaults */
  readonly lock?: FileLockOptions;
}

/** Documents are public: readable by the server, whoever runs it. */
const PUBLIC_FILE_MODE = 0o644;
const PUBLIC_DIR_MODE = 0o755;

/**
 * Beside an issuer's documents: the keyring generation they were built from, and the lock of one publish.
 * Neither is served: the issuer server answers only for keys.json and the discovery document.
 */
const GENERATION_FILE = '.keyturn-generation';
const LOCK_FILE = '.keyturn-publish.lock';

/** A URL path segment that is also a plain directory name. */
// At most 255 characters: one directory name each (NAME_MAX), refused before init seals a key.
const PATH_SEGMENT = /^[A-Za-z0-9._~-]{1,255}$/;

/**
 * An IssuerPublisher for a directory served over HTTP (local/issuer-server.ts): the issuer
 * `http://127.0.0.1:8080/demo` is published as `<root>/demo/keys.json` and
 * `<root>/demo/.well-known/openid-configuration`, each replaced atomically, keys.json first, so a relying
 * party never reads a half file or a discovery document pointing at keys that are not there yet.
 * Publications are ordered by the documents' generation, kept in `<root>/demo/.keyturn-generation`: under
 * a lock file (two keyturn processes, a rotation and a maintenance, may publish at once), documents of a
 * lower generation than the one recorded are refused as `superseded`; the same generation is written again.
 */
export function createDirectoryPublisher(options: DirectoryPublisherOptions): IssuerPublisher {
  return {
    async publish(issuerUrl, documents) {
      const issuer = normalizeIssuerUrl(issuerUrl);
      const directory = issuerDirectory(options.root, issuer);
      // ALWAYS-VALID: nothing that would not pass a relying party's checks reaches the directory.
      parseKeySet(documents.keySet);
      parseDiscovery(documents.discovery, issuer);
      await mkdir(directory, { recursive: true, mode: PUBLIC_DIR_MODE });
      const lock = await acquireFileLock(join(directory, LOCK_FILE), options.lock);
      if (!lock.acquired) {
        const holder = lock.holder === undefined ? '' : ` (pid ${lock.holder.pid} since ${lock.holder.time})`;
        throw new PublishConflictError(
          'ERR_PUBLISH_CONFLICT',
          `${directory}: another keyturn process is publishing this issuer${holder}; nothing was written: retry the publish`,
        );
      }
      try {
        return await writeDocuments(directory, documents);
      } finally {
        await lock.release();
      }
    },

    async invalidate() {
      // Nothing to do: there is no CDN in front of the local directory and the issuer server reads the files
      // on every request, so a publish is visible at once.
    },

    // The local issuer server sends CloudFront's headers; a proxy in between may not, so they are checked.
    readPublic: (issuerUrl) => readPublicKeySet(issuerUrl, { fetch: options.fetch }),
  };
}

/**
 * Writes the documents unless those in place carry a higher generation. The generation goes first: a
 * crash after it leaves the older documents marked newer, which only a publish of that generation (the
 * retry, or maintenance, which sees the difference) replaces; the other order would let a stale writer
 * replace documents of the newer generation.
 */
async function writeDocuments(directory: string, documents: IssuerDocuments): Promise<PublishOutcome> {
  if (documents.generation < (await readGeneration(directory))) {
    return 'superseded';
  }
  const write = { mode: PUBLIC_FILE_MODE, dirMode: PUBLIC_DIR_MODE };
  await replaceFileAtomically(join(directory, GENERATION_FILE), `${documents.generation}\n`, write);
  await replaceFileAtomically(join(directory, KEY_SET_PATH), documents.keySet, write);
  await replaceFileAtomically(join(directory, ...DISCOVERY_PATH.split('/')), documents.discovery, write);
  return 'published';
}

/** The generation of the documents in place; 0 when none is recorded (nothing published, or by older code). */
async function readGeneration(directory: string): Promise<number> {
  let text: string;
  try {
    text = await readFile(join(directory, GENERATION_FILE), 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return 0;
    throw homeAccessError(error, join(directory, GENERATION_FILE));
  }
  const generation = Number(text.trim());
  return Number.isSafeInteger(generation) && generation >= 0 ? generation : 0;
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
        `issuer ${issuer}: path segment ${JSON.stringify(segment)} cannot be published to a directory; use 1 to 255 letters, digits, '.', '-', '_' or '~'`,
      );
    }
  }
  return join(root, ...segments);
}
