import { buildKeySet, parseKeySet } from '#shared/issuer/index.ts';
import { generateSigningKeyPair, type PublicSigningKey } from '#shared/keys/index.ts';
import { median, sampleSync, timeAsync } from './measure.ts';
import { type BenchSection, formatInteger, formatMs, progress } from './report.ts';

const SET_SIZES = [1, 10, 100] as const;

/** At least 50 timed calls even for 100 keys (~10 ms each), up to 5000 for a single key. */
const SAMPLING = { budgetMs: 300, minSamples: 50, maxSamples: 5000 } as const;

/** Keys generated at once: enough to keep libuv's four threadpool workers busy on any core count. */
const GENERATION_BATCH = 10;

/**
 * keys.json build and parse time for 1, 10 and 100 RSA-2048 keys (100 is the most a key set may hold).
 * The keys are generated up front; that cost is reported on its own.
 */
export async function run(): Promise<BenchSection> {
  const largest = Math.max(...SET_SIZES);
  progress(`key set: generating ${largest} RSA 2048 keys in batches of ${GENERATION_BATCH}`);
  const { result: publicKeys, ms: generationMs } = await timeAsync(() => generatePublicKeys(largest));
  const rows = SET_SIZES.map((size) => {
    progress(`key set of ${size}`);
    return measureSetSize(publicKeys.slice(0, size));
  });
  return {
    title: 'keys.json build and parse (RSA 2048, median of repeated single calls)',
    columns: [
      { key: 'keys', label: 'keys' },
      { key: 'bytes', label: 'keys.json bytes', format: formatInteger },
      { key: 'buildMedianMs', label: 'buildKeySet', format: formatMs },
      { key: 'parseMedianMs', label: 'parseKeySet', format: formatMs },
      { key: 'buildSamples', label: 'build runs' },
      { key: 'parseSamples', label: 'parse runs' },
    ],
    rows,
    figures: {
      generationMs: {
        label: `setup: ${largest} RSA 2048 keys generated (parallel batches of ${GENERATION_BATCH})`,
        value: generationMs,
        format: formatMs,
      },
    },
    notes: [
      'parseKeySet with its defaults: every entry imported, validated and its kube-apiserver kid checked',
    ],
  };
}

async function generatePublicKeys(count: number): Promise<PublicSigningKey[]> {
  const keys: PublicSigningKey[] = [];
  while (keys.length < count) {
    const batch = Math.min(GENERATION_BATCH, count - keys.length);
    const pairs = await Promise.all(Array.from({ length: batch }, () => generateSigningKeyPair(2048)));
    keys.push(...pairs.map((pair) => pair.publicKey));
  }
  return keys;
}

function measureSetSize(publicKeys: readonly PublicSigningKey[]) {
  const text = buildKeySet(publicKeys);
  const build = sampleSync(() => {
    buildKeySet(publicKeys);
  }, SAMPLING);
  const parse = sampleSync(() => {
    if (parseKeySet(text).keys.length !== publicKeys.length) throw new Error('parseKeySet lost keys');
  }, SAMPLING);
  return {
    keys: publicKeys.length,
    bytes: Buffer.byteLength(text),
    buildMedianMs: median(build),
    parseMedianMs: median(parse),
    buildSamples: build.length,
    parseSamples: parse.length,
  };
}
