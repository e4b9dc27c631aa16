import { afterEach, describe, expect, it, vi } from 'vitest';
import { awsPortsFromEnv, createLoggerAuditLog, REQUIRED_ENV } from '#functions/aws-ports.ts';
import { captureStdout, createObservability } from './task-world.ts';

const KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster:
    server: https://api.cluster.example.com:6443
users:
- name: u
  user:
    token: sha256~not-a-real-token
contexts:
- name: ctx
  context:
    cluster: c
    user: u
current-context: ctx
`;

const ENV = {
  KEYTURN_KMS_KEY_ID: 'alias/keyturn',
  KEYTURN_STATE_BUCKET: 'state',
  KEYTURN_ISSUER_BUCKET: 'issuer',
  KEYTURN_DISTRIBUTION_ID: 'E123',
  KEYTURN_KUBECONFIG: KUBECONFIG,
};

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('awsPortsFromEnv', () => {
  it('rejects a missing configuration with ERR_TASK_CONFIG naming every missing variable', () => {
    // Act
    const build = () => awsPortsFromEnv({ KEYTURN_STATE_BUCKET: 'state' });

    // Assess
    expect(build).toThrow(
      expect.objectContaining({
        name: 'TaskConfigError',
        code: 'ERR_TASK_CONFIG',
        message: expect.stringContaining('KEYTURN_KMS_KEY_ID, KEYTURN_ISSUER_BUCKET, KEYTURN_KUBECONFIG'),
      }),
    );
  });

  it('builds the AWS ports with the workflow actor when every variable is set', () => {
    // Act
    const ports = awsPortsFromEnv(ENV);

    // Assess
    expect(ports.actor).toBe('workflow');
    expect(Math.abs(ports.clock.now().getTime() - Date.now())).toBeLessThan(5000);
    expect(Object.keys(ports).sort()).toEqual([
      'actor',
      'audit',
      'clock',
      'cluster',
      'publisher',
      'store',
      'vault',
    ]);
  });

  it('writes each audit entry as one structured log line', async () => {
    // Prepare
    const output = captureStdout();
    const audit = createLoggerAuditLog(createObservability().logger);
    const entry = {
      time: '2026-03-01T00:00:00.000Z',
      issuerId: 'cluster-a',
      rotationId: 'r1',
      step: 'push',
      actor: 'workflow',
      outcome: 'ok' as const,
    };

    // Act
    await audit.append(entry);
    output.restore();

    // Assess
    expect(output.logs()).toEqual([expect.objectContaining({ message: 'audit', audit: entry })]);
  });
});

describe('functions/handlers', () => {
  it('imports without configuration and fails the first invocation with ERR_TASK_CONFIG', async () => {
    // Prepare
    for (const name of REQUIRED_ENV) vi.stubEnv(name, '');
    const output = captureStdout();
    const { handler } = await import('#functions/handlers/prepare.ts');

    // Act
    const error = await handler({ issuerId: 'cluster-a', rotationId: 'r1', mode: 'manual' }).catch(
      (e: unknown) => e,
    );
    output.restore();

    // Assess
    expect(error).toMatchObject({ name: 'TaskConfigError', code: 'ERR_TASK_CONFIG' });
  });

  it.each([
    'prepare',
    'generate',
    'publish',
    'confirm-visible',
    'push',
    'watch-rollout',
    'verify',
    'activate',
    'rollback',
    'maintain',
  ])('exports a handler for %s', async (task) => {
    // Act
    const module = (await import(`../../functions/handlers/${task}.ts`)) as { handler: unknown };

    // Assess
    expect(module.handler).toBeTypeOf('function');
  });
});
