import { randomUUID } from 'node:crypto';

/** The account and region every fake names its resources in. */
export const FAKE_ACCOUNT = '111122223333';
export const FAKE_REGION = 'eu-west-1';

/** The caller the fakes name in AccessDenied messages, as AWS does. */
export const FAKE_CALLER_ARN = `arn:aws:sts::${FAKE_ACCOUNT}:assumed-role/keyturn-rotation/keyturn-generate`;

/** One command a fake received: the SDK command's class name and its input with secrets replaced by sizes. */
export interface RecordedCall {
  /** e.g. `CreateSecretCommand`, as shared/adapters/aws/iam-actions.ts names commands. */
  readonly command: string;
  readonly input: Readonly<Record<string, unknown>>;
  /** Increases across all fakes, so the logs of several fakes merge in the order the calls were sent. */
  readonly sequence: number;
}

let nextSequence = 0;

/** The calls of several fakes in the order they were sent, as command names. */
export function commandsInOrder(...logs: readonly (readonly RecordedCall[])[]): string[] {
  return logs
    .flat()
    .sort((a, b) => a.sequence - b.sequence)
    .map((call) => call.command);
}

/** Input members that carry secrets: recorded by size only, so a test can print `calls` safely. */
const SECRET_MEMBERS = new Set(['SecretString', 'SecretBinary', 'Plaintext', 'WebIdentityToken']);

/** The input of a command as a fake records it: bytes and secret strings become `<n bytes>`/`<n chars>`. */
export function summarizeInput(input: object): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(input).map(([member, value]) => {
      if (value instanceof Uint8Array) return [member, `<${value.byteLength} bytes>`];
      if (SECRET_MEMBERS.has(member) && typeof value === 'string') return [member, `<${value.length} chars>`];
      return [member, value];
    }),
  );
}

/** `$metadata` as the SDK attaches it to every answer and error. */
export function responseMetadata(httpStatusCode: number): {
  httpStatusCode: number;
  requestId: string;
  attempts: number;
  totalRetryDelay: number;
} {
  return { httpStatusCode, requestId: randomUUID(), attempts: 1, totalRetryDelay: 0 };
}

/** Makes the error a fault injects, for the command it hits. */
export type ErrorMaker = (command: string) => Error;

interface Fault {
  readonly command: string | undefined;
  readonly error: ErrorMaker;
  /** The service applies the command, then the answer is lost (a crash after the write). */
  readonly afterApplying: boolean;
}

/** Fault injection shared by the fakes: the next calls (of one command, or any) fail as AWS would. */
export interface FaultInjector {
  /** The next `times` calls (of `command`, or of any command) fail with ThrottlingException. */
  throttleNext(times?: number, command?: string): void;
  /** The next `times` calls (of `command`, or of any command) fail with AccessDeniedException. */
  denyNext(times?: number, command?: string): void;
  /**
   * The next call of `command` fails with `error`; with `afterApplying` the service applies it first and
   * only the answer is lost, as when a Lambda dies after AWS committed a write.
   */
  failNext(command: string, error: ErrorMaker, options?: { readonly afterApplying?: boolean }): void;
}

/** The faults and the call log of one fake, and the wrapper that applies them to each command. */
export interface FakeServiceCore extends FaultInjector {
  readonly calls: RecordedCall[];
  /** Records the call, applies a pending fault, runs the command's behaviour and adds `$metadata`. */
  handle<T extends object>(command: string, input: object, run: () => T | Promise<T>): Promise<T>;
}

/** Creates the core of a fake; `throttled` and `denied` make that service's own error shapes. */
export function createFakeServiceCore(makers: {
  readonly throttled: ErrorMaker;
  readonly denied: ErrorMaker;
}): FakeServiceCore {
  const faults: Fault[] = [];
  const calls: RecordedCall[] = [];
  const queue = (times: number, command: string | undefined, error: ErrorMaker): void => {
    for (let i = 0; i < times; i += 1) faults.push({ command, error, afterApplying: false });
  };
  const take = (command: string): Fault | undefined => {
    const index = faults.findIndex((fault) => fault.command === undefined || fault.command === command);
    return index < 0 ? undefined : faults.splice(index, 1)[0];
  };
  return {
    calls,
    throttleNext: (times = 1, command) => queue(times, command, makers.throttled),
    denyNext: (times = 1, command) => queue(times, command, makers.denied),
    failNext: (command, error, options = {}) =>
      faults.push({ command, error, afterApplying: options.afterApplying ?? false }),
    async handle(command, input, run) {
      calls.push({ command, input: summarizeInput(input), sequence: nextSequence++ });
      const fault = take(command);
      if (fault !== undefined && !fault.afterApplying) {
        throw fault.error(command);
      }
      const output = await run();
      if (fault !== undefined) {
        throw fault.error(command);
      }
      return { ...output, $metadata: responseMetadata(200) };
    },
  };
}

/** `kms:GenerateDataKeyPair` for `GenerateDataKeyPairCommand`: the action an AccessDenied message names. */
export function iamActionOf(servicePrefix: string, command: string): string {
  return `${servicePrefix}:${command.replace(/Command$/, '')}`;
}
