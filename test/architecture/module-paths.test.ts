import { describe, expect, it } from 'vitest';
import { findModuleUrlPathnames } from './module-paths.ts';

describe('findModuleUrlPathnames', () => {
  it.each([
    ["const ROOT = new URL('../../', import.meta.url).pathname;", [1]],
    ['const here = new URL(import.meta.url).pathname;', [1]],
    ['const file = new URL(`../config.json`, import.meta.url)\n  .pathname;', [2]],
    ["const url = new URL('x.json', import.meta.url);\nreadFileSync(url.pathname);", [2]],
    ["const dep: URL = new URL(import.meta.resolve('jose'));\nconst at = dep.pathname;", [2]],
  ])('finds the .pathname of a module URL in %j', (source, lines) => {
    expect(findModuleUrlPathnames(source)).toEqual(lines);
  });

  it.each([
    "const ROOT = fileURLToPath(new URL('../../', import.meta.url));",
    "const ROOT = join(import.meta.dirname, '..', '..');",
    "const url = new URL('x.json', import.meta.url);\nreadFileSync(url);",
    "const base = new URL(issuer).pathname.split('/');",
    'const require = createRequire(import.meta.url);\nconst path = new URL(page).pathname;',
    "// new URL('.', import.meta.url).pathname\nconst banner = \"new URL('.', import.meta.url).pathname\";",
  ])('lets %j pass', (source) => {
    expect(findModuleUrlPathnames(source)).toEqual([]);
  });
});
