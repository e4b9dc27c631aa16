import { resolve } from 'node:path';
import { closingCheckWarning } from '#local/closing-check.ts';
import { describeResume, LocalRotationInterruptedError } from '#local/local-resume.ts';
import { runLocalRotation } from '#local/local-rotation.ts';
import { createLocalHomePorts } from '#shared/adapters/local/index.ts';
import { initIssuer } from '#shared/rotation/index.ts';
import { describeKeyring } from './commands/status.ts';
import { createRotationProgress } from './rotation-progress.ts';

/**
 * The port of the demo issuer `npm start` creates, unless KEYTURN_DEMO_PORT names another (tests pick a
 * free one). Only the first run reads it: later runs serve the issuer URL stored in the keyring.
 */
const DEMO_PORT = 18080;
/** Short lead time and grace, so reruns show retirement. */
const DEMO_POLICY = { leadTimeSeconds: 3, graceSeconds: 60 } as const;

/**
 * `npm start`: a complete, verified rotation on this machine with the embedded defaults. The first run
 * creates an issuer under KEYTURN_HOME (default ./.keyturn); every run then serves the issuer over HTTP,
 * starts the simulated OpenShift control plane with the active key installed as a cluster installer would,
 * retires keys whose grace has passed, runs the rotation workflow (the same ASL file and handlers as on
 * AWS), and verifies a token freshly issued by the cluster against keys.json fetched over HTTP, exactly as a
 * third party would. It exits 0 only if all of that verified.
 */
async function main(): Promise<void> {
  const home = resolve(process.env.KEYTURN_HOME ?? '.keyturn');
  const write = (text: string) => process.stdout.write(text);
  const issuerUrl = await ensureIssuer(home, write);
  const progress = createRotationProgress(write);
  // Ctrl-C stops the rotation between two steps; running npm start again resumes it (RECOVERABLE).
  const stop = new AbortController();
  const interrupt = () => stop.abort(new Error('interrupted'));
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  const result = await runLocalRotation({
    home,
    maintainFirst: true,
    onEvent: progress.onEvent,
    signal: stop.signal,
    goOn: { resume: 'npm start', abort: 'npx keyturn rotate --local --abort' },
    onStart: ({ resumed }, keyring) =>
      write(
        `${resumed ? describeResume(keyring) : ''}Rotating the signing key of ${issuerUrl} (one line per workflow step):\n`,
      ),
  }).finally(progress.finish);
  const removed = result.removedKids.length === 0 ? 'none yet' : result.removedKids.join(', ');
  const { verified } = result;
  write(
    (verified === undefined
      ? `\n${closingCheckWarning(result.keyring, result.closingCheckProblem ?? 'unknown')}`
      : `\nVerified: a token freshly issued by the simulated cluster (kid ${verified.kid}, ` +
        `${verified.subject}) verifies against ${result.keySetUrl}, fetched over HTTP as a third party would.\n`) +
      `Rotation ${result.rotationId} took ${(result.elapsedMs / 1000).toFixed(1)} s; keys retired past their ` +
      `${DEMO_POLICY.graceSeconds} s grace before it: ${removed}.\n\n` +
      describeKeyring(result.keyring, new Date()) +
      `\nState lives in ${home}. Run npm start again to rotate again; try npx keyturn status, npx keyturn --help.\n`,
  );
}

/** Creates the demo issuer on first run; later runs reuse it. Resolves with the issuer URL. */
async function ensureIssuer(home: string, write: (text: string) => void): Promise<string> {
  const ports = createLocalHomePorts({ home, actor: 'npm start' });
  const [existing] = await ports.store.list();
  const stored = existing === undefined ? undefined : await ports.store.read(existing);
  if (stored !== undefined) {
    return stored.keyring.issuerUrl;
  }
  const issuerUrl = `http://127.0.0.1:${demoPort()}/demo`;
  const created = await initIssuer(ports, { issuerUrl, policy: DEMO_POLICY });
  write(
    `Created issuer ${created.issuerId} at ${created.issuerUrl} with a new RSA 4096 key ${created.kid}\n`,
  );
  return created.issuerUrl;
}

/** KEYTURN_DEMO_PORT, or {@link DEMO_PORT}. */
function demoPort(): number {
  const value = process.env.KEYTURN_DEMO_PORT;
  if (value === undefined || value === '') return DEMO_PORT;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new RangeError(`KEYTURN_DEMO_PORT must be a port number (1-65535), not ${JSON.stringify(value)}`);
  }
  return port;
}

main().catch((error: unknown) => {
  const interrupted = error instanceof LocalRotationInterruptedError;
  process.stderr.write(
    `${interrupted ? 'npm start ' : 'npm start failed: '}${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exitCode = interrupted ? 130 : 1;
});
