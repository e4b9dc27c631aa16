import type { Command } from 'commander';
import { parsePublicKey } from '#shared/keys/index.ts';
import { type CliIo, readInput } from '../io.ts';

/** `keyturn kid PUBLIC_KEY_FILE` */
export function registerKid(program: Command, io: CliIo): void {
  program
    .command('kid')
    .description('print the key id kube-apiserver gives a public key (base64url SHA-256 of its DER SPKI)')
    .argument('<public-key-file>', 'public key: PEM (any label), DER or JWK; - for standard input')
    .action(async (file: string) => {
      const key = parsePublicKey(await readInput(io, file, 'public key'), file);
      io.out(`${key.kid}\n`);
    });
}
