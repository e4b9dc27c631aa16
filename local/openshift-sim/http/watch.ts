import type { ServerResponse } from 'node:http';
import type { ClusterModel } from '../cluster-model.ts';
import type { KubeObject } from '../objects.ts';
import { listObjects } from './reads.ts';
import type { ResourceName } from './routes.ts';

/** How often a watch looks for changes, in real milliseconds. */
export const WATCH_POLL_MS = 100;

/** Longest a watch stays open when the client names no `timeoutSeconds` (kube-apiserver: 30–60 min). */
const DEFAULT_WATCH_SECONDS = 1800;

/** A watch on one collection, with the request's selectors. */
export interface WatchRequest {
  readonly resource: ResourceName;
  readonly namespace: string | undefined;
  readonly query: URLSearchParams;
}

/**
 * Serves `?watch=true` on a collection as kube-apiserver does: a chunked stream of newline-delimited
 * `{"type":"ADDED"|"MODIFIED"|"DELETED","object":...}` events. Without a `resourceVersion` (or with `0`)
 * it starts with an ADDED event per object; with one (a list's), only what changed after it. It looks
 * for changes every {@link WATCH_POLL_MS} (each look plays simulated time forward, so a fake clock's
 * advance shows up on the next look) and ends after `timeoutSeconds` or when the client goes away.
 */
export function serveWatch(model: ClusterModel, request: WatchRequest, response: ServerResponse): void {
  const query = new URLSearchParams(request.query);
  for (const parameter of ['watch', 'resourceVersion', 'timeoutSeconds', 'allowWatchBookmarks']) {
    query.delete(parameter);
  }
  const read = () =>
    (listObjects(model, request.resource, request.namespace, query) as { items: KubeObject[] }).items;
  const since = Number(request.query.get('resourceVersion') ?? '0');
  const known = new Map<string, KubeObject>();
  // The first read throws (and is answered as a Status) before the stream starts, e.g. on a bad selector.
  const initial = read();
  response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private' });
  // Clients wait for the headers before they count the watch as started, even when no event is due yet.
  response.flushHeaders();
  const send = (type: 'ADDED' | 'MODIFIED' | 'DELETED', object: KubeObject) =>
    response.write(`${JSON.stringify({ type, object })}\n`);
  for (const object of initial) {
    known.set(object.metadata.uid, object);
    if (since === 0) {
      send('ADDED', object);
    } else if (Number(object.metadata.resourceVersion) > since) {
      send('MODIFIED', object);
    }
  }
  const look = () => {
    const seen = new Set<string>();
    for (const object of read()) {
      seen.add(object.metadata.uid);
      const before = known.get(object.metadata.uid);
      if (before?.metadata.resourceVersion !== object.metadata.resourceVersion) {
        send(before === undefined ? 'ADDED' : 'MODIFIED', object);
      }
      known.set(object.metadata.uid, object);
    }
    for (const [uid, object] of known) {
      if (!seen.has(uid)) {
        known.delete(uid);
        send('DELETED', object);
      }
    }
  };
  const timer = setInterval(() => {
    try {
      look();
    } catch {
      response.end();
    }
  }, WATCH_POLL_MS);
  const seconds = Number(request.query.get('timeoutSeconds') ?? DEFAULT_WATCH_SECONDS);
  const deadline = setTimeout(() => response.end(), (seconds > 0 ? seconds : DEFAULT_WATCH_SECONDS) * 1000);
  response.on('close', () => {
    clearInterval(timer);
    clearTimeout(deadline);
  });
}
