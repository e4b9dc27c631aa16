import { z } from 'zod';
import { PREFLIGHT_CHECKS } from './check-result.ts';
import type { PreflightReport } from './run-preflight.ts';

/** The `apiVersion` of `keyturn preflight -o json|yaml`; a change that removes or renames a field bumps it. */
export const PREFLIGHT_API_VERSION = 'keyturn.io/v1';

const checkSchema = z.object({
  id: z.enum(PREFLIGHT_CHECKS),
  title: z.string(),
  outcome: z.enum(['pass', 'fail', 'not-run']),
  /** Why it passed or failed, in one line; for a failure, what to do. */
  reason: z.string(),
  /** Each item a failure is about: a denied call, an unstable condition. */
  details: z.array(z.string()).optional(),
  /** The invariant (docs/architecture.md) a failure of this check would break. */
  invariant: z.enum(['PUBLISHED-BEFORE-SIGN', 'NO-ORPHAN-TOKENS', 'ONE-SIGNER', 'ALWAYS-VALID']).optional(),
});

/** What `keyturn preflight -o json|yaml` prints (docs/schemas/preflight-v1.schema.json is generated from it). */
export const preflightDocumentSchema = z.object({
  apiVersion: z.literal(PREFLIGHT_API_VERSION),
  kind: z.literal('Preflight'),
  /** When the checks ran. */
  checkedAt: z.iso.datetime(),
  issuerId: z.string(),
  issuerUrl: z.string(),
  /** The cluster's API server, from the kubeconfig. */
  server: z.string(),
  /** True when every check passed: the command then exits 0. */
  passed: z.boolean(),
  summary: z.object({
    passed: z.number().int(),
    failed: z.number().int(),
    notRun: z.number().int(),
  }),
  /** One per check, in the order the table prints them. */
  checks: z.array(checkSchema),
});

/** One `keyturn preflight -o json|yaml` document. */
export type PreflightDocument = z.infer<typeof preflightDocumentSchema>;

/** The document of a preflight report. */
export function preflightDocument(report: PreflightReport, checkedAt: Date): PreflightDocument {
  const count = (outcome: string) => report.checks.filter((check) => check.outcome === outcome).length;
  return {
    apiVersion: PREFLIGHT_API_VERSION,
    kind: 'Preflight',
    checkedAt: checkedAt.toISOString(),
    issuerId: report.issuerId,
    issuerUrl: report.issuerUrl,
    server: report.server,
    passed: report.passed,
    summary: { passed: count('pass'), failed: count('fail'), notRun: count('not-run') },
    checks: report.checks.map(({ details, ...check }) => ({
      ...check,
      ...(details === undefined ? {} : { details: [...details] }),
    })),
  };
}
