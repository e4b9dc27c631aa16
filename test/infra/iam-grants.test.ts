import { describe, expect, it } from 'vitest';
import { TASK_NAMES } from '#shared/workflow-tasks.ts';
import { FULL_CONFIG, synthForSuite } from './synth-stack.ts';
import {
  actionsOf,
  functionLogicalId,
  identityStatementsOf,
  keyStatementsOf,
  resourcesOf,
  roleLogicalIdOf,
  type TemplateStatement,
} from './template-queries.ts';

/** Services whose actions the IAM inventory records (the rest is tracing and logging). */
const INVENTORIED = /^(s3|kms|secretsmanager|cloudfront):/;
/** Actions that have no resource-level permissions, the only ones allowed on `*`. */
const RESOURCELESS =
  /^(xray:PutTraceSegments|xray:PutTelemetryRecords|xray:GetSamplingRules|xray:GetSamplingTargets|logs:(CreateLogDelivery|GetLogDelivery|UpdateLogDelivery|DeleteLogDelivery|ListLogDeliveries|PutResourcePolicy|DescribeResourcePolicies|DescribeLogGroups))$/;

describe.each([
  ['the minimal config', undefined],
  ['every option', FULL_CONFIG],
])('the IAM of the functions, with %s', (_name, config) => {
  const { template, inventory } = synthForSuite(config);
  const roleOf = (task: string) => roleLogicalIdOf(template, functionLogicalId(template, task));

  it.each(TASK_NAMES)(
    'grants %s exactly the actions of its inventory entry: nothing missing, nothing extra',
    (task) => {
      const granted = identityStatementsOf(template, roleOf(task))
        .flatMap(actionsOf)
        .filter((action) => INVENTORIED.test(action));

      expect([...new Set(granted)].sort()).toEqual([...(inventory[task]?.actions ?? expect.fail())].sort());
    },
  );

  it.each(TASK_NAMES)(
    'lets %s use the CMK, in the key policy, for exactly its inventoried kms actions',
    (task) => {
      const keyActions = keyStatementsOf(template, roleOf(task)).flatMap(actionsOf);

      expect([...new Set(keyActions)].sort()).toEqual(
        [...(inventory[task]?.resources['kms-key'] ?? [])].sort(),
      );
    },
  );

  it('uses no wildcard action anywhere, and `*` resources only for actions without resource-level permissions', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as TemplateStatement[],
    );
    for (const statement of statements) {
      for (const action of actionsOf(statement)) expect(action).not.toContain('*');
      if (resourcesOf(statement).includes('*')) {
        expect(actionsOf(statement).filter((action) => !RESOURCELESS.test(action))).toEqual([]);
      }
    }
    const keyPolicies = Object.values(template.findResources('AWS::KMS::Key')).flatMap(
      (key) => key.Properties.KeyPolicy.Statement as TemplateStatement[],
    );
    for (const action of keyPolicies.flatMap(actionsOf)) expect(action).not.toMatch(/^kms:\*|^\*$/);
  });

  it('scopes keyring access to each configured issuer’s keyring object, and decryption to Secrets Manager', () => {
    const issuerIds = (config?.issuers ?? [{ id: 'cluster-a' }]).map((issuer) => issuer.id);
    const statements = identityStatementsOf(template, roleOf('push'));
    const keyring = statements.find((s) => actionsOf(s).includes('s3:GetObject')) ?? expect.fail();
    expect(JSON.stringify(resourcesOf(keyring))).toMatch(
      new RegExp(issuerIds.map((id) => `/keyrings/${id}\\.json`).join('.*')),
    );
    const decrypt = statements.find((s) => actionsOf(s).includes('kms:Decrypt')) ?? expect.fail();
    expect(Object.keys(decrypt.Condition?.StringEquals ?? {})).toEqual(['kms:ViaService']);
    expect(JSON.stringify(decrypt.Condition)).toMatch(/"secretsmanager\./);
    const secrets = statements.filter((s) =>
      actionsOf(s).some((action) => action.startsWith('secretsmanager:')),
    );
    const secretArns = JSON.stringify(secrets.flatMap(resourcesOf));
    for (const id of issuerIds) {
      expect(secretArns).toContain(`:secret:keyturn/${id}/*`);
      expect(secretArns).toContain(`:secret:keyturn-cluster/${id}-??????`);
    }
  });
});

describe('the IAM of a migrated issuer', () => {
  const synthesized = synthForSuite(FULL_CONFIG);

  it('lets publish write exactly the two documents at the root of the ccoctl bucket and invalidate its distribution', () => {
    const { template } = synthesized;
    const statements = identityStatementsOf(
      template,
      roleLogicalIdOf(template, functionLogicalId(template, 'publish')),
    );
    const resources = JSON.stringify(statements.flatMap(resourcesOf));

    expect(resources).toContain(':s3:::legacy-oidc/keys.json');
    expect(resources).toContain(':s3:::legacy-oidc/.well-known/openid-configuration');
    expect(resources).toContain(':distribution/E2LEGACY0001');
    expect(resources).not.toMatch(/legacy-oidc\/\*/);
  });
});
