import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import type { KeyturnConfig } from '../config/keyturn-config.ts';
import type { FunctionPlacement } from './rotation-functions.ts';

/**
 * The VPC, subnets and security groups of the functions that call a private cluster API, from ids in the
 * config (no lookup: synth stays offline). The subnets need a route to the AWS APIs keyturn calls (a NAT
 * gateway or VPC endpoints for S3, Secrets Manager, KMS and CloudFront).
 */
export function clusterPlacementFrom(
  scope: Construct,
  vpc: NonNullable<KeyturnConfig['vpc']>,
): FunctionPlacement {
  return {
    vpc: ec2.Vpc.fromVpcAttributes(scope, 'ClusterVpc', {
      vpcId: vpc.vpcId,
      availabilityZones: vpc.availabilityZones,
      privateSubnetIds: vpc.privateSubnetIds,
    }),
    subnets: {
      subnets: vpc.privateSubnetIds.map((id) => ec2.Subnet.fromSubnetId(scope, `ClusterSubnet-${id}`, id)),
    },
    securityGroups: vpc.securityGroupIds.map((id) =>
      ec2.SecurityGroup.fromSecurityGroupId(scope, `ClusterSecurityGroup-${id}`, id),
    ),
  };
}
