import { describe, expect, it } from 'vitest';
import {
  AWS_ISSUER_ID_MAX_LENGTH,
  AWS_ISSUER_ID_PATTERN,
  BUCKET_NAME_PATTERN,
  DISTRIBUTION_ID_PATTERN,
  ISSUER_ID_MAX_LENGTH,
  isIssuerId,
  isRotationId,
  isSafeName,
  issuerIdOfKeyringName,
  KID_PATTERN,
} from '#shared/identifiers.ts';

describe('isIssuerId', () => {
  it.each(['a', 'cluster-a', 'prod.eu-1', '0', 'a'.repeat(ISSUER_ID_MAX_LENGTH)])('accepts %j', (id) => {
    expect(isIssuerId(id)).toBe(true);
  });

  it.each(['', 'Demo', '-a', '.a', 'a_b', 'a/b', 'a b', 'a'.repeat(ISSUER_ID_MAX_LENGTH + 1)])(
    'rejects %j',
    (id) => {
      expect(isIssuerId(id)).toBe(false);
    },
  );
});

describe('AWS_ISSUER_ID_PATTERN', () => {
  it('accepts issuer ids up to the AWS length and rejects longer ones', () => {
    expect(AWS_ISSUER_ID_PATTERN.test('a'.repeat(AWS_ISSUER_ID_MAX_LENGTH))).toBe(true);
    expect(AWS_ISSUER_ID_PATTERN.test('a'.repeat(AWS_ISSUER_ID_MAX_LENGTH + 1))).toBe(false);
    expect(AWS_ISSUER_ID_PATTERN.test('Prod')).toBe(false);
  });
});

describe('isRotationId', () => {
  it.each(['r1', '20260301-120000-3f9a1c', 'a_b.c-d', '3f9a1c2e-0000-4000-8000-000000000000'])(
    'accepts %j',
    (id) => {
      expect(isRotationId(id)).toBe(true);
    },
  );

  it.each(['', '_r', 'R1', 'r/1', 'r'.repeat(64)])('rejects %j', (id) => {
    expect(isRotationId(id)).toBe(false);
  });
});

describe('isSafeName', () => {
  it.each(['initial', 'cluster-a', 'r_1.sealed', 'a'.repeat(128)])('accepts %j', (name) => {
    expect(isSafeName(name)).toBe(true);
  });

  it.each(['', '.hidden', '-option', 'a..b', 'a/b', 'A', 'a'.repeat(129), 42 as unknown as string])(
    'rejects %j',
    (name) => {
      expect(isSafeName(name)).toBe(false);
    },
  );
});

describe('issuerIdOfKeyringName', () => {
  it('reads the issuer id of a keyring file name', () => {
    expect(issuerIdOfKeyringName('cluster-a.json')).toBe('cluster-a');
    expect(issuerIdOfKeyringName('prod.eu.json')).toBe('prod.eu');
  });

  it.each(['cluster-a.json.lock', 'README.txt', '.json', 'Demo.json', '.tmp-1.json', 'a/b.json'])(
    'ignores %j',
    (name) => {
      expect(issuerIdOfKeyringName(name)).toBeUndefined();
    },
  );
});

describe('BUCKET_NAME_PATTERN, DISTRIBUTION_ID_PATTERN and KID_PATTERN', () => {
  it('accept what AWS and kube-apiserver issue and reject the rest', () => {
    expect(['abc', 'keyturn-state', 'a.b-c'].every((name) => BUCKET_NAME_PATTERN.test(name))).toBe(true);
    expect(['ab', '-abc', 'abc-', 'ABC', 'a'.repeat(64)].some((name) => BUCKET_NAME_PATTERN.test(name))).toBe(
      false,
    );
    expect(DISTRIBUTION_ID_PATTERN.test('E2KEYTURN')).toBe(true);
    expect(DISTRIBUTION_ID_PATTERN.test('X2KEYTURN')).toBe(false);
    expect(KID_PATTERN.test('JHJehTTTZlsspKHT-GaJxK7Kd1NQgZJu3fyK6K_QDYU')).toBe(true);
    expect(KID_PATTERN.test('not a kid')).toBe(false);
  });
});
