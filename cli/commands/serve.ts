import type { Command } from 'commander';
import { startHomeServer } from '#local/home-server.ts';
import type { IssuerServer } from '#local/issuer-server.ts';
import {
  type LocalIssuerOrigin,
  LocalIssuerUrlError,
  listenerCovers,
  servableIssuerOrigin,
} from '#local/servable-issuer.ts';
import { createFileKeyringStore, keyturnHomeLayout } from '#shared/adapters/local/index.ts';
import { HOME_OPTION, homeFrom } from '../home.ts';
import type { CliIo } from '../io.ts';
import { parsePortOption } from '../option-parsers.ts';

/** Where `serve` listens when the home has no issuer yet, and without --port. */
const DEFAULT_ADDRESS = { host: '127.0.0.1', port: 8080 } as const;

interface ServeOptions {
  home?: string;
  port?: number;
  host?: string;
}

/** An address to listen on, and the issuers of the home reached there. */
interface ListenAddress {
  readonly host: string;
  readonly port: number;
  readonly issuerIds: string[];
}

/** An issuer of the home and where its URL says it is served. */
interface ServedIssuer {
  readonly issuerId: string;
  readonly issuerUrl: string;
  readonly origin: LocalIssuerOrigin;
}

/**
 * `keyturn serve [--home DIR] [--port P] [--host ADDRESS]` serves the home's `public/` where its issuers'
 * URLs say (one server per host and port they name), so relying parties and local rotations find them;
 * `--port` (one address) and `--host` override, with a warning for each issuer then out of reach. It
 * records itself under `<home>/run/`: `rotate --local` and `maintain --local` then publish through it.
 */
export function registerServe(program: Command, io: CliIo): void {
  program
    .command('serve')
    .description(
      'serve the published keys.json and discovery documents the way CloudFront does, until stopped',
    )
    .option(...HOME_OPTION)
    .option(
      '--port <port>',
      "port to listen on (default: the ports the home's issuer URLs name, else 8080)",
      parsePortOption,
    )
    .option('--host <address>', "address to listen on (default: the issuer URLs' hosts, else 127.0.0.1)")
    .action(async (options: ServeOptions) => {
      const home = homeFrom(io, options.home);
      const root = keyturnHomeLayout(home).publicDir;
      const issuers = await readServedIssuers(home, io);
      const addresses = listenAddressesOf(issuers, options);
      warnOutOfReach(io, issuers, addresses, options);
      const servers: IssuerServer[] = [];
      try {
        for (const { host, port, issuerIds } of addresses) {
          const server = await startHomeServer({ home, host, port, command: 'keyturn serve' });
          servers.push(server);
          const names = issuerIds.length === 0 ? '' : ` (issuer ${issuerIds.join(', ')})`;
          io.err(`Serving ${root} at ${server.url}${names}\n`);
        }
        io.err('Ctrl-C to stop\n');
        await io.untilStopped();
      } finally {
        await Promise.all(servers.map((server) => server.close()));
      }
      io.err('Stopped.\n');
    });
}

/** The home's issuers that can be served here; one that cannot is named in a warning and left out. */
async function readServedIssuers(home: string, io: CliIo): Promise<ServedIssuer[]> {
  const store = createFileKeyringStore({ home });
  const served: ServedIssuer[] = [];
  for (const issuerId of await store.list()) {
    const keyring = (await store.read(issuerId))?.keyring;
    if (keyring === undefined) continue;
    try {
      served.push({
        issuerId,
        issuerUrl: keyring.issuerUrl,
        origin: servableIssuerOrigin(keyring.issuerUrl),
      });
    } catch (error) {
      if (!(error instanceof LocalIssuerUrlError)) throw error;
      io.err(`keyturn: warning: not serving issuer ${issuerId}: ${error.message}\n`);
    }
  }
  return served;
}

/**
 * `--port`: that one address. Else one address per host and port the issuers name (`--host` replacing
 * their hosts), an address that already answers for a host counting for it (`localhost` next to
 * `127.0.0.1`); without issuers, 127.0.0.1:8080.
 */
function listenAddressesOf(issuers: readonly ServedIssuer[], options: ServeOptions): ListenAddress[] {
  if (options.port !== undefined || issuers.length === 0) {
    const host = options.host ?? DEFAULT_ADDRESS.host;
    const port = options.port ?? DEFAULT_ADDRESS.port;
    const reached = issuers.filter(({ origin }) => reaches({ host, port }, origin));
    return [{ host, port, issuerIds: reached.map((issuer) => issuer.issuerId) }];
  }
  const addresses: ListenAddress[] = [];
  for (const { issuerId, origin } of issuers) {
    const host = options.host ?? origin.host;
    const existing = addresses.find((address) => reaches(address, { host, port: origin.port }));
    if (existing === undefined) addresses.push({ host, port: origin.port, issuerIds: [issuerId] });
    else existing.issuerIds.push(issuerId);
  }
  return addresses;
}

/** Warns, per issuer, when no address listened on is where its URL points. */
function warnOutOfReach(
  io: CliIo,
  issuers: readonly ServedIssuer[],
  addresses: readonly ListenAddress[],
  options: ServeOptions,
): void {
  const given = [
    ...(options.port === undefined ? [] : [`--port ${options.port}`]),
    ...(options.host === undefined ? [] : [`--host ${options.host}`]),
  ].join(' ');
  for (const { issuerId, issuerUrl, origin } of issuers) {
    if (addresses.some((address) => reaches(address, origin))) continue;
    io.err(
      `keyturn: warning: issuer ${issuerId}'s URL ${issuerUrl} names ${origin.host}:${origin.port}, where this ` +
        `serve does not listen (${given}): relying parties, and rotate --local publishing through it, look there\n`,
    );
  }
}

function reaches(address: { host: string; port: number }, origin: { host: string; port: number }): boolean {
  return address.port === origin.port && listenerCovers(address.host, origin.host);
}
