import { describe, expect, it } from 'vitest';
import { readTokenLifetime } from '#shared/adapters/openshift/token-lifetime-answer.ts';
import { ClusterAnswerError } from '#shared/port-errors.ts';

const SOURCE = 'configmap openshift-kube-apiserver/config (config.yaml apiServerArguments)';
const WHERE = 'configmap openshift-kube-apiserver/config';
const MAX = 'service-account-max-token-expiration';
const EXTEND = 'service-account-extend-token-expiration';

/** The operator's merged config ConfigMap with `args` as apiServerArguments, JSON as the operator writes it. */
function configMap(args: Record<string, unknown>): unknown {
  return {
    data: {
      'config.yaml': JSON.stringify({
        apiVersion: 'kubecontrolplane.config.openshift.io/v1',
        kind: 'KubeAPIServerConfig',
        apiServerArguments: args,
      }),
    },
  };
}

describe('readTokenLifetime', () => {
  it('reads no maximum and extension on when neither flag is set, naming where it read (NO-ORPHAN-TOKENS)', () => {
    // Arrange
    const answer = configMap({ 'audit-log-format': ['json'] });

    // Act
    const lifetime = readTokenLifetime(answer);

    // Assess
    expect(lifetime).toEqual({ extendExpiration: true, source: SOURCE });
  });

  it('reads a config.yaml without apiServerArguments as upstream defaults', () => {
    // Arrange
    const answer = { data: { 'config.yaml': '{"kind":"KubeAPIServerConfig"}' } };

    // Act
    const lifetime = readTokenLifetime(answer);

    // Assess
    expect(lifetime).toEqual({ extendExpiration: true, source: SOURCE });
  });

  it('reads a config.yaml written as YAML', () => {
    // Arrange
    const yaml = [
      'kind: KubeAPIServerConfig',
      'apiServerArguments:',
      `  ${MAX}:`,
      '  - 2h',
      `  ${EXTEND}:`,
      '  - "false"',
    ].join('\n');

    // Act
    const lifetime = readTokenLifetime({ data: { 'config.yaml': yaml } });

    // Assess
    expect(lifetime).toEqual({ maxSeconds: 7200, extendExpiration: false, source: SOURCE });
  });

  it.each([
    ['24h', 86_400],
    ['86400s', 86_400],
    ['1h30m0s', 5400],
    ['1.5h', 5400],
    ['.5m', 30],
    ['1500ms', 2],
    ['1s500ms', 2],
    ['999us', 1],
    ['3601µs', 1],
    ['2μs', 1],
  ])('reads max %s as %i s, rounded up (NO-ORPHAN-TOKENS)', (duration, seconds) => {
    // Arrange
    const answer = configMap({ [MAX]: [duration] });

    // Act
    const lifetime = readTokenLifetime(answer);

    // Assess
    expect(lifetime.maxSeconds).toBe(seconds);
  });

  it.each(['0', '0s', '0h0m'])('reads max %s as no maximum', (duration) => {
    // Arrange
    const answer = configMap({ [MAX]: [duration] });

    // Act
    const lifetime = readTokenLifetime(answer);

    // Assess
    expect(lifetime).toEqual({ extendExpiration: true, source: SOURCE });
    expect(lifetime).not.toHaveProperty('maxSeconds');
  });

  it('takes the last value of a repeated flag, as kube-apiserver does', () => {
    // Arrange
    const answer = configMap({ [MAX]: ['1h', '3h'], [EXTEND]: ['false', 'true'] });

    // Act
    const lifetime = readTokenLifetime(answer);

    // Assess
    expect(lifetime).toEqual({ maxSeconds: 10_800, extendExpiration: true, source: SOURCE });
  });

  it('reads an empty flag list as the flag unset', () => {
    // Arrange
    const answer = configMap({ [MAX]: [], [EXTEND]: [] });

    // Act
    const lifetime = readTokenLifetime(answer);

    // Assess
    expect(lifetime).toEqual({ extendExpiration: true, source: SOURCE });
  });

  it('reads extension off when told false', () => {
    // Arrange
    const answer = configMap({ [EXTEND]: ['false'] });

    // Act
    const lifetime = readTokenLifetime(answer);

    // Assess
    expect(lifetime.extendExpiration).toBe(false);
  });

  it.each([
    ['a ConfigMap that is not an object', 'config', `${WHERE} is a string where an object was expected`],
    ['data that is not a map', { data: ['config.yaml'] }, `${WHERE} data is a list, not an object`],
    [
      'no config.yaml',
      { data: {} },
      `${WHERE} has no config.yaml; the kube-apiserver operator always writes it`,
    ],
    ['no data at all', {}, `${WHERE} has no config.yaml`],
    [
      'config.yaml that is not a string',
      { data: { 'config.yaml': 1 } },
      `${WHERE} data[config.yaml] is 1, not a string`,
    ],
    [
      'config.yaml that is neither JSON nor YAML',
      { data: { 'config.yaml': '{' } },
      `${WHERE} config.yaml is neither JSON nor YAML`,
    ],
    [
      'config.yaml that is a scalar',
      { data: { 'config.yaml': 'just text' } },
      `${WHERE} config.yaml is a string where an object was expected`,
    ],
    [
      'apiServerArguments that is a list',
      configMap([] as never),
      'apiServerArguments is an empty list, not an object',
    ],
    [
      'a flag that is a string',
      configMap({ [MAX]: '24h' }),
      `${WHERE}: ${MAX} is a string, not a list of strings`,
    ],
    [
      'a flag list holding a number',
      configMap({ [MAX]: [86400] }),
      `${WHERE}: ${MAX} is a list, not a list of strings`,
    ],
    [
      'an extend flag that is a boolean',
      configMap({ [EXTEND]: true }),
      `${WHERE}: ${EXTEND} is true, not a list of strings`,
    ],
    [
      'an extend flag that is neither true nor false',
      configMap({ [EXTEND]: ['yes'] }),
      `${WHERE}: ${EXTEND} is neither true nor false`,
    ],
    ['an empty max', configMap({ [MAX]: [''] }), `${WHERE}: ${MAX} is empty`],
    [
      'a max without unit',
      configMap({ [MAX]: ['3600'] }),
      `${WHERE}: ${MAX} is not a duration such as 24h or 3600s`,
    ],
    [
      'a max in days',
      configMap({ [MAX]: ['1d'] }),
      `${WHERE}: ${MAX} is not a duration such as 24h or 3600s`,
    ],
    [
      'a negative max',
      configMap({ [MAX]: ['-1h'] }),
      `${WHERE}: ${MAX} is not a duration such as 24h or 3600s`,
    ],
    [
      'a max with trailing text',
      configMap({ [MAX]: ['24h '] }),
      `${WHERE}: ${MAX} is not a duration such as 24h or 3600s`,
    ],
  ])('refuses %s with ClusterAnswerError', (_case, answer, message) => {
    // Arrange: the malformed answer above.

    // Act
    const read = () => readTokenLifetime(answer);

    // Assess
    expect(read).toThrow(ClusterAnswerError);
    expect(read).toThrow(message);
  });

  it('reads a duration again after refusing a malformed one (the parser keeps no state)', () => {
    // Arrange
    const bad = configMap({ [MAX]: ['1h?'] });
    const good = configMap({ [MAX]: ['90s'] });

    // Act
    const read = () => readTokenLifetime(bad);

    // Assess
    expect(read).toThrow(ClusterAnswerError);
    expect(readTokenLifetime(good).maxSeconds).toBe(90);
  });
});
