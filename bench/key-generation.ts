import { generateSigningKeyPair, type RsaBits } from '#shared/keys/index.ts';
import { median, timeAsync } from './measure.ts';
import { type BenchSection, formatMs, progress } from './report.ts';

/** Runs per size: RSA generation time varies a lot (it searches for primes), bigger keys take longer. */
const RUNS: ReadonlyArray<readonly [RsaBits, number]> = [
  [2048, 15],
  [3072, 11],
  [4096, 11],
];

/** How long generateSigningKeyPair takes for each size keyturn offers, one key at a time. */
export async function run(): Promise<BenchSection> {
  const rows = [];
  for (const [bits, runs] of RUNS) {
    progress(`key generation, RSA ${bits} × ${runs}`);
    const samples: number[] = [];
    for (let attempt = 0; attempt < runs; attempt += 1) {
      samples.push((await timeAsync(() => generateSigningKeyPair(bits))).ms);
    }
    rows.push({
      keyBits: bits,
      runs,
      medianMs: median(samples),
      minMs: Math.min(...samples),
      maxMs: Math.max(...samples),
    });
  }
  return {
    title: 'Key generation (generateSigningKeyPair, one at a time)',
    columns: [
      { key: 'keyBits', label: 'RSA bits' },
      { key: 'runs', label: 'runs' },
      { key: 'medianMs', label: 'median', format: formatMs },
      { key: 'minMs', label: 'min', format: formatMs },
      { key: 'maxMs', label: 'max', format: formatMs },
    ],
    rows,
    notes: ['includes the kid (SHA-256 over the SPKI) keyturn computes for every generated key'],
  };
}
