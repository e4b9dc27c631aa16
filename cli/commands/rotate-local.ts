import { resolve } from 'node:path';
import { abortLocalRotation } from '#local/local-abort.ts';
import type { GoOnCommands } from '#shared/rotation/resume-plan.ts';
import { describeAbort } from '../abort-report.ts';
import { homeFrom } from '../home.ts';
import type { CliIo } from '../io.ts';

/** The flags of `keyturn rotate --local` that say which issuer and cluster, as typed. */
export interface LocalTargetOptions {
  home?: string;
  issuer?: string;
  kubeconfig?: string;
}

/**
 * The two commands that go on after an interruption or a refusal, with the flags that name the same
 * home, issuer and cluster: `keyturn rotate --local [--home H] [--issuer ID] [--kubeconfig F]` resumes,
 * the same with `--abort` ends the rotation.
 */
export function localGoOnCommands(options: LocalTargetOptions): GoOnCommands {
  const quote = (value: string) => (/^[\w./:@-]+$/.test(value) ? value : JSON.stringify(value));
  const target = [
    ...(options.home === undefined ? [] : [`--home ${quote(options.home)}`]),
    ...(options.issuer === undefined ? [] : [`--issuer ${quote(options.issuer)}`]),
    ...(options.kubeconfig === undefined ? [] : [`--kubeconfig ${quote(options.kubeconfig)}`]),
  ].join(' ');
  const resume = `keyturn rotate --local${target === '' ? '' : ` ${target}`}`;
  return { resume, abort: `${resume} --abort` };
}

/** An AbortSignal that aborts on Ctrl-C (SIGINT) or SIGTERM, as the command's I/O reports them. */
export function interruptSignal(io: CliIo): AbortSignal {
  const stop = new AbortController();
  void io.untilStopped().then(() => stop.abort(new Error('interrupted')));
  return stop.signal;
}

/** `keyturn rotate --local --abort`: ends the rotation in flight safely and says what it did. */
export async function abortLocally(io: CliIo, options: LocalTargetOptions): Promise<void> {
  const result = await abortLocalRotation({
    home: homeFrom(io, options.home),
    ...(options.issuer === undefined ? {} : { issuerId: options.issuer }),
    ...(options.kubeconfig === undefined ? {} : { kubeconfig: resolve(io.cwd, options.kubeconfig) }),
    goOn: localGoOnCommands(options),
  });
  io.out(describeAbort(result.issuerId, result, result.keyring, 'keyturn maintain --local'));
}
