import { Stack, Token } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

/**
 * An ARN as cdk-nag prints it in a finding id (`AwsSolutions-IAM5[Resource::<arn>]`): the partition is
 * always `<AWS::Partition>`; region and account are literal when the stack has an env, else
 * `<AWS::Region>` / `<AWS::AccountId>`. Acknowledgements built from it match exactly one resource.
 */
export function nagArn(scope: Construct, service: string, resource: string): string {
  const stack = Stack.of(scope);
  const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
  const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
  return `arn:<AWS::Partition>:${service}:${region}:${account}:${resource}`;
}
