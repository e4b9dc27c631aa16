import type { ClusterModel } from '../cluster-model.ts';
import { toKubeTime } from '../objects.ts';
import { answerAccessReview, assertDeniedAccess } from './access-review.ts';
import type { ApiAnswer } from './api.ts';
import { authenticationConfig } from './authentication-config.ts';
import { assertMediaType, JSON_CONTENT_TYPE, parseJsonBody } from './request-body.ts';
import { ApiRequestError } from './status.ts';

/** The simulator options of the preflight's routes. */
export interface PreflightRouteOptions {
  /**
   * Requests a SelfSubjectAccessReview answers `allowed: false` for, each `"VERB RESOURCE[/NAME]"`
   * (`"list clusteroperators"`, `"get configmaps/config"`); every other request is allowed. @default none
   */
  readonly deniedAccess?: readonly string[];
}

/** One request to the preflight's routes: method, path, content type and a reader of the body. */
export interface PreflightRequest {
  readonly method: string;
  readonly pathname: string;
  readonly contentType: string | undefined;
  readonly readBody: () => Promise<Buffer>;
}

const ACCESS_REVIEWS = '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews';
const AUTHENTICATION = '/apis/config.openshift.io/v1/authentications/cluster';

/**
 * The two API paths `keyturn preflight` reads that the object routes do not serve: POST
 * SelfSubjectAccessReview and GET `authentications.config.openshift.io/cluster`. Answers undefined for
 * any other path, which the object routes then serve. Both are admitted through `model.faults` first.
 */
export function createPreflightRoutes(
  model: ClusterModel,
  options: PreflightRouteOptions,
  now: Date,
): (request: PreflightRequest) => Promise<ApiAnswer | undefined> {
  const denied = assertDeniedAccess(options.deniedAccess ?? []);
  const createdAt = toKubeTime(now);
  return async ({ method, pathname, contentType, readBody }) => {
    const path = pathname.replace(/\/+$/, '');
    if (path !== ACCESS_REVIEWS && path !== AUTHENTICATION) return undefined;
    await model.faults.admitApiCall(`${method} ${pathname}`);
    if (path === AUTHENTICATION) {
      if (method !== 'GET') throw notAllowed();
      return { status: 200, body: authenticationConfig(model, createdAt) };
    }
    if (method !== 'POST') throw notAllowed();
    assertMediaType(contentType, [JSON_CONTENT_TYPE]);
    return { status: 201, body: answerAccessReview(parseJsonBody(await readBody()), denied) };
  };
}

function notAllowed(): ApiRequestError {
  return new ApiRequestError(
    'ERR_SIM_METHOD_NOT_ALLOWED',
    'the server does not allow this method on the requested resource',
  );
}
