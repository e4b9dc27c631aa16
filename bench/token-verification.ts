import { verify as verifySignature } from 'node:crypto';
import { buildKeySet } from '#shared/issuer/index.ts';
import { generateSigningKeyPair, type RsaBits } from '#shared/keys/index.ts';
import {
  createTokenVerifier,
  issueServiceAccountToken,
  loadKeySet,
  type ServiceAccountTokenClaims,
} from '#shared/tokens/index.ts';
import { combineThroughput, measureAsync, measureSync, type Throughput } from './measure.ts';
import { type BenchSection, formatInteger, formatRatio, progress } from './report.ts';

const KEY_SIZES: readonly RsaBits[] = [2048, 4096];

const ISSUER = 'https://oidc.bench.example/cluster';
const AUDIENCE = 'sts.amazonaws.com';
const CLAIMS: ServiceAccountTokenClaims = {
  issuer: ISSUER,
  audiences: [AUDIENCE],
  namespace: 'bench',
  serviceAccount: 'verifier',
};

/** Each side gets 200 ms of warm-up, then 5 × 200 ms = 1 s of counted calls, alternating with the other. */
const WARMUP_MS = 200;
const SLICES = 5;
const SLICE_MS = 200;

const ISSUED_AT = new Date('2025-01-01T00:00:00Z');

/** A fixed clock one minute into the token's one-hour life, so every run verifies the same way. */
const NOW = new Date(ISSUED_AT.getTime() + 60_000);

/**
 * Token verifications per second: keyturn's verifier (jose over a cached JWKS, with issuer and audience
 * checks, as STS does) beside a bare node:crypto RSA-SHA256 check of the same token.
 */
export async function run(): Promise<BenchSection> {
  const rows = [];
  for (const bits of KEY_SIZES) {
    progress(`token verification, RSA ${bits}`);
    rows.push(await measureKeySize(bits));
  }
  return {
    title: 'Token verification (one call at a time; 1 s each in alternating 200 ms slices, after warm-up)',
    columns: [
      { key: 'keyBits', label: 'RSA bits' },
      { key: 'keyturnOpsPerSec', label: 'keyturn verify/s', format: formatInteger },
      { key: 'rawOpsPerSec', label: 'raw crypto.verify/s', format: formatInteger },
      { key: 'ratio', label: 'keyturn/raw', format: formatRatio },
    ],
    rows,
    notes: [
      'keyturn: createTokenVerifier over a loaded keys.json, verify(token, now) with iss and aud checks',
      "raw: split the token, crypto.verify('sha256', header.payload, publicKey, signature), synchronous",
    ],
  };
}

async function measureKeySize(bits: RsaBits) {
  const signer = await generateSigningKeyPair(bits);
  const token = await issueServiceAccountToken(signer, CLAIMS, ISSUED_AT);
  const { keySet } = await loadKeySet({ kind: 'jwks', content: buildKeySet([signer.publicKey]) });
  const verifier = createTokenVerifier({ keySet, issuer: ISSUER, audience: AUDIENCE });
  const { kid, key: publicKey } = signer.publicKey;

  // Every call is checked, so a figure can never be a rate of rejections.
  const viaKeyturn = async () => {
    const verified = await verifier.verify(token, NOW);
    if (verified.kid !== kid) {
      throw new Error(`keyturn verified the token with kid ${verified.kid}, not ${kid}`);
    }
  };
  const viaNodeCrypto = () => {
    const [header = '', payload = '', signature = ''] = token.split('.');
    const signingInput = Buffer.from(`${header}.${payload}`);
    if (!verifySignature('sha256', signingInput, publicKey, Buffer.from(signature, 'base64url'))) {
      throw new Error(`raw RSA-SHA256 verification failed for RSA ${bits}`);
    }
  };

  // Alternating slices keep a burst of load elsewhere on the machine from landing on one side only.
  const keyturn: Throughput[] = [];
  const raw: Throughput[] = [];
  for (let slice = 0; slice < SLICES; slice += 1) {
    const warmupMs = slice === 0 ? WARMUP_MS : 0;
    keyturn.push(await measureAsync(viaKeyturn, { warmupMs, budgetMs: SLICE_MS }));
    raw.push(measureSync(viaNodeCrypto, { warmupMs, budgetMs: SLICE_MS }));
  }
  const keyturnOpsPerSec = combineThroughput(keyturn).opsPerSec;
  const rawOpsPerSec = combineThroughput(raw).opsPerSec;
  return {
    keyBits: bits,
    keyturnOpsPerSec,
    rawOpsPerSec,
    ratio: keyturnOpsPerSec / rawOpsPerSec,
  };
}
