import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { GroupedStack, ResourceGroup } from '../../infra/cdk/resource-group.ts';

/** A few resources with nested, repeated, `Default` and `Resource` path parts, under `scope`. */
function resources(scope: Construct): void {
  new Queue(scope, 'Failures');
  new Topic(scope, 'Alarms');
  const nested = new Construct(scope, 'Http');
  new Queue(nested, 'HttpQueue');
  new Queue(new Construct(nested, 'Default'), 'Inner');
  new Queue(scope, 'A-very-long-id-'.repeat(20));
}

const logicalIds = (stack: Stack) => Object.keys(Template.fromStack(stack).toJSON().Resources).sort();

describe('a GroupedStack', () => {
  it("gives a group's resources the logical IDs they had at the stack's top level", () => {
    const flat = new Stack(new App(), 'Flat');
    resources(flat);
    const grouped = new GroupedStack(new App(), 'Grouped');
    resources(new ResourceGroup(new ResourceGroup(grouped, 'Outer'), 'Inner'));
    expect(logicalIds(grouped)).toEqual(logicalIds(flat));
    expect(logicalIds(flat)).toHaveLength(5);
  });
});
