import { describe, expect, it } from 'vitest';
import { listenerCovers, servableIssuerOrigin } from '#local/servable-issuer.ts';

describe('servableIssuerOrigin', () => {
  it.each([
    ['http://127.0.0.1:8080/demo', '127.0.0.1', 8080],
    ['http://localhost:18080/a/b/', 'localhost', 18080],
    ['http://[::1]:9090/demo', '::1', 9090],
  ])('accepts %s, served on %s:%i', (url, host, port) => {
    // Act
    const origin = servableIssuerOrigin(url);

    // Assess
    expect(origin).toMatchObject({ host, port });
  });

  it.each([
    ['https on loopback', 'https://127.0.0.1:8443/demo', 'plain http://'],
    ['https elsewhere', 'https://oidc.example.com/demo', 'plain http://'],
    ['no port', 'http://127.0.0.1/demo', 'names no port'],
    ['the default port, spelt out', 'http://127.0.0.1:80/demo', 'names no port'],
    ['a privileged port', 'http://127.0.0.1:1023/demo', 'needs root'],
    ['no path', 'http://127.0.0.1:8080', 'no path'],
    ['only a slash', 'http://127.0.0.1:8080/', 'no path'],
    ['another loopback address', 'http://127.0.0.2:8080/demo', 'not a loopback name'],
  ])('rejects %s (ERR_ISSUER_NOT_SERVABLE) and says what a local issuer is', (_case, url, why) => {
    // Act
    const refuse = () => servableIssuerOrigin(url);

    // Assess
    expect(refuse).toThrow(expect.objectContaining({ code: 'ERR_ISSUER_NOT_SERVABLE' }));
    expect(refuse).toThrow(why);
    expect(refuse).toThrow('e.g. http://127.0.0.1:8080/demo');
  });

  it('rejects a URL that is not an issuer URL with ERR_ISSUER_URL', () => {
    expect(() => servableIssuerOrigin('http://example.com:8080/demo')).toThrow(
      expect.objectContaining({ code: 'ERR_ISSUER_URL' }),
    );
  });
});

describe('listenerCovers', () => {
  it('counts the same address, a wildcard and localhost, not another address', () => {
    expect(listenerCovers('127.0.0.1', '127.0.0.1')).toBe(true);
    expect(listenerCovers('0.0.0.0', '127.0.0.1')).toBe(true);
    expect(listenerCovers('127.0.0.1', 'localhost')).toBe(true);
    expect(listenerCovers('::1', '127.0.0.1')).toBe(false);
  });
});
