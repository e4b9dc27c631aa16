import {
  type ConfigurationOptions,
  Observable,
  type ObservableMiddleware,
  PatchStrategy,
  type RequestContext,
  type ResponseContext,
  setHeaderOptions,
} from '@kubernetes/client-node';

/** The per-call options of client-node 2's object-parameter API that every adapter call passes. */
export interface RequestOptions {
  /** For reads, creates and TokenRequest: the deadline only. */
  readonly plain: ConfigurationOptions<ObservableMiddleware>;
  /** For the next-secret patch: the deadline and `Content-Type: application/json-patch+json`. */
  readonly jsonPatch: ConfigurationOptions<ObservableMiddleware>;
}

/**
 * Builds call options that abort a request after `timeoutMs`. client-node 2 sets no deadline of its own
 * and undici waits up to five minutes for an answer, longer than a workflow task should hang on a silent
 * API server. Its middleware speaks its own Observable stub, whose constructor takes a promise.
 */
export function createRequestOptions(timeoutMs: number): RequestOptions {
  const deadline: ObservableMiddleware = {
    pre(context: RequestContext) {
      context.setSignal(AbortSignal.timeout(timeoutMs));
      return new Observable(Promise.resolve(context));
    },
    post: (response: ResponseContext) => new Observable(Promise.resolve(response)),
  };
  const plain: ConfigurationOptions<ObservableMiddleware> = {
    middleware: [deadline],
    middlewareMergeStrategy: 'append',
  };
  return { plain, jsonPatch: setHeaderOptions('Content-Type', PatchStrategy.JsonPatch, plain) };
}
