import { createHash, createPrivateKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  assertKeyPairMatches,
  type InvalidKeyCode,
  InvalidKeyError,
  type ParsePrivateKeyOptions,
  parsePrivateKey,
  parsePublicKey,
} from '#shared/keys/index.ts';
import { readKeyFixture, readKeyFixtureBytes } from '#test/fixtures/keys.ts';

/** Deterministic noise: SHA-512 chained from a seed, then the first byte forced. */
function noise(length: number, firstByte: number): Buffer {
  const chunks: Buffer[] = [];
  let block = createHash('sha512').update('keyturn').digest();
  for (let size = 0; size < length; size += block.length) {
    chunks.push(block);
    block = createHash('sha512').update(block).digest();
  }
  const bytes = Buffer.concat(chunks).subarray(0, length);
  bytes[0] = firstByte;
  return bytes;
}

/** Puts a character that is not base64 in the middle of the PEM body, keeping the label lines intact. */
function breakBase64(pem: string): string {
  const lines = pem.split('\n');
  const middle = Math.floor(lines.length / 2);
  const line = lines[middle] ?? '';
  lines[middle] = `${line.slice(0, 20)}*${line.slice(21)}`;
  return lines.join('\n');
}

/** Removes one body line, so the base64 stays valid but the DER is incomplete. */
function dropMiddleLine(pem: string): string {
  const lines = pem.split('\n');
  lines.splice(Math.floor(lines.length / 2), 1);
  return lines.join('\n');
}

const spki = readKeyFixture('rsa2048.public');
const pkcs1Private = readKeyFixture('rsa2048.private');
const publicJwk = readKeyFixture('rsa2048.public.jwk.json');
const privateJwk = readKeyFixture('rsa2048.private.jwk.json');
const pkcs8Encrypted = readKeyFixture('rsa2048.pkcs8-encrypted.private');
const legacyEncrypted = readKeyFixture('rsa2048.legacy-encrypted.private');
const WRONG = { passphrase: 'wrong horse' };
const openSshKey =
  '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n';
const ecPrivateJwk = JSON.stringify(
  createPrivateKey(readKeyFixture('ec-p256.private')).export({ format: 'jwk' }),
);

interface Case {
  readonly when: string;
  readonly act: () => unknown;
  readonly code: InvalidKeyCode;
}

function viaPublic(when: string, input: string | Uint8Array, code: InvalidKeyCode): Case {
  return { when: `parsePublicKey gets ${when}`, act: () => parsePublicKey(input), code };
}

function viaPrivate(
  when: string,
  input: string | Uint8Array,
  code: InvalidKeyCode,
  options?: ParsePrivateKeyOptions,
): Case {
  return {
    when: `parsePrivateKey gets ${when}`,
    act: () => parsePrivateKey(input, 'private key', options),
    code,
  };
}

/** The same malformed input through both parsers, with the code each must give. */
function bothParsers(when: string, input: string | Uint8Array, code: InvalidKeyCode): Case[] {
  return [viaPublic(when, input, code), viaPrivate(when, input, code)];
}

