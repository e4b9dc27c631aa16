/**
 * Builders of Step Functions history events, shaped as GetExecutionHistory returns them, for scripting
 * what a fake execution does. The fake assigns ids, previous ids and timestamps; a builder gives the
 * type and the details (the `<type>EventDetails` member, or `stateEnteredEventDetails` /
 * `stateExitedEventDetails` for state events).
 */

/** One scripted event before the fake numbers and dates it. */
export interface EventSpec {
  readonly type: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

/** The member that carries an event's details, as in the SDK's HistoryEvent. */
export function detailsMemberOf(type: string): string {
  const state = /State(Entered|Exited)$/.exec(type);
  return state
    ? `state${state[1]}EventDetails`
    : `${type.charAt(0).toLowerCase()}${type.slice(1)}EventDetails`;
}

/** `XxxStateEntered` with the state's input (JSON text). */
export function entered(stateType: string, name: string, input: unknown = {}): EventSpec {
  return { type: `${stateType}StateEntered`, details: { name, input: JSON.stringify(input) } };
}

/** `XxxStateExited` with the state's output (JSON text). */
export function exited(stateType: string, name: string, output: unknown = {}): EventSpec {
  return { type: `${stateType}StateExited`, details: { name, output: JSON.stringify(output) } };
}

const LAMBDA = 'arn:aws:lambda:eu-west-1:111122223333:function:keyturn-task';

/** One Lambda attempt that succeeds. */
export function lambdaSucceeded(output: unknown = {}): EventSpec[] {
  return [
    { type: 'LambdaFunctionScheduled', details: { resource: LAMBDA, input: '{}' } },
    { type: 'LambdaFunctionStarted' },
    { type: 'LambdaFunctionSucceeded', details: { output: JSON.stringify(output) } },
  ];
}

/** One Lambda attempt that fails the way a Node handler does: Cause is `{errorType, errorMessage, trace}`. */
export function lambdaFailed(error: string, message: string): EventSpec[] {
  const cause = JSON.stringify({
    errorType: error,
    errorMessage: message,
    trace: [`${error}: ${message}`, '    at handler (/var/task/index.mjs:1:1)'],
  });
  return [
    { type: 'LambdaFunctionScheduled', details: { resource: LAMBDA, input: '{}' } },
    { type: 'LambdaFunctionStarted' },
    { type: 'LambdaFunctionFailed', details: { error, cause } },
  ];
}

/** A Task state that succeeds at once. */
export function task(name: string, output: unknown = {}): EventSpec[] {
  return [entered('Task', name), ...lambdaSucceeded(output), exited('Task', name, output)];
}

/** A Task state whose first attempt fails with `error` and whose retry succeeds. */
export function retriedTask(name: string, error: string, message: string): EventSpec[] {
  return [entered('Task', name), ...lambdaFailed(error, message), ...lambdaSucceeded(), exited('Task', name)];
}

/** A Task state that fails with `error`; its Catch moves on (`$.error` = {Error, Cause}). */
export function caughtTask(name: string, error: string, message: string): EventSpec[] {
  return [entered('Task', name), ...lambdaFailed(error, message), exited('Task', name)];
}

/** A Pass, Choice or Wait state passed through. */
export function passThrough(stateType: 'Pass' | 'Choice' | 'Wait', name: string): EventSpec[] {
  return [entered(stateType, name), exited(stateType, name)];
}

/** The end of a successful execution in the Succeed state `name`. */
export function succeeded(name: string, output: unknown): EventSpec[] {
  return [
    entered('Succeed', name, output),
    exited('Succeed', name, output),
    { type: 'ExecutionSucceeded', details: { output: JSON.stringify(output) } },
  ];
}

/**
 * The end of a failed execution in the Fail state `name` (Error, Cause), whose input carries the error a
 * Catch wrote to `$.error` (as a Lambda error's Cause: JSON text).
 */
export function failed(
  name: string,
  fail: { readonly error: string; readonly cause: string },
  caught?: { readonly error: string; readonly message: string },
): EventSpec[] {
  const input =
    caught === undefined
      ? {}
      : {
          error: {
            Error: caught.error,
            Cause: JSON.stringify({ errorType: caught.error, errorMessage: caught.message }),
          },
        };
  return [
    entered('Fail', name, input),
    { type: 'ExecutionFailed', details: { error: fail.error, cause: fail.cause } },
  ];
}
