import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ConfigError,
  loadKeyturnConfig,
  maxKeyAgeDaysOf,
  parseKeyturnConfig,
} from '#infra/config/load-config.ts';
import { FULL_CONFIG, MINIMAL_CONFIG } from './synth-stack.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'keyturn-config-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Parses `config`, expecting a ConfigError, and returns its message. */
function rejection(config: unknown): string {
  try {
    parseKeyturnConfig(config, 'test.json');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe('ERR_CONFIG');
    return (error as ConfigError).message;
  }
  throw new Error('expected the config to be rejected');
}

describe('parseKeyturnConfig', () => {
  it('accepts the committed default config (one example issuer) with every default filled in', () => {
    const config = loadKeyturnConfig(join(ROOT, 'keyturn.config.json'));

    expect(config.stackName).toBe('Keyturn');
    expect(config.issuers.map((issuer) => issuer.id)).toEqual(['example-cluster']);
    expect(config.rotation.intervalDays).toBe(90);
    expect(maxKeyAgeDaysOf(config, config.issuers[0] ?? expect.fail())).toBe(104);
    expect(config.issuers[0]?.oidcProvider).toBe('create');
    expect(config.fleet).toEqual({ maxConcurrency: 2, toleratedFailurePercentage: 0 });
  });

  it('accepts every option at once', () => {
    const config = parseKeyturnConfig(FULL_CONFIG);

    expect(config.issuers[1]?.existingIssuer?.bucketName).toBe('legacy-oidc');
    expect(maxKeyAgeDaysOf(config, config.issuers[0] ?? expect.fail())).toBe(75);
    expect(maxKeyAgeDaysOf(config, config.issuers[1] ?? expect.fail())).toBe(45);
  });

  const malformed: [string, unknown, string][] = [
    ['no issuers', { issuers: [] }, 'issuers: list at least one issuer'],
    ['an uppercase issuer id', { issuers: [{ id: 'Prod' }] }, 'issuers[0].id: must be 1-42 lowercase'],
    ['an issuer id too long for an execution name', { issuers: [{ id: 'a'.repeat(43) }] }, 'issuers[0].id'],
    ['an unknown field (a typo)', { issuers: [{ id: 'a', rotationIntervalDay: 30 }] }, 'rotationIntervalDay'],
    [
      'a zero interval',
      { issuers: [{ id: 'a', rotationIntervalDays: 0 }] },
      'issuers[0].rotationIntervalDays',
    ],
    [
      'an http existing issuer',
      { issuers: [{ id: 'a', existingIssuer: { url: 'http://x.example', bucketName: 'x-oidc' } }] },
      'must be an https:// URL',
    ],
    [
      'a certificate outside us-east-1',
      {
        ...MINIMAL_CONFIG,
        hosting: {
          domainName: 'oidc.example.com',
          certificateArn:
            'arn:aws:acm:eu-west-1:111122223333:certificate/0b6f2bd1-6a9b-4f51-9c2f-3c5d1e0f9a11',
        },
      },
      'in us-east-1',
    ],
    [
      'a retention CloudWatch refuses',
      { ...MINIMAL_CONFIG, logRetentionDays: 100 },
      'logRetentionDays: must be one of 1, 3',
    ],
    [
      'a tolerated failure above 100 %',
      { ...MINIMAL_CONFIG, fleet: { toleratedFailurePercentage: 150 } },
      'fleet.toleratedFailurePercentage',
    ],
    [
      'an operator that is a user',
      { ...MINIMAL_CONFIG, operatorRoleArns: ['arn:aws:iam::111122223333:user/alice'] },
      'must be an IAM role ARN',
    ],
    [
      'a rotation requester that is not an IAM role or user',
      { ...MINIMAL_CONFIG, rotationRequesterArns: ['arn:aws:iam::111122223333:root'] },
      'rotationRequesterArns[0]: must be an IAM role or user ARN',
    ],
    ['not an object', 'issuers', '(top level)'],
  ];
  it.each(malformed)('rejects %s, naming the field', (_case, config, expected) => {
    expect(rejection(config)).toContain(expected);
  });

  it('rejects an issuer listed twice', () => {
    expect(rejection({ issuers: [{ id: 'a' }, { id: 'a' }] })).toContain('id a is listed twice');
  });

  it('rejects a key-age alarm that would fire before each scheduled rotation', () => {
    expect(rejection({ issuers: [{ id: 'a', rotationIntervalDays: 30, maxKeyAgeDays: 30 }] })).toContain(
      'maxKeyAgeDays must exceed the rotation interval',
    );
  });

  it('rejects a custom domain without its certificate', () => {
    expect(rejection({ ...MINIMAL_CONFIG, hosting: { domainName: 'oidc.example.com' } })).toContain(
      'domainName and certificateArn go together',
    );
  });

  it('rejects subnets that do not spread evenly over the zones', () => {
    const vpc = { ...FULL_CONFIG.vpc, privateSubnetIds: ['subnet-0a1b2c3d4e5f60718'] };
    expect(rejection({ ...MINIMAL_CONFIG, vpc })).toContain('vpc: give the same number of privateSubnetIds');
  });

  it('lists every problem at once', () => {
    const message = rejection({ issuers: [{ id: 'A' }], logRetentionDays: 2 });

    expect(message).toContain('issuers[0].id');
    expect(message).toContain('logRetentionDays');
  });
});

describe('loadKeyturnConfig', () => {
  it('rejects a missing file with what to do', () => {
    expect(() => loadKeyturnConfig(join(scratch, 'absent.json'))).toThrow(
      /absent\.json: not found; copy keyturn\.config\.json/,
    );
  });

  it('rejects a file that is not JSON', () => {
    const path = join(scratch, 'broken.json');
    writeFileSync(path, '{ "issuers": [');

    expect(() => loadKeyturnConfig(path)).toThrow(/broken\.json: not valid JSON/);
  });
});
