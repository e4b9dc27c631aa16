/**
 * The base of every error keyturn raises on purpose. `code` is stable and meant for programs (the CLI
 * maps it to an exit code, the workflow to a failure name); `message` says what was wrong and what to do.
 * Messages never carry key material.
 */
export abstract class KeyturnError<Code extends string = string> extends Error {
  /** Stable, machine-readable reason, e.g. `ERR_KEY_STRENGTH`. */
  readonly code: Code;

  constructor(code: Code, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    // Step Functions Retry/Catch match on `error.name`, so every subclass keeps its own.
    this.name = new.target.name;
  }
}

/** True when `error` is a {@link KeyturnError}, whatever its subclass. */
export function isKeyturnError(error: unknown): error is KeyturnError {
  return error instanceof KeyturnError;
}