const cases: Case[] = [
  // ERR_KEY_FORMAT: nothing that decodes to a key.
  ...bothParsers('an empty string', '', 'ERR_KEY_FORMAT'),
  ...bothParsers('only whitespace', ' \n\t\r\n ', 'ERR_KEY_FORMAT'),
  ...bothParsers('an empty byte array', new Uint8Array(0), 'ERR_KEY_FORMAT'),
  ...bothParsers('garbage text', 'this is not a key, just text\n', 'ERR_KEY_FORMAT'),
  ...bothParsers('random bytes', noise(512, 0x9c), 'ERR_KEY_FORMAT'),
  ...bothParsers('random bytes that start like DER', noise(512, 0x30), 'ERR_KEY_FORMAT'),
  ...bothParsers('input larger than 64 KiB', `${spki}\n${' '.repeat(64 * 1024)}`, 'ERR_KEY_FORMAT'),
  ...bothParsers(
    'a PEM block without an END line',
    spki.replace(/-----END PUBLIC KEY-----\n$/, ''),
    'ERR_KEY_FORMAT',
  ),
  ...bothParsers('a BEGIN line without a body or END', '-----BEGIN PUBLIC KEY-----\n', 'ERR_KEY_FORMAT'),
  ...bothParsers(
    'BEGIN and END labels that differ',
    spki.replace('-----END PUBLIC KEY-----', '-----END RSA PUBLIC KEY-----'),
    'ERR_KEY_FORMAT',
  ),
  ...bothParsers('a PEM body that is not base64', breakBase64(spki), 'ERR_KEY_FORMAT'),
  ...bothParsers(
    'an empty PEM body',
    '-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n',
    'ERR_KEY_FORMAT',
  ),
  ...bothParsers('a PEM block whose DER is cut short', dropMiddleLine(spki), 'ERR_KEY_FORMAT'),
  viaPrivate('a private key whose DER is cut short', dropMiddleLine(pkcs1Private), 'ERR_KEY_FORMAT'),
  ...bothParsers('JSON that does not parse', '{"kty": "RSA", ', 'ERR_KEY_FORMAT'),
  ...bothParsers('JSON that is not a JWK', '{"hello": "world"}', 'ERR_KEY_FORMAT'),
  ...bothParsers('a JSON array', '[{"kty": "RSA"}]', 'ERR_KEY_FORMAT'),
  ...bothParsers('an RSA JWK without n and e', '{"kty": "RSA"}', 'ERR_KEY_FORMAT'),
  ...bothParsers('a JWKS whose entry is not an object', '{"keys": ["RSA"]}', 'ERR_KEY_FORMAT'),
  viaPrivate('an OpenSSH private key', openSshKey, 'ERR_KEY_FORMAT'),

  // ERR_KEY_MULTIPLE: more than one key where one was expected.
  ...bothParsers('two PEM blocks', `${spki}${readKeyFixture('other2048.public')}`, 'ERR_KEY_MULTIPLE'),
  ...bothParsers('a private and a public key in one file', `${pkcs1Private}${spki}`, 'ERR_KEY_MULTIPLE'),
  ...bothParsers('a JWKS with two keys', `{"keys": [${publicJwk}, ${publicJwk}]}`, 'ERR_KEY_MULTIPLE'),

  // ERR_KEY_CERTIFICATE
  ...bothParsers('an X.509 certificate', readKeyFixture('rsa2048.cert.pem'), 'ERR_KEY_CERTIFICATE'),

  // ERR_KEY_ALGORITHM: keys that cannot sign RS256.
  viaPublic('an EC P-256 key', readKeyFixture('ec-p256.public'), 'ERR_KEY_ALGORITHM'),
  viaPrivate('an EC P-256 key', readKeyFixture('ec-p256.private'), 'ERR_KEY_ALGORITHM'),
  viaPrivate('an EC private JWK', ecPrivateJwk, 'ERR_KEY_ALGORITHM'),
  viaPublic('an Ed25519 key', readKeyFixture('ed25519.public'), 'ERR_KEY_ALGORITHM'),
  viaPrivate('an Ed25519 key', readKeyFixture('ed25519.private'), 'ERR_KEY_ALGORITHM'),
  viaPublic('a DSA key', readKeyFixture('dsa.public'), 'ERR_KEY_ALGORITHM'),
  viaPrivate('a DSA key', readKeyFixture('dsa.private'), 'ERR_KEY_ALGORITHM'),
  viaPublic('an RSA-PSS key', readKeyFixture('rsa-pss.public'), 'ERR_KEY_ALGORITHM'),
  viaPrivate('an RSA-PSS key', readKeyFixture('rsa-pss.private'), 'ERR_KEY_ALGORITHM'),

  // ERR_KEY_STRENGTH: RSA, but too small or with the wrong exponent.
  viaPublic('an RSA 1024 key', readKeyFixture('rsa1024.public'), 'ERR_KEY_STRENGTH'),
  viaPrivate('an RSA 1024 key', readKeyFixture('rsa1024.private'), 'ERR_KEY_STRENGTH'),
  viaPublic('an RSA key with exponent 3', readKeyFixture('rsa2048-e3.public'), 'ERR_KEY_STRENGTH'),
  viaPrivate('an RSA key with exponent 3', readKeyFixture('rsa2048-e3.private'), 'ERR_KEY_STRENGTH'),

  // ERR_KEY_KIND: a private key where a public one was expected, and the other way round.
  viaPublic('a PKCS#1 private key', pkcs1Private, 'ERR_KEY_KIND'),
  viaPublic('a PKCS#8 private key', readKeyFixture('rsa2048.pkcs8.private'), 'ERR_KEY_KIND'),
  viaPublic('PKCS#1 private DER', readKeyFixtureBytes('rsa2048.private.der'), 'ERR_KEY_KIND'),
  viaPublic('an encrypted PKCS#8 key', readKeyFixture('rsa2048.pkcs8-encrypted.private'), 'ERR_KEY_KIND'),
  viaPublic('a legacy encrypted key', readKeyFixture('rsa2048.legacy-encrypted.private'), 'ERR_KEY_KIND'),
  viaPublic('a private JWK', privateJwk, 'ERR_KEY_KIND'),
  viaPrivate('an SPKI public key', spki, 'ERR_KEY_KIND'),
  viaPrivate('a PKCS#1 public key', readKeyFixture('rsa2048.pkcs1.public'), 'ERR_KEY_KIND'),
  viaPrivate(
    'SPKI under an RSA PUBLIC KEY label',
    readKeyFixture('rsa2048.spki-rsa-label.public'),
    'ERR_KEY_KIND',
  ),
  viaPrivate('public DER', readKeyFixtureBytes('rsa2048.public.der'), 'ERR_KEY_KIND'),
  viaPrivate('a public JWK', publicJwk, 'ERR_KEY_KIND'),

  // ERR_KEY_PASSPHRASE: encrypted keys without the right passphrase.
  viaPrivate('encrypted PKCS#8 without a passphrase', pkcs8Encrypted, 'ERR_KEY_PASSPHRASE'),
  viaPrivate('encrypted PKCS#8 with a wrong passphrase', pkcs8Encrypted, 'ERR_KEY_PASSPHRASE', WRONG),
  viaPrivate('encrypted PKCS#8 with an empty passphrase', pkcs8Encrypted, 'ERR_KEY_PASSPHRASE', {
    passphrase: '',
  }),
  viaPrivate('a legacy encrypted key without a passphrase', legacyEncrypted, 'ERR_KEY_PASSPHRASE'),
  viaPrivate('a legacy encrypted key with a wrong passphrase', legacyEncrypted, 'ERR_KEY_PASSPHRASE', WRONG),

  // ERR_KEY_MISMATCH: a private key checked against someone else's public key.
  {
    when: 'assertKeyPairMatches gets an unrelated pair',
    act: () =>
      assertKeyPairMatches(parsePrivateKey(readKeyFixture('other2048.private')), parsePublicKey(spki)),
    code: 'ERR_KEY_MISMATCH',
  },
  {
    when: 'assertKeyPairMatches gets the Kubernetes vector as the public key',
    act: () =>
      assertKeyPairMatches(
        parsePrivateKey(pkcs1Private),
        parsePublicKey(readKeyFixture('k8s-keyid-vector.public')),
      ),
    code: 'ERR_KEY_MISMATCH',
  },
];

