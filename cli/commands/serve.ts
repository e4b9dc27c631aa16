import type { Command } from 'commander';
import { startIssuerServer } from '#local/issuer-server.ts';
import { keyturnHomeLayout } from '#shared/adapters/local/index.ts';
import { HOME_OPTION, homeFrom } from '../home.ts';
import type { CliIo } from '../io.ts';
import { parsePortOption } from '../option-parsers.ts';

/** `keyturn serve [--home DIR] [--port 8080]` */
export function registerServe(program: Command, io: CliIo): void {
  program
    .command('serve')
    .description(
      'serve the published keys.json and discovery documents the way CloudFront does, until stopped',
    )
    .option(...HOME_OPTION)
    .option('--port <port>', 'port to listen on', parsePortOption, 8080)
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .action(async (options: { home?: string; port: number; host: string }) => {
      const root = keyturnHomeLayout(homeFrom(io, options.home)).publicDir;
      const server = await startIssuerServer({ root, port: options.port, host: options.host });
      io.err(`Serving ${root} at ${server.url} (Ctrl-C to stop)\n`);
      await io.untilStopped();
      await server.close();
      io.err('Stopped.\n');
    });
}
