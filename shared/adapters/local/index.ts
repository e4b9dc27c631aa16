/**
 * The embedded default adapters (DESIGN.md §3, local shape): a vault of files sealed under a local master
 * key, a keyring store of JSON files, a publisher writing a directory the local issuer server serves, and
 * a JSON-lines audit log, all under one keyturn home.
 */
import type { Fetch } from '../../issuer/read-public-issuer.ts';
import type { Clock, ClusterSigner, RotationPorts } from '../../ports.ts';
import { createDirectoryPublisher } from './directory-publisher.ts';
import { createFileKeyringStore } from './file-keyring-store.ts';
import { keyturnHomeLayout } from './home.ts';
import { createJsonLinesAuditLog } from './json-lines-audit-log.ts';
import { createLocalVault } from './local-vault.ts';

export { createDirectoryPublisher, issuerDirectory } from './directory-publisher.ts';
export { createFileKeyringStore } from './file-keyring-store.ts';
export {
  assertSafeName,
  createFileExclusively,
  keyturnHomeLayout,
  replaceFileAtomically,
  resolveKeyturnHome,
} from './home.ts';
export { createJsonLinesAuditLog, readAuditLog } from './json-lines-audit-log.ts';
export { createLocalVault } from './local-vault.ts';

/** What {@link createLocalPorts} needs. */
export interface LocalPortsOptions {
  /** The keyturn home (see resolveKeyturnHome). */
  readonly home: string;
  /** The cluster: the OpenShift simulator or a real one through a kubeconfig. */
  readonly cluster: ClusterSigner;
  /** @default the system clock */
  readonly clock?: Clock;
  /** Who acts, for the audit trail. @default 'local' */
  readonly actor?: string;
  /** Used to read the published documents back. @default globalThis.fetch */
  readonly fetch?: Fetch;
}

/** The system clock. */
export const systemClock: Clock = { now: () => new Date() };

/**
 * The ports that live under `home` (vault, keyring store, publisher, audit) with a clock and an actor:
 * everything but the cluster, which `keyturn init` does not need.
 */
export function createLocalHomePorts(
  options: Omit<LocalPortsOptions, 'cluster'>,
): Omit<RotationPorts, 'cluster'> {
  const { home } = options;
  return {
    vault: createLocalVault({ home }),
    store: createFileKeyringStore({ home }),
    publisher: createDirectoryPublisher({
      root: keyturnHomeLayout(home).publicDir,
      fetch: options.fetch,
    }),
    clock: options.clock ?? systemClock,
    audit: createJsonLinesAuditLog({ home }),
    actor: options.actor ?? 'local',
  };
}

/**
 * Every port of a rotation on local backends under `home`. The publisher writes `<home>/public`; serve it
 * with startIssuerServer (local/issuer-server.ts) at the issuer URL's origin so `readPublic` can see it.
 */
export function createLocalPorts(options: LocalPortsOptions): RotationPorts {
  return { ...createLocalHomePorts(options), cluster: options.cluster };
}