describe('parsePublicKey, parsePrivateKey and assertKeyPairMatches', () => {
  it.each(cases)('rejects the input with $code when $when', ({ act, code }) => {
    // Act
    let thrown: unknown;
    try {
      act();
    } catch (error) {
      thrown = error;
    }

    // Assess
    expect(thrown).toBeInstanceOf(InvalidKeyError);
    expect(thrown).toMatchObject({ name: 'InvalidKeyError', code });
  });

  it('names the source in the message when it rejects an input', () => {
    expect(() => parsePublicKey('', 'cluster-a/serviceaccount-signer.public')).toThrow(
      /^cluster-a\/serviceaccount-signer\.public: /,
    );
  });
});

describe('parsePublicKey on an empty JWKS', () => {
  it('rejects {"keys": []} as ERR_KEY_FORMAT', () => {
    expect(() => parsePublicKey('{"keys": []}', 'empty.jwks')).toThrow(
      expect.objectContaining({ code: 'ERR_KEY_FORMAT' }),
    );
  });
});

describe('parsePublicKey on a JWK with private members but no d', () => {
  const full = JSON.parse(privateJwk) as Record<string, unknown>;
  const { d: _d, ...withoutD } = full;

  it.each(['p', 'q', 'dp', 'dq', 'qi', 'oth'])(
    'refuses a public JWK carrying "%s" with ERR_KEY_KIND, naming the member but not its value (SEALED)',
    (member) => {
      // Prepare
      const jwk = { kty: 'RSA', n: full.n, e: full.e, [member]: member === 'oth' ? [] : withoutD[member] };

      // Act
      const parse = () => parsePublicKey(JSON.stringify(jwk), 'offered.jwk');

      // Assess
      expect(parse).toThrow(expect.objectContaining({ name: 'InvalidKeyError', code: 'ERR_KEY_KIND' }));
      expect(parse).toThrow(`"${member}"`);
      const value = withoutD[member];
      if (typeof value === 'string') expect(parse).toThrow(expect.not.stringContaining(value.slice(0, 16)));
    },
  );

  it('refuses the CRT members of a private key without d, naming each (SEALED)', () => {
    // Act
    const parse = () => parsePublicKey(JSON.stringify(withoutD), 'crt-only.jwk');

    // Assess
    expect(parse).toThrow(expect.objectContaining({ code: 'ERR_KEY_KIND' }));
    expect(parse).toThrow(/"p", "q", "dp", "dq", "qi"/);
  });

  it('refuses them in a private key reader as an incomplete private JWK (ERR_KEY_FORMAT)', () => {
    // Act
    const parse = () => parsePrivateKey(JSON.stringify(withoutD), 'crt-only.jwk');

    // Assess
    expect(parse).toThrow(expect.objectContaining({ code: 'ERR_KEY_FORMAT' }));
    expect(parse).toThrow(/no "d"/);
  });
});
