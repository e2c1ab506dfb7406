import { createHash } from 'node:crypto';
import { type CfnElement, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/**
 * A construct that only groups resources of a stack (storage, mail, the API…). The stack was first
 * deployed with all of them at its top level, and CloudFormation knows a resource by the logical
 * ID CDK derives from its construct path: a group's id in that path would replace the retained
 * table, buckets, secrets and log groups. So a `ResourceGroup`'s id is left out of the logical
 * IDs of what it holds, as CDK leaves out an id of `Default`; `GroupedStack` applies that.
 * The ids of a stack's groups' children must therefore be unique across the stack (a clash fails
 * the synth: CloudFormation's Resources cannot hold one logical ID twice).
 */
export class ResourceGroup extends Construct {}

/** A stack whose `ResourceGroup`s do not show in its logical IDs. */
export class GroupedStack extends Stack {
  protected override allocateLogicalId(element: CfnElement): string {
    const scopes = element.node.scopes;
    const path = scopes
      .slice(scopes.indexOf(this) + 1)
      .filter((scope) => !(scope instanceof ResourceGroup))
      .map((scope) => scope.node.id);
    return stackLogicalId(path);
  }
}

/**
 * CDK's logical ID of a path below its stack (`makeUniqueId` in aws-cdk-lib, not exported): a
 * top-level id as it is, otherwise the path's ids (less `Default`, `Resource` and repeats) and the
 * first 8 hex digits of the MD5 of the path.
 */
export function stackLogicalId(components: string[]): string {
  const path = components.filter((id) => id !== 'Default');
  const alphanumeric = (id: string) => id.replace(/[^A-Za-z0-9]/g, '');
  const [only] = path;
  if (path.length === 1 && only) return alphanumeric(only);
  const hash = createHash('md5').update(path.join('/')).digest('hex').slice(0, 8).toUpperCase();
  const human: string[] = [];
  for (const id of path) if (!human.at(-1)?.endsWith(id)) human.push(id);
  return (
    human
      .filter((id) => id !== 'Resource')
      .map(alphanumeric)
      .join('')
      .slice(0, 240) + hash
  );
}
