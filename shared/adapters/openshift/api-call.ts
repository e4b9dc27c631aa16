import { ApiException } from '@kubernetes/client-node';
import {
  type ApiCall,
  ClusterAnswerError,
  type ClusterApiCallCode,
  type ClusterApiCallDetails,
  ClusterApiCallError,
} from '../../port-errors.ts';
import { redactSecrets } from '../../redaction.ts';

/** What an API call says in its error message for a status, besides the Status message itself. */
export type CallHints = Partial<Record<ClusterApiCallCode, string>>;

/** Runs one client-node call and turns whatever it throws into a ClusterApiCallError (SEALED). */
export async function callApi<T>(call: ApiCall, run: () => Promise<T>, hints: CallHints = {}): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw toClusterError(error, call, hints);
  }
}

const DEFAULT_HINTS: Readonly<Record<ClusterApiCallCode, string>> = {
  ERR_CLUSTER_UNAUTHORIZED:
    'the cluster refused the kubeconfig credential (an expired or revoked token, or a client certificate it does not trust); log in again (oc login) or refresh the token, then retry',
  ERR_CLUSTER_FORBIDDEN:
    'the identity keyturn runs as lacks this permission; apply docs/openshift-rbac.yaml and bind it to that identity',
  ERR_CLUSTER_NOT_FOUND: 'it does not exist; is this an OpenShift 4 cluster?',
  ERR_CLUSTER_CONFLICT: 'another writer changed it at the same time; retry',
  ERR_CLUSTER_INVALID: 'the cluster refused the request as invalid',
  ERR_CLUSTER_UNAVAILABLE: 'the API server is unavailable, overloaded or failing; retry',
  ERR_CLUSTER_TLS:
    "the API server's certificate is not trusted: check certificate-authority-data (or certificate-authority) and the server name in the kubeconfig",
  ERR_CLUSTER_REJECTED: 'the API server refused the request',
};

/** A Kubernetes Status answer's useful parts. */
interface StatusSummary {
  readonly message?: string;
  readonly reason?: string;
}

function toClusterError(error: unknown, call: ApiCall, hints: CallHints): Error {
  if (error instanceof ApiException) {
    const status = error.code;
    const code = codeForStatus(status);
    const summary = readStatus(error.body);
    const details: ClusterApiCallDetails = { ...call, status, reason: summary.reason };
    const said = summary.message === undefined ? '' : `: ${summary.message}`;
    const reason = summary.reason === undefined ? '' : ` ${summary.reason}`;
    return new ClusterApiCallError(
      code,
      `${call.method} ${call.resource} failed with HTTP ${status}${reason}${said}; ${hintFor(code, hints)}`,
      details,
    );
  }
  if (error instanceof SyntaxError) {
    // The parser's message quotes the answer, which may be a secret holding a private key.
    return new ClusterAnswerError(`${call.method} ${call.resource}: the answer is not valid JSON`);
  }
  const network = describeNetworkError(error);
  return new ClusterApiCallError(
    network.code,
    `${call.method} ${call.resource} failed: ${network.text}; ${hintFor(network.code, hints)}`,
    call,
  );
}

function hintFor(code: ClusterApiCallCode, hints: CallHints): string {
  return hints[code] ?? DEFAULT_HINTS[code];
}

function codeForStatus(status: number): ClusterApiCallCode {
  switch (status) {
    case 400:
    case 422:
      return 'ERR_CLUSTER_INVALID';
    case 401:
      return 'ERR_CLUSTER_UNAUTHORIZED';
    case 403:
      return 'ERR_CLUSTER_FORBIDDEN';
    case 404:
      return 'ERR_CLUSTER_NOT_FOUND';
    case 409:
      return 'ERR_CLUSTER_CONFLICT';
    case 429:
      return 'ERR_CLUSTER_UNAVAILABLE';
    default:
      return status >= 500 ? 'ERR_CLUSTER_UNAVAILABLE' : 'ERR_CLUSTER_REJECTED';
  }
}

/**
 * client-node 2 hands error bodies over as the raw response text (and none at all for 401). Only the
 * Status `message` and `reason` are kept, redacted and shortened: a validating webhook may quote the
 * request, which for a push holds the private key.
 */
function readStatus(body: unknown): StatusSummary {
  let parsed: unknown = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return {};
    }
  }
  if (typeof parsed !== 'object' || parsed === null) {
    return {};
  }
  const { message, reason } = parsed as Record<string, unknown>;
  return {
    ...(typeof message === 'string' && message !== '' ? { message: redact(message) } : {}),
    ...(typeof reason === 'string' && /^[A-Za-z]{1,64}$/.test(reason) ? { reason } : {}),
  };
}

const MAX_MESSAGE = 300;

/** Removes anything resembling key material or a token from text the API server wrote, and bounds its length. */
export function redact(text: string): string {
  const cleaned = redactSecrets(text);
  return cleaned.length > MAX_MESSAGE ? `${cleaned.slice(0, MAX_MESSAGE)}…` : cleaned;
}

const TLS_ERROR = /CERT|SELF_SIGNED|UNABLE_TO_(?:VERIFY|GET)|^ERR_TLS_|^ERR_SSL_/;
const GENERIC_NAMES = new Set(['Error', 'TypeError']);

/**
 * undici reports `TypeError: fetch failed` with the socket error as `cause` (ECONNREFUSED, a certificate
 * verification code), and an aborted request as a `TimeoutError`. Only error codes or names and the
 * innermost message are kept.
 */
function describeNetworkError(error: unknown): { code: ClusterApiCallCode; text: string } {
  const chain: Error[] = [];
  for (let current = error; current instanceof Error && chain.length < 5; current = current.cause) {
    chain.push(current);
  }
  const labels = chain
    .map((link) => {
      const { code } = link as { code?: unknown };
      return typeof code === 'string' ? code : GENERIC_NAMES.has(link.name) ? undefined : link.name;
    })
    .filter((label): label is string => label !== undefined);
  const innermost = chain.at(-1);
  const text =
    innermost === undefined ? 'an unexpected error' : redact(innermost.message.split('\n')[0] ?? '');
  return {
    code: labels.some((label) => TLS_ERROR.test(label)) ? 'ERR_CLUSTER_TLS' : 'ERR_CLUSTER_UNAVAILABLE',
    text: labels.length === 0 ? text : `${labels.join(', ')} (${text})`,
  };
}
