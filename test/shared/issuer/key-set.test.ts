import { generateKeyPairSync } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildKeySet,
  type InvalidKeySetCode,
  InvalidKeySetError,
  MAX_KEY_SET_KEYS,
  parseKeySet,
} from '#shared/issuer/index.ts';
import {
  generateSigningKeyPair,
  type PrivateSigningKey,
  type PublicSigningKey,
  parsePublicKey,
} from '#shared/keys/index.ts';
import { readKeyFixture } from '#test/fixtures/keys.ts';

// Public test vector from kubernetes pkg/serviceaccount keyid_test.go.
const VECTOR_PUBLIC_PEM = readKeyFixture('k8s-keyid-vector.public');
const VECTOR_KID = 'JHJehTTTZlsspKHT-GaJxK7Kd1NQgZJu3fyK6K_QDYU';
const VECTOR_N =
  '249XwEo9k4tM8fMxV7zxOhcrP-WvXn917koM5Qr2ZXs4vo26e4ytdlrV0bQ9SlcLpQVSYjIxNfhTZdDt-ecIzshKuv1gKIxbbLQMOuK1eA_4HALyEkFgmS_tleLJrhc65tKPMGD-pKQ_xhmzRuCG51RoiMgbQxaCyYxGfNLpLAZK9L0Tctv9a0mJmGIYnIOQM4kC1A1I1n3EsXMWmeJUj7OTh_AjjCnMnkgvKT2tpKxYQ59PgDgU8Ssc7RDSmSkLxnrv-OrN80j6xrw0OjEiB4Ycr0PqfzZcvy8efTtFQ_Jnc4Bp1zUtFXt7-QeevePtQ2EcyELXE0i63T1CujRMWw';

// kube-apiserver's own JWKS entry for the vector key (kubernetes openidmetadata_test.go).
const VECTOR_ENTRY_COMPACT = `{"use":"sig","kty":"RSA","kid":"${VECTOR_KID}","alg":"RS256","n":"${VECTOR_N}","e":"AQAB"}`;

// What ccoctl writes: Go's json.MarshalIndent(jwks, "", "    "), no trailing newline.
const VECTOR_KEYS_JSON = `{
    "keys": [
        {
            "use": "sig",
            "kty": "RSA",
            "kid": "${VECTOR_KID}",
            "alg": "RS256",
            "n": "${VECTOR_N}",
            "e": "AQAB"
        }
    ]
}`;

type Entry = Record<string, unknown>;

function rejectionOf(action: () => unknown): InvalidKeySetError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidKeySetError);
    return error as InvalidKeySetError;
  }
  throw new Error('expected an InvalidKeySetError, but nothing was thrown');
}

describe('buildKeySet', () => {
  let vector: PublicSigningKey;
  let first: PrivateSigningKey;
  let second: PrivateSigningKey;

  beforeAll(async () => {
    vector = parsePublicKey(VECTOR_PUBLIC_PEM, 'vector');
    [first, second] = await Promise.all([generateSigningKeyPair(2048), generateSigningKeyPair(2048)]);
  });

  it('writes the Kubernetes vector key exactly as ccoctl (Go json.MarshalIndent, 4 spaces) does', () => {
    // Act
    const text = buildKeySet([vector]);

    // Assess
    expect(text).toBe(VECTOR_KEYS_JSON);
    expect(text.endsWith('\n')).toBe(false);
  });

  it('writes the same entry as kube-apiserver for the Kubernetes vector key', () => {
    // Act
    const compact = JSON.stringify(JSON.parse(buildKeySet([vector])));

    // Assess
    expect(compact).toBe(`{"keys":[${VECTOR_ENTRY_COMPACT}]}`);
  });

  it('writes entry members in the order use, kty, kid, alg, n, e', () => {
    // Act
    const parsed = JSON.parse(buildKeySet([first.publicKey])) as { keys: Entry[] };

    // Assess
    expect(parsed.keys).toHaveLength(1);
    expect(Object.keys(parsed.keys[0] ?? {})).toEqual(['use', 'kty', 'kid', 'alg', 'n', 'e']);
  });

  it('keeps the given order of several keys, one entry per key', () => {
    // Act
    const parsed = JSON.parse(buildKeySet([second.publicKey, vector, first.publicKey])) as { keys: Entry[] };

    // Assess
    expect(parsed.keys.map((entry) => entry.kid)).toEqual([
      second.publicKey.kid,
      VECTOR_KID,
      first.publicKey.kid,
    ]);
  });

  it('refuses an empty key set (ALWAYS-VALID)', () => {
    // Act
    const error = rejectionOf(() => buildKeySet([]));

    // Assess
    expect(error.code).toBe('ERR_KEYSET_INVALID');
  });

  it('refuses duplicate kids (ALWAYS-VALID)', () => {
    // Act
    const error = rejectionOf(() => buildKeySet([first.publicKey, second.publicKey, first.publicKey]));

    // Assess
    expect(error.code).toBe('ERR_KEYSET_DUPLICATE_KID');
    expect(error.message).toContain(first.publicKey.kid);
  });
});

