import { loadYaml } from '@kubernetes/client-node';
import { ClusterAnswerError } from '../../port-errors.ts';
import type { TokenLifetime } from '../../ports.ts';
import { describeValue, fieldOf, optionalObject, stringMap } from './answer-fields.ts';
import { APISERVER_CONFIG_NAME, APISERVER_NAMESPACE } from './names.ts';

/** Where the token lifetime comes from, as messages and docs name it. */
const TOKEN_LIFETIME_SOURCE = `configmap ${APISERVER_NAMESPACE}/${APISERVER_CONFIG_NAME} (config.yaml apiServerArguments)`;

const MAX_FLAG = 'service-account-max-token-expiration';
const EXTEND_FLAG = 'service-account-extend-token-expiration';
const WHERE = `configmap ${APISERVER_NAMESPACE}/${APISERVER_CONFIG_NAME}`;

/**
 * Reads the kube-apiserver's token lifetime flags from the operator's merged config (a KubeAPIServerConfig
 * in `config.yaml`, JSON as the operator writes it; YAML is read too). A flag absent or `0` means no
 * maximum, as upstream kube-apiserver; `extend` defaults to true. A repeated flag takes its last value,
 * as kube-apiserver's flag parsing does.
 */
export function readTokenLifetime(configMap: unknown): TokenLifetime {
  const data = stringMap(fieldOf(configMap, 'data', WHERE), `${WHERE} data`);
  const text = data['config.yaml'];
  if (text === undefined) {
    throw new ClusterAnswerError(`${WHERE} has no config.yaml; the kube-apiserver operator always writes it`);
  }
  let config: unknown;
  try {
    config = loadYaml(text);
  } catch {
    throw new ClusterAnswerError(`${WHERE} config.yaml is neither JSON nor YAML`);
  }
  const args = optionalObject(
    fieldOf(config, 'apiServerArguments', `${WHERE} config.yaml`),
    'apiServerArguments',
  );
  const max = lastValue(args[MAX_FLAG], MAX_FLAG);
  const extend = lastValue(args[EXTEND_FLAG], EXTEND_FLAG);
  if (extend !== undefined && extend !== 'true' && extend !== 'false') {
    throw new ClusterAnswerError(`${WHERE}: ${EXTEND_FLAG} is neither true nor false`);
  }
  const maxSeconds = max === undefined ? 0 : parseGoDurationSeconds(max, MAX_FLAG);
  return {
    ...(maxSeconds > 0 ? { maxSeconds } : {}),
    extendExpiration: extend !== 'false',
    source: TOKEN_LIFETIME_SOURCE,
  };
}

/** apiServerArguments values are string lists (`["24h"]`). */
function lastValue(value: unknown, flag: string): string | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new ClusterAnswerError(`${WHERE}: ${flag} is ${describeValue(value)}, not a list of strings`);
  }
  return value.at(-1);
}

const UNIT_SECONDS: Readonly<Record<string, number>> = {
  ns: 1e-9,
  us: 1e-6,
  µs: 1e-6,
  μs: 1e-6,
  ms: 1e-3,
  s: 1,
  m: 60,
  h: 3600,
};
const TERM = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/** A Go time.Duration (`24h`, `1h30m0s`, `86400s`, `0`) in whole seconds, rounded up. */
function parseGoDurationSeconds(text: string, flag: string): number {
  if (text === '0') return 0;
  let total = 0;
  TERM.lastIndex = 0;
  while (TERM.lastIndex < text.length) {
    const match = TERM.exec(text);
    if (match === null) {
      throw new ClusterAnswerError(`${WHERE}: ${flag} is not a duration such as 24h or 3600s`);
    }
    total += Number(match[1]) * (UNIT_SECONDS[match[2] ?? 's'] ?? 1);
  }
  if (text === '') {
    throw new ClusterAnswerError(`${WHERE}: ${flag} is empty`);
  }
  return Math.ceil(total - 1e-9);
}
