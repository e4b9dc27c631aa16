import { describe, expect, it } from 'vitest';
import { parseKeyring, serializeKeyring } from '#shared/keyring/keyring.ts';
import { keyRecord, keyringWith } from './keyring-fixture.ts';

describe('parseKeyring', () => {
  it('round-trips a serialised keyring', () => {
    const keyring = keyringWith([keyRecord('old')]);

    expect(parseKeyring(serializeKeyring(keyring), 'state')).toEqual(keyring);
  });

  const valid = serializeKeyring(keyringWith([keyRecord('old')]));
  const edit = (change: (value: Record<string, unknown>) => void) => {
    const value = JSON.parse(valid) as Record<string, unknown>;
    change(value);
    return JSON.stringify(value);
  };

  it.each([
    ['truncated JSON', valid.slice(0, valid.length / 2), 'not JSON'],
    ['an empty file', '', 'not JSON'],
    [
      'a newer schema version',
      edit((value) => Object.assign(value, { schemaVersion: 2 })),
      'schema version 2',
    ],
    ['an unknown top-level field', edit((value) => Object.assign(value, { owner: 'me' })), 'owner'],
    [
      'an unknown key field',
      edit((value) => Object.assign((value.keys as object[])[0] ?? {}, { d: 'x' })),
      'keys.0',
    ],
    [
      'an unknown key state',
      edit((value) => Object.assign((value.keys as object[])[0] ?? {}, { state: 'lost' })),
      'keys.0.state',
    ],
    [
      'a kid with odd characters',
      edit((value) => Object.assign((value.keys as object[])[0] ?? {}, { kid: 'a/b' })),
      'keys.0.kid',
    ],
    [
      'a timestamp that is not ISO',
      edit((value) => Object.assign((value.keys as object[])[0] ?? {}, { generatedAt: 'yesterday' })),
      'generatedAt',
    ],
    [
      'a policy without grace',
      edit((value) => delete (value.policy as Record<string, unknown>).graceSeconds),
      'policy.graceSeconds',
    ],
    [
      'a private key in place of the public one',
      edit((value) =>
        Object.assign((value.keys as object[])[0] ?? {}, { publicKeyPem: '-----BEGIN RSA PRIVATE KEY-----' }),
      ),
      'publicKeyPem',
    ],
    ['an array', '[]', '(root)'],
  ])('rejects %s (ERR_KEYRING_FORMAT)', (_name, text, mentions) => {
    expect(() => parseKeyring(text, 'keyrings/cluster-a.json')).toThrow(
      expect.objectContaining({ code: 'ERR_KEYRING_FORMAT', message: expect.stringContaining(mentions) }),
    );
  });
});
