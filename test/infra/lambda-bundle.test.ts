import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_BUNDLING } from '#infra/constructs/rotation-functions.ts';

const ROOT = join(import.meta.dirname, '..', '..');
type Handler = (event: unknown, context: object) => Promise<unknown>;

/**
 * Bundles one handler as NodejsFunction does (same esbuild options) and loads it in this Node 24, so a
 * bundling mistake shows here and not in Lambda. The output sits under node_modules/.cache so the
 * external SDK resolves from the project, as the Lambda runtime provides it.
 */
describe('the bundled Lambda handler', () => {
  const cache = join(ROOT, 'node_modules', '.cache');
  let outdir = '';
  let handler: Handler;
  const saved = { ...process.env };

  beforeAll(async () => {
    mkdirSync(cache, { recursive: true });
    outdir = mkdtempSync(join(cache, 'keyturn-bundle-'));
    await build({
      entryPoints: [join(ROOT, 'functions/handlers/prepare.ts')],
      outfile: join(outdir, 'index.mjs'),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: FUNCTION_BUNDLING.target,
      mainFields: [...FUNCTION_BUNDLING.mainFields],
      minify: FUNCTION_BUNDLING.minify,
      keepNames: FUNCTION_BUNDLING.keepNames,
      external: [...FUNCTION_BUNDLING.externalModules],
      banner: { js: FUNCTION_BUNDLING.banner },
      logLevel: 'silent',
    });
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    process.env.AWS_REGION = 'eu-west-1';
    ({ handler } = (await import(join(outdir, 'index.mjs'))) as { handler: Handler });
  }, 60_000);

  afterAll(() => {
    process.env = saved;
    rmSync(outdir, { recursive: true, force: true });
  });

  it('loads as ESM and rejects a malformed event with the error class the ASL matches', async () => {
    await expect(handler({ issuerId: 'Not An Id' }, {})).rejects.toMatchObject({
      name: 'TaskEventError',
      code: 'ERR_TASK_EVENT',
    });
  });

  it('keeps the configuration error class name, so a misconfigured function fails clearly', async () => {
    for (const name of ['KEYTURN_KMS_KEY_ID', 'KEYTURN_STATE_BUCKET', 'KEYTURN_ISSUER_BUCKET'])
      delete process.env[name];

    await expect(
      handler({ issuerId: 'cluster-a', rotationId: 'r1', mode: 'manual' }, {}),
    ).rejects.toMatchObject({
      name: 'TaskConfigError',
      code: 'ERR_TASK_CONFIG',
    });
  });
});