describe('parseKeySet', () => {
  let first: PrivateSigningKey;
  let second: PrivateSigningKey;
  let privateEntry: Entry;
  let weakEntry: Entry;

  beforeAll(async () => {
    [first, second] = await Promise.all([generateSigningKeyPair(2048), generateSigningKeyPair(2048)]);
    privateEntry = {
      ...vectorEntry(),
      ...first.key.export({ format: 'jwk' }),
      kid: first.publicKey.kid,
    };
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
    weakEntry = { ...vectorEntry(), n: weak.n, e: weak.e };
  });

  function vectorEntry(): Entry {
    return JSON.parse(VECTOR_ENTRY_COMPACT) as Entry;
  }

  function jwksOf(...entries: unknown[]): string {
    return JSON.stringify({ keys: entries });
  }

  it('round-trips buildKeySet: same kids, same order, same text when rebuilt', () => {
    // Prepare
    const text = buildKeySet([first.publicKey, second.publicKey]);

    // Act
    const keySet = parseKeySet(text);

    // Assess
    expect(keySet.keys.map((key) => key.kid)).toEqual([first.publicKey.kid, second.publicKey.kid]);
    expect(keySet.keys.map((key) => key.bits)).toEqual([2048, 2048]);
    expect(buildKeySet(keySet.keys)).toBe(text);
  });

  it('accepts the compact JWKS kube-apiserver serves for the vector key', () => {
    // Act
    const keySet = parseKeySet(`{"keys":[${VECTOR_ENTRY_COMPACT}]}`);

    // Assess
    expect(keySet.keys.map((key) => key.kid)).toEqual([VECTOR_KID]);
  });

  it('accepts entries without the optional use and alg members', () => {
    // Prepare
    const { use: _use, alg: _alg, ...bare } = vectorEntry();

    // Act
    const keySet = parseKeySet(jwksOf(bare));

    // Assess
    expect(keySet.keys[0]?.kid).toBe(VECTOR_KID);
  });

  const malformed: ReadonlyArray<{ name: string; text: () => string; code: InvalidKeySetCode }> = [
    { name: 'it is not JSON', text: () => '{"keys": [', code: 'ERR_KEYSET_INVALID' },
    { name: 'it is a JSON array', text: () => `[${VECTOR_ENTRY_COMPACT}]`, code: 'ERR_KEYSET_INVALID' },
    { name: 'it is an empty object', text: () => '{}', code: 'ERR_KEYSET_INVALID' },
    {
      name: '"keys" is not an array',
      text: () => `{"keys":${VECTOR_ENTRY_COMPACT}}`,
      code: 'ERR_KEYSET_INVALID',
    },
    { name: '"keys" is empty', text: () => '{"keys":[]}', code: 'ERR_KEYSET_INVALID' },
    {
      name: `it has more than ${MAX_KEY_SET_KEYS} keys`,
      text: () => jwksOf(...Array.from({ length: MAX_KEY_SET_KEYS + 1 }, vectorEntry)),
      code: 'ERR_KEYSET_INVALID',
    },
    { name: 'an entry is not an object', text: () => jwksOf('key'), code: 'ERR_KEYSET_INVALID' },
    { name: 'an entry is null', text: () => jwksOf(null), code: 'ERR_KEYSET_INVALID' },
    {
      name: 'an entry is an EC key',
      text: () =>
        jwksOf({
          ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' }),
          kid: 'ec',
        }),
      code: 'ERR_KEYSET_INVALID',
    },
    {
      name: 'an entry has kty EC',
      text: () => jwksOf({ ...vectorEntry(), kty: 'EC' }),
      code: 'ERR_KEYSET_INVALID',
    },
    {
      name: 'an entry has no kid',
      text: () => jwksOf({ ...vectorEntry(), kid: undefined }),
      code: 'ERR_KEYSET_INVALID',
    },
    {
      name: 'an entry has an empty kid',
      text: () => jwksOf({ ...vectorEntry(), kid: '' }),
      code: 'ERR_KEYSET_INVALID',
    },
    {
      name: 'an entry has use "enc"',
      text: () => jwksOf({ ...vectorEntry(), use: 'enc' }),
      code: 'ERR_KEYSET_INVALID',
    },
    {
      name: 'an entry has alg RS512',
      text: () => jwksOf({ ...vectorEntry(), alg: 'RS512' }),
      code: 'ERR_KEYSET_INVALID',
    },
    {
      name: 'n carries base64 padding',
      text: () => jwksOf({ ...vectorEntry(), n: `${VECTOR_N}==` }),
      code: 'ERR_KEYSET_INVALID',
    },
    {
      name: 'n uses standard base64 characters',
      text: () => jwksOf({ ...vectorEntry(), n: VECTOR_N.replaceAll('-', '+').replaceAll('_', '/') }),
      code: 'ERR_KEYSET_INVALID',
    },
    { name: 'n is a number', text: () => jwksOf({ ...vectorEntry(), n: 12345 }), code: 'ERR_KEYSET_INVALID' },
    {
      name: 'e is missing',
      text: () => jwksOf({ ...vectorEntry(), e: undefined }),
      code: 'ERR_KEYSET_INVALID',
    },
    {
      name: 'e is 3, not 65537',
      text: () => jwksOf({ ...vectorEntry(), e: 'Aw' }),
      code: 'ERR_KEYSET_INVALID',
    },
    {
      name: 'e carries padding',
      text: () => jwksOf({ ...vectorEntry(), e: 'AQAB=' }),
      code: 'ERR_KEYSET_INVALID',
    },
    { name: 'an entry is an RSA 1024 key', text: () => jwksOf(weakEntry), code: 'ERR_KEYSET_INVALID' },
    {
      name: 'the same entry appears twice',
      text: () => jwksOf(vectorEntry(), vectorEntry()),
      code: 'ERR_KEYSET_DUPLICATE_KID',
    },
    {
      name: 'a kid is not the kube-apiserver kid of its key',
      text: () => jwksOf({ ...vectorEntry(), kid: 'my-signing-key' }),
      code: 'ERR_KEYSET_KID_MISMATCH',
    },
    {
      name: 'the text is larger than 256 KiB',
      text: () => `{"keys":[${VECTOR_ENTRY_COMPACT}]}${' '.repeat(256 * 1024)}`,
      code: 'ERR_KEYSET_INVALID',
    },
  ];

  it.each(malformed)('rejects a key set when $name (ALWAYS-VALID)', ({ text, code }) => {
    // Act
    const error = rejectionOf(() => parseKeySet(text()));

    // Assess
    expect(error.code).toBe(code);
    expect(error.message).not.toBe('');
  });

  it.each(['d', 'p', 'q', 'dp', 'dq', 'qi'])(
    'rejects an entry carrying private member "%s" without repeating its value (SEALED)',
    (member) => {
      // Prepare
      const { n, e, kid, use, alg, kty } = privateEntry;
      const entry = { use, kty, kid, alg, n, e, [member]: privateEntry[member] };

      // Act
      const error = rejectionOf(() => parseKeySet(jwksOf(entry)));

      // Assess
      expect(error.code).toBe('ERR_KEYSET_PRIVATE_MEMBERS');
      expect(error.message).toContain(member);
      expect(error.message).not.toContain(String(privateEntry[member]));
    },
  );

  it('rejects a full private JWK and never puts d into the message (SEALED)', () => {
    // Prepare
    const d = String(privateEntry.d);

    // Act
    const error = rejectionOf(() => parseKeySet(jwksOf(privateEntry)));

    // Assess
    expect(error.code).toBe('ERR_KEYSET_PRIVATE_MEMBERS');
    expect(d.length).toBeGreaterThan(300);
    expect(error.message).not.toContain(d);
    expect(error.message).not.toContain(d.slice(0, 16));
  });

  it.each(['oth', 'k'])('rejects an entry carrying member "%s" (ALWAYS-VALID)', (member) => {
    // Act
    const error = rejectionOf(() => parseKeySet(jwksOf({ ...vectorEntry(), [member]: 'c2VjcmV0' })));

    // Assess
    expect(error.code).toBe('ERR_KEYSET_PRIVATE_MEMBERS');
  });

  it('accepts a kid that is not the kube-apiserver kid with requireKubernetesKids: false', () => {
    // Act
    const keySet = parseKeySet(jwksOf({ ...vectorEntry(), kid: 'my-signing-key' }), {
      requireKubernetesKids: false,
    });

    // Assess
    expect(keySet.keys.map((key) => key.kid)).toEqual(['my-signing-key']);
  });

  it('still rejects duplicate kids with requireKubernetesKids: false (ALWAYS-VALID)', () => {
    // Prepare
    const entries = [first, second].map((pair) => ({
      ...(JSON.parse(buildKeySet([pair.publicKey])) as { keys: Entry[] }).keys[0],
      kid: 'same',
    }));

    // Act
    const error = rejectionOf(() => parseKeySet(jwksOf(...entries), { requireKubernetesKids: false }));

    // Assess
    expect(error.code).toBe('ERR_KEYSET_DUPLICATE_KID');
  });

  describe("a third party's JWKS (skipUnusableKeys)", () => {
    const lenient = { requireKubernetesKids: false, skipUnusableKeys: true } as const;
    const ecEntry = () => ({
      ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' }),
      kid: 'ec-key',
      alg: 'ES256',
    });

    it('keeps the RSA keys and notes each skipped entry instead of rejecting the set (ALWAYS-VALID)', () => {
      // Prepare
      const text = jwksOf(ecEntry(), vectorEntry(), weakEntry, { ...vectorEntry(), kid: 'ps', alg: 'PS256' });

      // Act
      const keySet = parseKeySet(text, lenient);

      // Assess
      expect(keySet.keys.map((key) => key.kid)).toEqual([VECTOR_KID]);
      expect(keySet.skipped).toEqual([
        'key 1: kty is "EC", not "RSA"',
        expect.stringMatching(/^key 3: RSA 1024-bit keys are not accepted/),
        'key 4: alg is "PS256", not "RS256"',
      ]);
    });

    it("refuses the EC key in keyturn's own keys.json: a finding, never skipped (ALWAYS-VALID)", () => {
      // Act
      const error = rejectionOf(() => parseKeySet(jwksOf(vectorEntry(), ecEntry())));

      // Assess
      expect(error.code).toBe('ERR_KEYSET_INVALID');
      expect(error.message).toBe('key 2: kty is "EC", not "RSA"');
    });

    it('still refuses private members and duplicate kids, and a set with no usable key (ALWAYS-VALID, SEALED)', () => {
      // Act
      const leaked = rejectionOf(() => parseKeySet(jwksOf(vectorEntry(), privateEntry), lenient));
      const duplicate = rejectionOf(() => parseKeySet(jwksOf(vectorEntry(), vectorEntry()), lenient));
      const none = rejectionOf(() => parseKeySet(jwksOf(ecEntry(), weakEntry), lenient));

      // Assess
      expect(leaked.code).toBe('ERR_KEYSET_PRIVATE_MEMBERS');
      expect(duplicate.code).toBe('ERR_KEYSET_DUPLICATE_KID');
      expect(none.code).toBe('ERR_KEYSET_INVALID');
      expect(none.message).toMatch(/^the key set has no RSA key usable for RS256: key 1: kty is "EC"/);
    });
  });

  it(`accepts exactly ${MAX_KEY_SET_KEYS} keys when kids are the publisher's own`, () => {
    // Prepare
    const entries = Array.from({ length: MAX_KEY_SET_KEYS }, (_, index) => ({
      ...vectorEntry(),
      kid: `key-${index}`,
    }));

    // Act
    const keySet = parseKeySet(jwksOf(...entries), { requireKubernetesKids: false });

    // Assess
    expect(keySet.keys).toHaveLength(MAX_KEY_SET_KEYS);
  });
});
