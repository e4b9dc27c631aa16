/**
 * Every code a {@link KeyturnError} can carry, assembled from the classes that throw them (the CLI is the
 * one layer that may import them all). `cli/exit-codes.ts` maps each to an exit code with a Record over
 * this union, so a new code is a compile error until it has one.
 */

import type { TaskConfigError, TaskEventError, TaskFailedError } from '#functions/task-errors.ts';
import type { ConfigError } from '#infra/config/load-config.ts';
import type { HomeBusyError } from '#local/issuer-claims.ts';
import type { IssuerServerError } from '#local/issuer-server.ts';
import type { LocalRotationInterruptedError } from '#local/local-resume.ts';
import type { LocalRotationError } from '#local/local-session.ts';
import type { ClusterApiError, InjectedApiFailureError } from '#local/openshift-sim/errors.ts';
import type { ApiRequestError } from '#local/openshift-sim/http/status.ts';
import type { LocalIssuerUrlError } from '#local/servable-issuer.ts';
import type { WorkflowBindingError, WorkflowFailedError } from '#local/workflow/local-workflow-runner.ts';
import type {
  AwsAccessDeniedError,
  AwsKeyDisabledError,
  AwsNotFoundError,
  AwsRejectedError,
  AwsSetupError,
  AwsThrottledError,
  AwsUnavailableError,
} from '#shared/adapters/aws/aws-errors.ts';
import type { ClusterCredentialsError } from '#shared/adapters/aws/cluster-credentials.ts';
import type { ExecutionError } from '#shared/adapters/aws/execution-errors.ts';
import type { IamInventoryError } from '#shared/adapters/aws/iam-actions.ts';
import type { StackOutputsError } from '#shared/adapters/aws/stack-outputs.ts';
import type { StsProbeError } from '#shared/adapters/aws/sts-probe.ts';
import type { AuditLogFormatError, HomeUnusableError } from '#shared/adapters/local/errors.ts';
import type { ClusterConfigError } from '#shared/adapters/openshift/errors.ts';
import type { RotationGuardError } from '#shared/adapters/openshift/rotation-guard.ts';
import type { KeyturnError } from '#shared/errors.ts';
import type {
  InvalidDiscoveryError,
  InvalidIssuerUrlError,
  InvalidKeySetError,
  IssuerFetchError,
  IssuerHeadersError,
} from '#shared/issuer/errors.ts';
import type {
  InvariantViolationError,
  IssuerExistsError,
  IssuerNotFoundError,
  KeyringConflictError,
  KeyringFormatError,
} from '#shared/keyring/errors.ts';
import type { KeyringTamperedError } from '#shared/keyring/keyring-mac.ts';
import type { InvalidKeyError } from '#shared/keys/errors.ts';
import type {
  ClusterAnswerError,
  ClusterApiCallError,
  InvalidationTimeoutError,
  PublishConflictError,
  UnsafeNameError,
  VaultError,
} from '#shared/port-errors.ts';
import type { PreflightError } from '#shared/preflight/errors.ts';
import type {
  AbortFailedError,
  ClusterUnstableError,
  DriftDetectedError,
  GraceBelowTokenLifetimeError,
  NodesNotRebootedError,
  RotationInProgressError,
  RotationNotInFlightError,
  RotationRequestError,
  StepNotReadyError,
  VerificationFailedError,
} from '#shared/rotation/errors.ts';
import type { InitIncompleteError } from '#shared/rotation/init-issuer.ts';
import type { TokenRejectedError } from '#shared/tokens/errors.ts';
import type { FollowStoppedError } from './aws-follow.ts';
import type { AwsIssuersError } from './aws-issuers.ts';
import type { MaintenanceFailedError } from './commands/maintain-aws.ts';
import type { RotationFailedError } from './commands/rotate-aws.ts';
import type { FleetRotationFailedError } from './commands/rotate-fleet.ts';
import type { CliInputError } from './io.ts';

/** The code union of some KeyturnError classes. */
type CodeOf<E> = E extends KeyturnError<infer Code> ? Code : never;

/** Every `code` keyturn's own errors carry, across all layers. */
export type KeyturnErrorCode = CodeOf<
  // shared/: the domain and the ports
  | InvalidKeyError
  | InvalidIssuerUrlError
  | InvalidKeySetError
  | InvalidDiscoveryError
  | IssuerFetchError
  | IssuerHeadersError
  | TokenRejectedError
  | KeyringFormatError
  | KeyringConflictError
  | KeyringTamperedError
  | IssuerExistsError
  | IssuerNotFoundError
  | InvariantViolationError
  | RotationInProgressError
  | RotationNotInFlightError
  | RotationRequestError
  | StepNotReadyError
  | DriftDetectedError
  | VerificationFailedError
  | AbortFailedError
  | InitIncompleteError
  | ClusterUnstableError
  | NodesNotRebootedError
  | GraceBelowTokenLifetimeError
  | PreflightError
  | UnsafeNameError
  | VaultError
  | PublishConflictError
  | InvalidationTimeoutError
  | ClusterApiCallError
  | ClusterAnswerError
  // shared/adapters/
  | AwsThrottledError
  | AwsAccessDeniedError
  | AwsKeyDisabledError
  | AwsNotFoundError
  | AwsUnavailableError
  | AwsRejectedError
  | AwsSetupError
  | ExecutionError
  | StackOutputsError
  | StsProbeError
  | ClusterCredentialsError
  | IamInventoryError
  | ClusterConfigError
  | RotationGuardError
  | AuditLogFormatError
  | HomeUnusableError
  // functions/, infra/
  | TaskEventError
  | TaskFailedError
  | TaskConfigError
  | ConfigError
  // local/
  | LocalRotationError
  | LocalRotationInterruptedError
  | IssuerServerError
  | LocalIssuerUrlError
  | HomeBusyError
  | WorkflowFailedError
  | WorkflowBindingError
  | ClusterApiError
  | InjectedApiFailureError
  | ApiRequestError
  // cli/
  | CliInputError
  | AwsIssuersError
  | FollowStoppedError
  | RotationFailedError
  | FleetRotationFailedError
  | MaintenanceFailedError
>;
