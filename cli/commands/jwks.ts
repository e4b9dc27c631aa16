import type { Command } from 'commander';
import { buildKeySet } from '#shared/issuer/index.ts';
import { parsePublicKey } from '#shared/keys/index.ts';
import { type CliIo, readInput, writeOutput } from '../io.ts';

/** `keyturn jwks PUBLIC_KEY_FILE... [--output FILE]` */
export function registerJwks(program: Command, io: CliIo): void {
  program
    .command('jwks')
    .description('build keys.json (byte-compatible with ccoctl) for these public keys, in the order given')
    .argument('<public-key-files...>', 'public keys, old then new (PEM, DER or JWK)')
    .option('--output <file>', 'write keys.json here (replaced atomically) instead of standard output')
    .action(async (files: string[], options: { output?: string }) => {
      const keys = [];
      for (const file of files) {
        keys.push(parsePublicKey(await readInput(io, file, 'public key'), file));
      }
      const keySet = buildKeySet(keys);
      await writeOutput(io, keySet, options.output);
      if (options.output !== undefined) {
        io.err(keys.map((key, index) => `  ${key.kid}  ${files[index]}\n`).join(''));
      }
    });
}
