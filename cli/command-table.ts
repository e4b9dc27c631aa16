import type { Command } from 'commander';
import type { CliIo } from './io.ts';

/** Adds one command, with its options and action, to the program. */
export type RegisterCommand = (program: Command, io: CliIo) => void;

/**
 * One `keyturn` command as the top-level help lists it, and where its code lives. Only the command a run
 * names is loaded, so `keyturn --help`, `kid`, `jwks` and `verify-token` never import the AWS SDK, the
 * Kubernetes client or the workflow runner. `term` and `summary` must equal what the command registers
 * (test/cli/lazy-commands.test.ts holds them to it).
 */
export interface CommandEntry {
  readonly name: string;
  /** The help's left column: name, `[options]` when it has any, and its arguments. */
  readonly term: string;
  readonly summary: string;
  readonly load: () => Promise<RegisterCommand>;
}

/** Every command, in the order the help lists them. */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'create-key-pair',
    term: 'create-key-pair [options]',
    summary:
      'create serviceaccount-signer.private (PKCS#1 PEM, mode 0600) and serviceaccount-signer.public (SPKI PEM), as ccoctl does; never overwrites',
    load: async () => (await import('./commands/create-key-pair.ts')).registerCreateKeyPair,
  },
  {
    name: 'kid',
    term: 'kid <public-key-file>',
    summary: 'print the key id kube-apiserver gives a public key (base64url SHA-256 of its DER SPKI)',
    load: async () => (await import('./commands/kid.ts')).registerKid,
  },
  {
    name: 'jwks',
    term: 'jwks [options] <public-key-files...>',
    summary: 'build keys.json (byte-compatible with ccoctl) for these public keys, in the order given',
    load: async () => (await import('./commands/jwks.ts')).registerJwks,
  },
  {
    name: 'discovery',
    term: 'discovery [options]',
    summary: 'build the OpenID discovery document (.well-known/openid-configuration) for an issuer URL',
    load: async () => (await import('./commands/discovery.ts')).registerDiscovery,
  },
  {
    name: 'verify-token',
    term: 'verify-token [options] <token-file>',
    summary: 'verify an RS256 service-account token as a relying party (such as AWS STS) would',
    load: async () => (await import('./commands/verify-token.ts')).registerVerifyToken,
  },
  {
    name: 'init',
    term: 'init [options]',
    summary: 'create an issuer: its first signing key (or an adopted one), keyring, keys.json and discovery',
    load: async () => (await import('./commands/init.ts')).registerInit,
  },
  {
    name: 'status',
    term: 'status [options]',
    summary: 'show each issuer keyring: kid, state, age, when retired keys leave keys.json',
    load: async () => (await import('./commands/status.ts')).registerStatus,
  },
  {
    name: 'preflight',
    term: 'preflight [options]',
    summary:
      'check a cluster before its first rotation: reachable, permissions, issuer, keys, caches, guard, stability (reads only)',
    load: async () => (await import('./commands/preflight.ts')).registerPreflight,
  },
  {
    name: 'rotate',
    term: 'rotate [options]',
    summary:
      'rotate the signing key: publish, confirm, push, watch the rollout, verify, activate (in AWS, or --local)',
    load: async () => (await import('./commands/rotate.ts')).registerRotate,
  },
  {
    name: 'maintain',
    term: 'maintain [options]',
    summary:
      'run the maintenance workflow once: remove keys whose grace has passed, destroy their private keys, report drift',
    load: async () => (await import('./commands/maintain.ts')).registerMaintain,
  },
  {
    name: 'reseal',
    term: 'reseal [options]',
    summary:
      'seal a keyring you have checked (one written before keyturn sealed keyrings, or one that failed its MAC check)',
    load: async () => (await import('./commands/reseal.ts')).registerReseal,
  },
  {
    name: 'serve',
    term: 'serve [options]',
    summary: 'serve the published keys.json and discovery documents the way CloudFront does, until stopped',
    load: async () => (await import('./commands/serve.ts')).registerServe,
  },
  {
    name: 'sim',
    term: 'sim [options]',
    summary:
      'run a simulated OpenShift control plane over HTTPS (a test and demo target for kubectl and keyturn), until stopped',
    load: async () => (await import('./commands/sim.ts')).registerSim,
  },
  {
    name: 'completion',
    term: 'completion <shell>',
    summary: 'print a shell completion script for bash or zsh (source it from your shell profile)',
    load: async () => (await import('./commands/completion.ts')).registerCompletion,
  },
];

/**
 * The command a run names (`keyturn rotate …`, `keyturn help rotate`), or undefined for the program's own
 * help, version and unknown words. Program options come before the command; `--debug` is the only one that
 * takes no value, so any other word starting with `-` is left for Commander to reject.
 */
export function commandNamed(argv: readonly string[]): CommandEntry | undefined {
  const words = argv.filter((word) => word !== '--debug');
  const first = words[0];
  const name = first === 'help' ? words[1] : first;
  return COMMANDS.find((entry) => entry.name === name);
}
