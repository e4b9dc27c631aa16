import type { Template } from 'aws-cdk-lib/assertions';

/** An IAM policy statement as it appears in a template. */
export interface TemplateStatement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource?: unknown;
  readonly Principal?: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

/** The statement's actions as an array. */
export function actionsOf(statement: TemplateStatement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

/** The statement's resources as an array. */
export function resourcesOf(statement: TemplateStatement): unknown[] {
  return Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
}

/** Logical id of the Lambda function whose Description names `task` (`keyturn rotation task: <task>`). */
export function functionLogicalId(template: Template, task: string): string {
  const [id] = Object.keys(
    template.findResources('AWS::Lambda::Function', {
      Properties: { Description: `keyturn rotation task: ${task}` },
    }),
  );
  if (id === undefined) throw new Error(`no function for task ${task}`);
  return id;
}

/** Logical id of the role a function runs as. */
export function roleLogicalIdOf(template: Template, functionId: string): string {
  const role = template.toJSON().Resources[functionId].Properties.Role;
  return role['Fn::GetAtt'][0];
}

/** Every statement of every AWS::IAM::Policy attached to the role. */
export function identityStatementsOf(template: Template, roleId: string): TemplateStatement[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) =>
      (policy.Properties.Roles as unknown[]).some(
        (role) => JSON.stringify(role) === JSON.stringify({ Ref: roleId }),
      ),
    )
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as TemplateStatement[]);
}

/** Key-policy statements of the signing CMK (not the keyring MAC key) whose principal is the role. */
export function keyStatementsOf(template: Template, roleId: string): TemplateStatement[] {
  return Object.values(template.findResources('AWS::KMS::Key'))
    .filter((key) => key.Properties.KeyUsage !== 'GENERATE_VERIFY_MAC')
    .flatMap((key) => key.Properties.KeyPolicy.Statement as TemplateStatement[])
    .filter((statement) => JSON.stringify(statement.Principal ?? {}).includes(`"${roleId}"`));
}
