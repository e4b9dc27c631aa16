import { InvalidKeyError } from './errors.ts';

/** One `-----BEGIN X----- ... -----END X-----` block, decoded. */
export interface PemBlock {
  /** The label after BEGIN, as written (labels can lie: parse by content). */
  readonly label: string;
  /** RFC 1421 headers such as `Proc-Type: 4,ENCRYPTED` (legacy OpenSSL encryption). */
  readonly headers: ReadonlyMap<string, string>;
  /** The decoded body. */
  readonly der: Buffer;
  /** The block as it appeared in the input, for parsers that need the PEM text itself. */
  readonly text: string;
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END ([A-Z0-9 ]+)-----/g;
const PEM_BEGIN = /-----BEGIN /g;
const BASE64_BODY = /^[A-Za-z0-9+/]+={0,2}$/;

/** Splits text into PEM blocks (RFC 7468), rejecting truncated blocks and bodies that are not base64. */
export function readPemBlocks(text: string, source: string): PemBlock[] {
  const blocks = [...text.matchAll(PEM_BLOCK)].map((match) => decodeBlock(match, source));
  const begins = text.match(PEM_BEGIN)?.length ?? 0;
  if (begins !== blocks.length) {
    throw new InvalidKeyError(
      'ERR_KEY_FORMAT',
      `${source}: a PEM block is not terminated by a matching END line`,
    );
  }
  return blocks;
}

/** Reads exactly one PEM block, with a clear error for none or several. */
export function readSinglePemBlock(text: string, source: string): PemBlock {
  const blocks = readPemBlocks(text, source);
  const [first] = blocks;
  if (first === undefined) {
    throw new InvalidKeyError(
      'ERR_KEY_FORMAT',
      `${source}: no PEM block found (expected -----BEGIN ...-----)`,
    );
  }
  if (blocks.length > 1) {
    const labels = blocks.map((block) => block.label).join(', ');
    throw new InvalidKeyError(
      'ERR_KEY_MULTIPLE',
      `${source}: found ${blocks.length} PEM blocks (${labels}) where one key was expected; put each key in its own file`,
    );
  }
  return first;
}

/** Encodes DER bytes as PEM with 64-character lines, as OpenSSL and Go's encoding/pem write it. */
export function encodePem(label: string, der: Uint8Array): string {
  const lines =
    Buffer.from(der)
      .toString('base64')
      .match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

function decodeBlock(match: RegExpMatchArray, source: string): PemBlock {
  const [text, label = '', body = '', endLabel] = match;
  if (label !== endLabel) {
    throw new InvalidKeyError(
      'ERR_KEY_FORMAT',
      `${source}: PEM block BEGIN ${label} ends with END ${endLabel}`,
    );
  }
  const { headers, base64 } = splitHeaders(body);
  if (!BASE64_BODY.test(base64)) {
    throw new InvalidKeyError('ERR_KEY_FORMAT', `${source}: the ${label} block is not valid base64`);
  }
  return { label, headers, der: Buffer.from(base64, 'base64'), text };
}

function splitHeaders(body: string): { headers: Map<string, string>; base64: string } {
  const headers = new Map<string, string>();
  const lines = body.split(/\r?\n/).map((line) => line.trim());
  const dataLines: string[] = [];
  for (const line of lines) {
    // Skip the line break after BEGIN and the blank line after RFC 1421 headers, or headers read as data.
    if (line === '') {
      continue;
    }
    const colon = line.indexOf(':');
    if (colon > 0 && dataLines.length === 0) {
      headers.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
    } else {
      dataLines.push(line);
    }
  }
  return { headers, base64: dataLines.join('') };
}
