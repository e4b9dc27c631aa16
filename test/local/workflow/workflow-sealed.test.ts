import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTaskHandlers, type TaskHandler, type TaskHandlers } from '#functions/task-handlers.ts';
import { loadWorkflowDefinition } from '#infra/workflows/index.ts';
import { createLocalVault, keyturnHomeLayout } from '#shared/adapters/local/index.ts';
import { encodePrivateKeyPem } from '#shared/keys/index.ts';
import { TASK_NAMES, type TaskName } from '#shared/workflow-tasks.ts';
import { createHttpWorkflowWorld, type HttpWorkflowWorld } from './http-workflow-world.ts';

let world: HttpWorkflowWorld | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await world?.close();
  world = undefined;
});

/** Everything a run leaves readable: log lines, state payloads, events, errors, files. */
interface Transcript {
  readonly logLines: string[];
  readonly payloads: string[];
  readonly other: string[];
}

/** Wraps every production handler to record the state it received and the state it returned. */
function recordingHandlers(handlers: TaskHandlers, payloads: string[]): TaskHandlers {
  const recording =
    <T extends TaskName>(task: T): TaskHandler<T> =>
    async (event) => {
      payloads.push(`${task} in: ${JSON.stringify(event)}`);
      try {
        const result = await handlers[task](event);
        payloads.push(`${task} out: ${JSON.stringify(result)}`);
        return result;
      } catch (error) {
        payloads.push(`${task} error: ${String(error)} ${JSON.stringify(error)}`);
        throw error;
      }
    };
  return Object.fromEntries(TASK_NAMES.map((task) => [task, recording(task)])) as unknown as TaskHandlers;
}

/** Every file under a directory, recursively. */
async function readAllFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true, recursive: true });
  const files = entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
  return Promise.all(files.map(async (file) => `${file}: ${await readFile(file, 'utf8')}`));
}

/**
 * Adds the strings that would betray the private keys still in the vault: PEM body lines and JWK d/p/q
 * prefixes. Called after each run, before a later one destroys a key.
 */
async function collectSecrets(current: HttpWorkflowWorld, secrets: Set<string>): Promise<void> {
  const keyring = await current.keyring();
  const vault = createLocalVault({ home: current.home });
  for (const record of keyring.keys) {
    if (record.vaultRef === undefined || record.privateKeyDestroyedAt !== undefined) continue;
    const privateKey = await vault.open(record.vaultRef);
    const pemLines = encodePrivateKeyPem(privateKey)
      .split('\n')
      .filter((line) => line.length > 0 && !line.startsWith('-----'));
    const jwk = privateKey.key.export({ format: 'jwk' });
    // PKCS#8 carries the public modulus too, aligned with the JWK's base64 `n`: those lines are public.
    const modulus = Buffer.from(jwk.n ?? '', 'base64url').toString('base64');
    // The last PEM line may be short; 16+ base64 characters cannot match by chance.
    for (const line of pemLines) {
      if (line.length >= 16 && !modulus.includes(line)) secrets.add(line);
    }
    for (const part of [jwk.d, jwk.p, jwk.q, jwk.dp, jwk.dq, jwk.qi]) {
      if (part !== undefined) secrets.add(part.slice(0, 40));
    }
  }
}

describe('a whole rotation through the ASL file keeps private keys sealed (SEALED)', () => {
  it('writes no private key material to any log line, state payload, event, error or file', async () => {
    // Prepare: the production handlers at INFO, every log line and every state payload captured.
    const logLines: string[] = [];
    const capture = (chunk: unknown) => {
      logLines.push(String(chunk));
      return true;
    };
    vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    vi.spyOn(process.stderr, 'write').mockImplementation(capture);
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        logLines.push(args.map(String).join(' '));
      });
    }
    world = await createHttpWorkflowWorld();
    const current = world;
    const transcript: Transcript = { logLines, payloads: [], other: [] };
    const handlers = recordingHandlers(
      createTaskHandlers(() => current.ports, {
        logger: new Logger({ serviceName: 'keyturn', logLevel: 'INFO' }),
        metrics: new Metrics({ namespace: 'keyturn', serviceName: 'keyturn' }),
      }),
      transcript.payloads,
    );

    // Act: a rotation that succeeds, then one that rolls back (a stuck node), and an emergency one.
    const secretSet = new Set(['PRIVATE KEY']);
    const rotated = await current.runner({ handlers }).run(current.input('r-sealed'));
    await collectSecrets(current, secretSet);
    current.simulator.model.stickNode('master-0');
    const definition = loadWorkflowDefinition('rotation');
    const states = definition.States as Record<string, { Choices?: Record<string, unknown>[] }>;
    for (const choice of states.IsRolledOut?.Choices ?? []) {
      if ('NumericGreaterThanEquals' in choice) choice.NumericGreaterThanEquals = 3;
    }
    const rolledBack = await current
      .runner({ handlers, definition })
      .run(current.input('r-sealed-rollback'))
      .catch((error: unknown) => error);
    await collectSecrets(current, secretSet);
    current.simulator.model.unstickNode('master-0');
    const newKid = (rotated as { generate: { kid: string } }).generate.kid;
    const emergency = await current
      .runner({ handlers })
      .run(current.input('r-sealed-emergency', { mode: 'emergency', compromisedKid: newKid }));
    vi.restoreAllMocks();

    transcript.other.push(
      JSON.stringify(rotated),
      JSON.stringify(emergency),
      String(rolledBack),
      JSON.stringify(rolledBack),
      JSON.stringify((rolledBack as { reason?: unknown }).reason),
      JSON.stringify(current.events),
      await readFile(keyturnHomeLayout(current.home).auditLog(current.issuerId), 'utf8'),
      ...(await readAllFiles(join(current.home, 'keyrings'))),
      ...(await readAllFiles(keyturnHomeLayout(current.home).publicDir)),
    );

    // Assess: the capture worked, then nothing in it is secret.
    expect((rolledBack as { error?: string }).error).toBe('RotationRolledBack');
    const logged = logLines.join('\n');
    expect(logged).toContain('r-sealed');
    expect(logged).toContain(current.issuerId);
    expect(transcript.payloads.length).toBeGreaterThan(20);
    expect(transcript.payloads.some((payload) => payload.startsWith('rollback in:'))).toBe(true);
    await collectSecrets(current, secretSet);
    const secrets = [...secretSet];
    // Four keys (initial, rotated, rolled back, emergency): PEM lines and six JWK parts each.
    expect(secrets.length).toBeGreaterThan(4 * 20);
    for (const [name, texts] of Object.entries(transcript)) {
      const text = (texts as string[]).join('\n');
      const leaked = secrets.filter((secret) => text.includes(secret));
      expect(leaked, `${name} leaks private key material`).toEqual([]);
    }
  });
});
