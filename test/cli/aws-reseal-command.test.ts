import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AwsWorld, createAwsWorld, STACK } from './aws-world.ts';
import { makeTempDirectory, runKeyturn } from './run-keyturn.ts';

const KEY = 'keyrings/demo.json';

describe('keyturn status --aws and reseal --aws on a keyring without a valid MAC', () => {
  let world: AwsWorld;
  let directory: { path: string; remove: () => Promise<void> };
  const keyturn = (args: readonly string[]) => runKeyturn(args, { cwd: directory.path });
  const editKeyring = (edit: (json: Record<string, unknown>) => void) => {
    const json = JSON.parse(world.s3.getObject(STACK.stateBucket, KEY)?.body.toString('utf8') ?? '{}');
    edit(json);
    world.s3.putObject(STACK.stateBucket, KEY, JSON.stringify(json, null, 2), {
      contentType: 'application/json',
    });
  };

  beforeEach(async () => {
    world = createAwsWorld();
    directory = await makeTempDirectory();
    const init = await keyturn(['init', '--aws', '--issuer-id', 'demo', '--bits', '2048']);
    expect(init.code, init.err).toBe(0);
  });
  afterEach(async () => {
    world.restore();
    await directory.remove();
  });

  it('SEALED: status --aws refuses a keyring with a key appended in the bucket (exit 3, naming reseal --aws)', async () => {
    // Prepare
    editKeyring((json) => {
      const [key] = json.keys as Record<string, unknown>[];
      (json.keys as unknown[]).push({
        ...key,
        kid: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
        state: 'retired',
      });
    });

    // Act
    const status = await keyturn(['status', '--aws']);

    // Assess
    expect(status.code).toBe(3);
    expect(status.err).toContain('fails its MAC check');
    expect(status.err).toContain('keyturn reseal --aws --issuer demo');
  });

  it('RECOVERABLE: reseal --aws seals a keyring written before keyturn sealed keyrings; status then reads it', async () => {
    // Prepare
    editKeyring((json) => {
      delete json.mac;
    });
    const refused = await keyturn(['status', '--aws']);

    // Act
    const reseal = await keyturn(['reseal', '--aws', '--issuer', 'demo']);
    const status = await keyturn(['status', '--aws']);

    // Assess
    expect(refused.code).toBe(3);
    expect(refused.err).toContain('carries no MAC');
    expect(reseal.code, reseal.err).toBe(0);
    expect(reseal.out).toContain('carried no MAC');
    expect(status.code, status.err).toBe(0);
    expect(status.out).toContain('demo');
  });
});
