import type { Command } from 'commander';
import { buildDiscovery } from '#shared/issuer/index.ts';
import { type CliIo, writeOutput } from '../io.ts';

/** `keyturn discovery --issuer URL [--output FILE]` */
export function registerDiscovery(program: Command, io: CliIo): void {
  program
    .command('discovery')
    .description('build the OpenID discovery document (.well-known/openid-configuration) for an issuer URL')
    .requiredOption('--issuer <url>', 'issuer URL, https:// (a path is allowed, e.g. https://host/cluster)')
    .option('--output <file>', 'write the document here (replaced atomically) instead of standard output')
    .action(async (options: { issuer: string; output?: string }) => {
      await writeOutput(io, buildDiscovery(options.issuer), options.output);
    });
}
