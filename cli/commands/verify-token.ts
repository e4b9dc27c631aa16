import { type Command, InvalidArgumentError, Option } from 'commander';
import { normalizeIssuerUrl } from '#shared/issuer/index.ts';
import {
  createTokenVerifier,
  DEFAULT_CLOCK_TOLERANCE_SECONDS,
  type KeySource,
  loadKeySet,
  type VerifiedToken,
} from '#shared/tokens/index.ts';
import { type CliIo, readInput } from '../io.ts';
import { OUTPUT_OPTION, type OutputFormat, renderDocument } from '../output-format.ts';

/** The `apiVersion` of `keyturn verify-token -o json|yaml` (docs/cli.md). */
const VERIFICATION_API_VERSION = 'keyturn.io/v1';

interface VerifyTokenOptions {
  publicKey?: string;
  jwks?: string;
  issuer?: string;
  expectIssuer?: string;
  audience?: string;
  clockSkew: number;
  output: OutputFormat;
}

/** `keyturn verify-token TOKEN_FILE (--public-key FILE | --jwks FILE_OR_URL | --issuer URL) [--audience AUD]` */
export function registerVerifyToken(program: Command, io: CliIo): void {
  program
    .command('verify-token')
    .description('verify an RS256 service-account token as a relying party (such as AWS STS) would')
    .argument('<token-file>', 'file holding the token; - for standard input')
    .addOption(new Option('--public-key <file>', 'trust this one public key').conflicts(['jwks', 'issuer']))
    .addOption(
      new Option('--jwks <file-or-url>', 'trust the keys of this JWKS (file or https URL)').conflicts(
        'issuer',
      ),
    )
    .option(
      '--issuer <url>',
      'fetch the discovery document and JWKS from this issuer, and require iss to match it',
    )
    .option('--expect-issuer <url>', 'require this iss (with --public-key or --jwks)')
    .option('--audience <aud>', 'require this audience, e.g. sts.amazonaws.com')
    .option('--clock-skew <seconds>', 'allowed clock skew', parseSeconds, DEFAULT_CLOCK_TOLERANCE_SECONDS)
    .option(...OUTPUT_OPTION)
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  keyturn verify-token token.jwt --issuer https://oidc.example.com/cluster-a --audience sts.amazonaws.com',
        '  kubectl create token default --audience sts.amazonaws.com | keyturn verify-token - --jwks keys.json --audience sts.amazonaws.com',
        '  keyturn verify-token token.jwt --public-key serviceaccount-signer.public -o json',
      ].join('\n'),
    )
    .action(async (tokenFile: string, options: VerifyTokenOptions, command: Command) => {
      const source = await keySourceFrom(io, options, command);
      const token = (await readInput(io, tokenFile, 'token')).toString('utf8').trim();
      const { keySet, issuer } = await loadKeySet(source, { fetch: io.fetch });
      // A relying party uses the keys it can and leaves the others (an EC key for other clients) aside.
      for (const note of keySet.skipped ?? [])
        io.err(`note: skipped ${note}: it cannot verify RS256 tokens\n`);
      const expectedIssuer = issuer ?? optionalIssuer(options.expectIssuer);
      const verifier = createTokenVerifier({
        keySet,
        clockToleranceSeconds: options.clockSkew,
        ...(expectedIssuer === undefined ? {} : { issuer: expectedIssuer }),
        ...(options.audience === undefined ? {} : { audience: options.audience }),
      });
      const verified = await verifier.verify(token);
      if (options.audience === undefined) {
        io.err(
          'note: the audience was not checked; add --audience (sts.amazonaws.com for AWS STS) to check it\n',
        );
      }
      io.out(
        options.output === 'table'
          ? describeValidToken(verified)
          : renderDocument(options.output, verificationDocument(verified, options, expectedIssuer)),
      );
    });
}

async function keySourceFrom(io: CliIo, options: VerifyTokenOptions, command: Command): Promise<KeySource> {
  if (options.publicKey !== undefined) {
    return {
      kind: 'public-key',
      content: await readInput(io, options.publicKey, 'public key'),
      name: options.publicKey,
    };
  }
  if (options.jwks !== undefined) {
    return /^https?:\/\//i.test(options.jwks)
      ? { kind: 'jwks-url', url: options.jwks }
      : { kind: 'jwks', content: (await readInput(io, options.jwks, 'JWKS')).toString('utf8') };
  }
  if (options.issuer !== undefined) {
    return { kind: 'issuer', issuerUrl: options.issuer };
  }
  return command.error('error: give the trusted keys with one of --public-key, --jwks or --issuer', {
    exitCode: 2,
    code: 'keyturn.missingKeySource',
  });
}

function optionalIssuer(url: string | undefined): string | undefined {
  return url === undefined ? undefined : normalizeIssuerUrl(url);
}

function describeValidToken(token: VerifiedToken): string {
  return [
    'The token is valid',
    `  kid:      ${token.kid}`,
    `  issuer:   ${token.issuer}`,
    `  subject:  ${token.subject}`,
    `  audience: ${token.audiences.join(', ')}`,
    `  expires:  ${token.expiresAt.toISOString()}`,
    '',
  ].join('\n');
}

/** What `verify-token -o json|yaml` prints for a valid token; a refused one is an error (exit 1). */
function verificationDocument(token: VerifiedToken, options: VerifyTokenOptions, issuer: string | undefined) {
  return {
    apiVersion: VERIFICATION_API_VERSION,
    kind: 'TokenVerification',
    valid: true,
    kid: token.kid,
    issuer: token.issuer,
    subject: token.subject,
    audiences: token.audiences,
    expiresAt: token.expiresAt.toISOString(),
    /** What was required of the token beyond its signature and times. */
    checked: { issuer: issuer !== undefined, audience: options.audience !== undefined },
  };
}

function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > 3600) {
    throw new InvalidArgumentError('expected whole seconds between 0 and 3600');
  }
  return seconds;
}
