import { KeyturnError } from '#shared/errors.ts';
import { normalizeIssuerUrl } from '#shared/issuer/index.ts';

/** An issuer URL the local issuer server cannot serve; `init --local` refuses it, `rotate --local` too. */
export class LocalIssuerUrlError extends KeyturnError<'ERR_ISSUER_NOT_SERVABLE'> {}

/** Where a local issuer is served: the address to listen on and the port its URL names. */
export interface LocalIssuerOrigin {
  /** The address to listen on: `127.0.0.1`, `::1` or `localhost` (as the URL names it). */
  readonly host: string;
  readonly port: number;
  /** `http://127.0.0.1:8080`: the URL's origin, as relying parties reach it. */
  readonly origin: string;
}

/** Loopback host names as `URL.hostname` spells them, and the address each is listened on. */
const LOOPBACK_LISTEN: Readonly<Record<string, string>> = {
  '127.0.0.1': '127.0.0.1',
  localhost: 'localhost',
  '[::1]': '::1',
};

/** Below 1024 a port needs root to listen on; keyturn never asks for that. */
const FIRST_UNPRIVILEGED_PORT = 1024;

const EXAMPLE = 'http://127.0.0.1:8080/demo';

/**
 * The one rule for the issuer URLs keyturn serves on this machine (`init --local` accepts, `keyturn serve`
 * and a local rotation listen on): plain `http://` (the local server has no TLS), host `127.0.0.1`,
 * `localhost` or `[::1]`, an explicit port 1024-65535, and a path (the issuer's directory under
 * `public/`). Returns where to listen; throws LocalIssuerUrlError saying what to change otherwise.
 */
export function servableIssuerOrigin(issuerUrl: string): LocalIssuerOrigin {
  const url = new URL(normalizeIssuerUrl(issuerUrl));
  const refuse = (why: string): never => {
    throw new LocalIssuerUrlError(
      'ERR_ISSUER_NOT_SERVABLE',
      `issuer ${issuerUrl} cannot be served on this machine: ${why}. A local issuer is ` +
        `http://127.0.0.1:PORT/PATH (or localhost, [::1]) with a port of ${FIRST_UNPRIVILEGED_PORT}-65535 and a path, ` +
        `e.g. ${EXAMPLE}; an https:// issuer is published by the AWS stack (keyturn init --aws)`,
    );
  };
  if (url.protocol !== 'http:') refuse('keyturn serve speaks plain http://, it has no TLS certificate');
  const host =
    LOOPBACK_LISTEN[url.hostname] ?? refuse(`${url.hostname} is not a loopback name of this machine`);
  // URL drops a port that is the scheme's default, so http://127.0.0.1:80/x has none either.
  const port = Number(url.port);
  if (url.port === '') refuse('it names no port');
  if (port < FIRST_UNPRIVILEGED_PORT) refuse(`port ${port} needs root to listen on`);
  if (url.pathname.replace(/\/+$/, '') === '') refuse('it has no path to publish it under');
  return { host, port, origin: url.origin };
}

/** Wildcard addresses: a server listening there also answers on every loopback address. */
const WILDCARD_HOSTS: ReadonlySet<string> = new Set(['0.0.0.0', '::', '']);

/**
 * True when a server listening on `listenHost` answers requests to the loopback `issuerHost` (both as
 * {@link LocalIssuerOrigin.host}): the same address, a wildcard, or `localhost` next to the address it
 * names. A probe decides in the end; this only picks the candidates.
 */
export function listenerCovers(listenHost: string, issuerHost: string): boolean {
  return (
    listenHost === issuerHost ||
    WILDCARD_HOSTS.has(listenHost) ||
    listenHost === 'localhost' ||
    issuerHost === 'localhost'
  );
}
