import { InvalidKeyError, type PublicSigningKey, parsePublicKey } from '../../keys/index.ts';
import { ClusterAnswerError } from '../../port-errors.ts';
import { readTokenHeader, TokenRejectedError } from '../../tokens/index.ts';
import { APISERVER_NAMESPACE, CERTS_CONFIGMAP_NAME, KUBE_APISERVER_RESOURCE } from './names.ts';

/** The public keys of the trusted-keys configmap, and the entries that were not usable keys. */
export interface TrustedKeys {
  /** Parsed keys in entry-name order (`service-account-001.pub` first), one per kid. */
  readonly keys: readonly PublicSigningKey[];
  /** Names of `*.pub` entries that are not RSA public keys keyturn accepts. */
  readonly skipped: readonly string[];
}

/** The operator's rollout state, from `kubeapiservers.operator.openshift.io/cluster` status. */
export interface RolloutStatus {
  readonly latestAvailableRevision: number;
  readonly nodes: readonly { readonly nodeName: string; readonly currentRevision: number }[];
}

const CONFIGMAP = `configmap ${APISERVER_NAMESPACE}/${CERTS_CONFIGMAP_NAME}`;
const KUBE_APISERVER = `${KUBE_APISERVER_RESOURCE.plural}.${KUBE_APISERVER_RESOURCE.group}/${KUBE_APISERVER_RESOURCE.name}`;

/**
 * Reads every `*.pub` entry of `bound-sa-token-signing-certs`, parsing by content (the operator writes SPKI
 * under an `RSA PUBLIC KEY` label). An entry that does not parse is skipped and named, not fatal: one odd
 * key must not hide the others.
 */
export function readTrustedKeys(configMap: unknown): TrustedKeys {
  const data = field(configMap, 'data', CONFIGMAP);
  if (!isRecord(data)) {
    throw new ClusterAnswerError(
      `${CONFIGMAP} has no data map; the operator always keeps the installer's public key there`,
    );
  }
  const keys = new Map<string, PublicSigningKey>();
  const skipped: string[] = [];
  for (const name of Object.keys(data).sort()) {
    const pem = data[name];
    if (!name.endsWith('.pub')) {
      continue;
    }
    if (typeof pem !== 'string') {
      throw new ClusterAnswerError(`${CONFIGMAP}: data[${name}] is ${typeName(pem)}, not a string`);
    }
    const key = tryParsePublicKey(pem, `${CONFIGMAP}: ${name}`);
    if (key === undefined) {
      skipped.push(name);
    } else if (!keys.has(key.kid)) {
      keys.set(key.kid, key);
    }
  }
  return { keys: [...keys.values()], skipped };
}

/** Reads `status.latestAvailableRevision` and `status.nodeStatuses[].currentRevision`. */
export function readRolloutStatus(kubeApiServer: unknown): RolloutStatus {
  const status = field(kubeApiServer, 'status', KUBE_APISERVER);
  const latest = field(status, 'latestAvailableRevision', `${KUBE_APISERVER} status`);
  if (latest === undefined) {
    throw new ClusterAnswerError(
      `${KUBE_APISERVER} has no status.latestAvailableRevision; the operator has not reported a revision yet`,
    );
  }
  const nodeStatuses = field(status, 'nodeStatuses', `${KUBE_APISERVER} status`);
  if (!Array.isArray(nodeStatuses) || nodeStatuses.length === 0) {
    throw new ClusterAnswerError(
      `${KUBE_APISERVER} status.nodeStatuses is ${typeName(nodeStatuses)}, not a list of control-plane nodes`,
    );
  }
  return {
    latestAvailableRevision: revision(latest, 'status.latestAvailableRevision'),
    nodes: nodeStatuses.map((node, index) => readNodeStatus(node, index)),
  };
}

function readNodeStatus(node: unknown, index: number): RolloutStatus['nodes'][number] {
  const where = `status.nodeStatuses[${index}]`;
  const nodeName = field(node, 'nodeName', `${KUBE_APISERVER} ${where}`);
  if (typeof nodeName !== 'string' || nodeName === '') {
    throw new ClusterAnswerError(`${KUBE_APISERVER} ${where}.nodeName is ${typeName(nodeName)}, not a name`);
  }
  // currentRevision is omitempty in openshift/api: absent means a node that never finished an install.
  const current = field(node, 'currentRevision', `${KUBE_APISERVER} ${where}`);
  return {
    nodeName,
    currentRevision: current === undefined ? 0 : revision(current, `${where}.currentRevision`),
  };
}

/** `status.token` of a TokenRequest answer. */
export function readIssuedToken(tokenRequest: unknown, serviceAccount: string): string {
  const token = field(field(tokenRequest, 'status', 'TokenRequest'), 'token', 'TokenRequest status');
  if (typeof token !== 'string' || token === '') {
    throw new ClusterAnswerError(
      `the TokenRequest for ${serviceAccount} came back without status.token (${typeName(token)})`,
    );
  }
  return token;
}

/** The kid in a token's header: the key the answering kube-apiserver signs with. */
export function readSigningKid(token: string, serviceAccount: string): string {
  try {
    return readTokenHeader(token).kid;
  } catch (error) {
    if (error instanceof TokenRejectedError) {
      throw new ClusterAnswerError(
        `the probe token for ${serviceAccount} is not a service-account token kube-apiserver would issue: ${error.message} (${error.code})`,
      );
    }
    throw error;
  }
}

function tryParsePublicKey(pem: string, source: string): PublicSigningKey | undefined {
  try {
    return parsePublicKey(pem, source);
  } catch (error) {
    if (error instanceof InvalidKeyError) {
      return undefined;
    }
    throw error;
  }
}

/** `object[name]`, after checking `object` is a JSON object. */
function field(object: unknown, name: string, where: string): unknown {
  if (!isRecord(object)) {
    throw new ClusterAnswerError(`${where} is ${typeName(object)} where an object was expected`);
  }
  return object[name];
}

function revision(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new ClusterAnswerError(`${KUBE_APISERVER} ${where} is ${typeName(value)}, not a revision number`);
  }
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typeName(value: unknown): string {
  if (value === undefined) {
    return 'missing';
  }
  if (Array.isArray(value)) {
    return value.length === 0 ? 'an empty list' : 'a list';
  }
  if (value === null) {
    return 'null';
  }
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : `a ${typeof value}`;
}
