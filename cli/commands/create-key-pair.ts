import { join } from 'node:path';
import type { Command } from 'commander';
import {
  DEFAULT_RSA_BITS,
  encodePrivateKeyPem,
  encodePublicKeyPem,
  GENERATED_RSA_BITS,
  generateSigningKeyPair,
  type RsaBits,
} from '#shared/keys/index.ts';
import { assertNoneExist, type CliIo, writeNewFiles } from '../io.ts';
import { parseBitsOption } from '../option-parsers.ts';

/** ccoctl's file names (`ccoctl create-key-pair`), which installers and runbooks expect. */
export const PRIVATE_KEY_FILE = 'serviceaccount-signer.private';
export const PUBLIC_KEY_FILE = 'serviceaccount-signer.public';

/** `keyturn create-key-pair --output-dir DIR [--bits 4096]` */
export function registerCreateKeyPair(program: Command, io: CliIo): void {
  program
    .command('create-key-pair')
    .description(
      `create ${PRIVATE_KEY_FILE} (PKCS#1 PEM, mode 0600) and ${PUBLIC_KEY_FILE} (SPKI PEM), as ccoctl does; never overwrites`,
    )
    .requiredOption('--output-dir <dir>', 'directory for the two files (created if missing)')
    .option(
      '--bits <bits>',
      `RSA key size: ${GENERATED_RSA_BITS.join(', ')}`,
      parseBitsOption,
      DEFAULT_RSA_BITS,
    )
    .action(async (options: { outputDir: string; bits: RsaBits }) => {
      await assertNoneExist(io, options.outputDir, [PRIVATE_KEY_FILE, PUBLIC_KEY_FILE]);
      io.err(`Generating an RSA ${options.bits}-bit key pair...\n`);
      const started = performance.now();
      const pair = await generateSigningKeyPair(options.bits);
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      await writeNewFiles(io, options.outputDir, [
        { path: PRIVATE_KEY_FILE, content: encodePrivateKeyPem(pair), mode: 0o600 },
        { path: PUBLIC_KEY_FILE, content: encodePublicKeyPem(pair.publicKey), mode: 0o644 },
      ]);
      io.out(
        `Created ${join(options.outputDir, PRIVATE_KEY_FILE)} (mode 0600) and ${join(options.outputDir, PUBLIC_KEY_FILE)}\n` +
          `RSA ${options.bits} bits, generated in ${seconds} s\n` +
          `kid: ${pair.publicKey.kid}\n`,
      );
    });
}
