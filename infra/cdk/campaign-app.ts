import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { Campaign } from '../../schemas/campaign.ts';
import { CampaignStack, type Partition } from './campaign-stack.ts';

/** The stack's name: every campaign year is its own stack, so a year can be archived on its own. */
export function stackName(campaign: Campaign): string {
  return `SafetyCampaign-${campaign.id}`;
}

/**
 * Adds one campaign's stack to `app`, with cdk-nag's AwsSolutions and Serverless packs checking
 * every synth: a finding not acknowledged where it arises fails the synth.
 */
export function addCampaign(
  app: App,
  input: { campaign: Campaign; partition: Partition; region?: string; deployedAt?: Date },
): CampaignStack {
  const stack = new CampaignStack(app, stackName(input.campaign), {
    campaign: input.campaign,
    partition: input.partition,
    deployedAt: input.deployedAt ?? new Date(),
    ...(input.region ? { env: { region: input.region } } : {}),
    description: `School-safety campaign ${input.campaign.id}: ${input.campaign.name.en}`,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  return stack;
}

/** The partition a deployment is in: `-c partition=…`, else that of `-c region=…` (cn-* is aws-cn). */
export function partitionOf(context: { partition?: unknown; region?: unknown }): Partition {
  const { partition, region } = context;
  if (partition === undefined)
    return typeof region === 'string' && region.startsWith('cn-') ? 'aws-cn' : 'aws';
  if (partition === 'aws' || partition === 'aws-cn') return partition;
  throw new Error(`-c partition: expected aws or aws-cn, got ${String(partition)}`);
}
