import { type CfnElement, Stack } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Construct, IConstruct } from 'constructs';

/** A function's role, where cdk-nag reports the findings of its policy. */
export function roleOf(fn: IFunction): Construct {
  if (!fn.role) throw new Error(`${fn.node.path} has no role`);
  return fn.role;
}

/** How cdk-nag names a resource's ARN in a finding's id: `<LogicalId.Arn>`. */
export function arnRef(construct: IConstruct): string {
  const cfn = construct.node.defaultChild as CfnElement;
  return `<${Stack.of(construct).resolve(cfn.logicalId) as string}.Arn>`;
}
