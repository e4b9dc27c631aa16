import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildDiscovery,
  buildKeySet,
  type Fetch,
  fetchDocument,
  IssuerFetchError,
  readPublicIssuer,
} from '#shared/issuer/index.ts';
import { generateSigningKeyPair, type PrivateSigningKey } from '#shared/keys/index.ts';
import { closedOrigin, type LoopbackServer, sendJson, startLoopbackServer } from './loopback-server.ts';

const OVERSIZED = 300 * 1024;

async function rejectionOf(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(Error);
  return outcome as Error & { code?: string };
}

describe('readPublicIssuer', () => {
  let server: LoopbackServer;
  let signer: PrivateSigningKey;
  let issuer: string;

  /** Serves a discovery document (naming `named`, default the issuer itself) and keys.json under `path`. */
  function publish(path: string, keysJson: string, named = `${server.origin}${path}`): void {
    server.routes.set(`${path}/.well-known/openid-configuration`, sendJson(buildDiscovery(named)));
    server.routes.set(`${path}/keys.json`, sendJson(keysJson));
  }

  beforeAll(async () => {
    [server, signer] = await Promise.all([startLoopbackServer(), generateSigningKeyPair(2048)]);
    issuer = `${server.origin}/cluster-a`;
    const keysJson = buildKeySet([signer.publicKey]);
    publish('/cluster-a', keysJson);
    publish('/impostor', keysJson, issuer);
    publish('/broken', '{"keys":[]}');
    server.routes.set('/moved/.well-known/openid-configuration', (_request, response) => {
      response.writeHead(301, { location: `${issuer}/.well-known/openid-configuration` }).end();
    });
    server.routes.set('/silent/.well-known/openid-configuration', () => {
      // Never answers: the client must give up on its own.
    });
    server.routes.set('/stalled/.well-known/openid-configuration', (_request, response) => {
      // Headers and half a body, then nothing.
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"issuer":');
    });
    server.routes.set('/huge/.well-known/openid-configuration', sendJson(' '.repeat(OVERSIZED)));
    server.routes.set('/huge-chunked/.well-known/openid-configuration', (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      for (let sent = 0; sent < OVERSIZED; sent += 16 * 1024) {
        response.write(' '.repeat(16 * 1024));
      }
      response.end();
    });
  });

  afterAll(async () => {
    await server.close();
  });

  it('reads the discovery document and the JWKS it names under a path issuer', async () => {
    // Act
    const result = await readPublicIssuer(`${issuer}/`);

    // Assess
    expect(result.issuer).toBe(issuer);
    expect(result.discovery.jwks_uri).toBe(`${issuer}/keys.json`);
    expect(result.keySet.keys.map((key) => key.kid)).toEqual([signer.publicKey.kid]);
  });

  it('rejects an issuer whose discovery document answers 404', async () => {
    // Act
    const error = await rejectionOf(readPublicIssuer(`${server.origin}/missing`));

    // Assess
    expect(error).toBeInstanceOf(IssuerFetchError);
    expect(error.code).toBe('ERR_ISSUER_FETCH');
    expect(error.message).toContain('404');
  });

  it('refuses to follow a 301 redirect and says so', async () => {
    // Act
    const error = await rejectionOf(readPublicIssuer(`${server.origin}/moved`));

    // Assess
    expect(error.code).toBe('ERR_ISSUER_FETCH');
    expect(error.message).toMatch(/301 redirect/);
    expect(error.message).toContain(`${issuer}/.well-known/openid-configuration`);
  });

  it('rejects a discovery document that names another issuer', async () => {
    // Act
    const error = await rejectionOf(readPublicIssuer(`${server.origin}/impostor`));

    // Assess
    expect(error.code).toBe('ERR_DISCOVERY_ISSUER_MISMATCH');
  });

  it('rejects an issuer whose JWKS is invalid (ALWAYS-VALID)', async () => {
    // Act
    const error = await rejectionOf(readPublicIssuer(`${server.origin}/broken`));

    // Assess
    expect(error.code).toBe('ERR_KEYSET_INVALID');
  });

  it('rejects an unreachable issuer', async () => {
    // Prepare
    const origin = await closedOrigin();

    // Act
    const error = await rejectionOf(readPublicIssuer(`${origin}/cluster-a`));

    // Assess
    expect(error.code).toBe('ERR_ISSUER_FETCH');
    expect(error.message).toContain(`${origin}/cluster-a/.well-known/openid-configuration`);
  });

  it('gives up on a server that never answers after timeoutMs', async () => {
    // Act
    const error = await rejectionOf(readPublicIssuer(`${server.origin}/silent`, { timeoutMs: 200 }));

    // Assess
    expect(error.code).toBe('ERR_ISSUER_FETCH');
    expect(error.message).toMatch(/timed out/);
  });

  it('gives up on a server that stops in the middle of the body after timeoutMs', async () => {
    // Act
    const error = await rejectionOf(readPublicIssuer(`${server.origin}/stalled`, { timeoutMs: 200 }));

    // Assess
    expect(error.code).toBe('ERR_ISSUER_FETCH');
    expect(error.message).toMatch(/timed out/);
  });

  it.each(['/huge', '/huge-chunked'])('rejects an oversized body (%s)', async (path) => {
    // Act
    const error = await rejectionOf(readPublicIssuer(`${server.origin}${path}`));

    // Assess
    expect(error.code).toBe('ERR_ISSUER_FETCH');
    expect(error.message).toContain(String(256 * 1024));
  });

  it('rejects an issuer URL it may not fetch before any request', async () => {
    // Prepare
    const calls: string[] = [];
    const fetch: Fetch = async (input) => {
      calls.push(input);
      return new Response('{}');
    };

    // Act
    const error = await rejectionOf(readPublicIssuer('http://oidc.example.com/cluster-a', { fetch }));

    // Assess
    expect(error.code).toBe('ERR_ISSUER_URL');
    expect(calls).toEqual([]);
  });
});

describe('readPublicIssuer with an injected fetch', () => {
  const ISSUER = 'https://oidc.example.com/cluster-a';
  let keysJson: string;

  beforeAll(async () => {
    keysJson = buildKeySet([(await generateSigningKeyPair(2048)).publicKey]);
  });

  it('uses the given fetch for both documents, without redirects', async () => {
    // Prepare
    const calls: Array<{ url: string; init?: RequestInit }> = [];
    const documents = new Map([
      [`${ISSUER}/.well-known/openid-configuration`, buildDiscovery(ISSUER)],
      [`${ISSUER}/keys.json`, keysJson],
    ]);
    const fetch: Fetch = async (url, init) => {
      calls.push({ url, ...(init === undefined ? {} : { init }) });
      const body = documents.get(url);
      return new Response(body ?? 'not found', { status: body === undefined ? 404 : 200 });
    };

    // Act
    const result = await readPublicIssuer(ISSUER, { fetch });

    // Assess
    expect(result.issuer).toBe(ISSUER);
    expect(calls.map((call) => call.url)).toEqual([...documents.keys()]);
    expect(calls.every((call) => call.init?.redirect === 'manual')).toBe(true);
  });

  it('turns a network failure of the given fetch into ERR_ISSUER_FETCH', async () => {
    // Prepare
    const fetch: Fetch = async () => {
      throw new TypeError('fetch failed', { cause: { code: 'ENOTFOUND' } });
    };

    // Act
    const error = await rejectionOf(fetchDocument(`${ISSUER}/keys.json`, { fetch }));

    // Assess
    expect(error.code).toBe('ERR_ISSUER_FETCH');
    expect(error.message).toContain('ENOTFOUND');
  });
});
