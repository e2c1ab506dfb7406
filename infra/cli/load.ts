import { chmod, writeFile } from 'node:fs/promises';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import type { AwsClients } from '../../functions/shared/aws-clients.ts';
import type { Campaign, Reviewer } from '../../schemas/campaign.ts';
import { LinkKeySecretSchema } from '../../schemas/env.ts';
import type { Roster } from '../../schemas/roster.ts';
import { type SeedResult, seedCampaign } from '../seed-campaign.ts';

/** What `campaign load` needs from a deployed stack: its outputs (see `infra/cdk/campaign-stack.ts`). */
export interface StackOutputs {
  ApiUrl: string;
  /** Where units open their links: the config's `web.publicUrl`, else the API's address. */
  PublicUrl?: string;
  TableName: string;
  BucketName: string;
  LinkKeySecretArn: string;
  /** Where the campaign sends through an SMTP relay: the relay's credentials. */
  SmtpSecretArn?: string;
}

export async function readStackOutputs(stackName: string, region?: string): Promise<StackOutputs> {
  const cloudFormation = new CloudFormationClient(region ? { region } : {});
  const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
  const outputs = Object.fromEntries((Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
  const missing = ['ApiUrl', 'TableName', 'BucketName', 'LinkKeySecretArn'].filter((key) => !outputs[key]);
  if (missing.length > 0)
    throw new Error(`stack ${stackName} has no output ${missing.join(', ')}: is it a campaign stack?`);
  return outputs as unknown as StackOutputs;
}

export async function readLinkKey(clients: Pick<AwsClients, 'secrets'>, secretArn: string): Promise<string> {
  const { SecretString } = await clients.secrets.send(new GetSecretValueCommand({ SecretId: secretArn }));
  return LinkKeySecretSchema.parse(JSON.parse(SecretString ?? '{}')).linkKey;
}

/** A spreadsheet-friendly CSV (UTF-8 with BOM, so Excel shows the Chinese names) of every unit's link. */
export function linkSheet(
  roster: Roster,
  links: Record<string, string>,
  apiUrl: string,
  reviewers: readonly { reviewer: Reviewer; token: string }[] = [],
): string {
  // Quoted, and a leading = + - @ defused with an apostrophe, so Excel shows text and runs no formula.
  const quote = (value: string) =>
    `"${(/^[=+\-@]/.test(value) ? `'${value}` : value).replaceAll('"', '""')}"`;
  const rows = roster.units.map((unit) =>
    [unit.code, unit.name, unit.email, new URL(`f/${links[unit.code] ?? ''}`, apiUrl).toString()]
      .map(quote)
      .join(','),
  );
  // Named reviewers follow the units: their code column says whom they act for.
  const reviewerRows = reviewers.map(({ reviewer: r, token }) =>
    [`reviewer:${r.id}`, `${r.name}（${r.scope}）`, r.email, new URL(`r/${token}`, apiUrl).toString()]
      .map(quote)
      .join(','),
  );
  return `\uFEFF${['单位代码 code,单位名称 name,邮箱 email,填报链接 form link', ...rows, ...reviewerRows].join('\r\n')}\r\n`;
}

/**
 * Loads a campaign into its deployed table: the config the functions read at start, the roster,
 * and a form link per unit derived from the stack's link key (a unit that has one keeps it).
 * Writes the links to `linksPath` (mode 600) for the office to send out. Safe to run again.
 * Units the table holds but the roster no longer lists are withdrawn only with `withdrawMissing`.
 */
export async function loadCampaign(input: {
  clients: AwsClients;
  outputs: StackOutputs;
  linkKey: string;
  campaign: Campaign;
  roster: Roster;
  linksPath: string;
  now: Date;
  withdrawMissing?: boolean;
}): Promise<{ units: number } & Pick<SeedResult, 'missing' | 'withdrawn' | 'reviewersWithoutBody'>> {
  const { links, reviewerLinks, reviewersWithoutBody, missing, withdrawn } = await seedCampaign({
    clients: input.clients,
    tableName: input.outputs.TableName,
    campaign: input.campaign,
    roster: input.roster,
    linkKey: input.linkKey,
    now: input.now,
    withdrawMissing: input.withdrawMissing ?? false,
  });
  const base = input.outputs.PublicUrl ?? input.outputs.ApiUrl;
  await writeFile(
    input.linksPath,
    linkSheet(
      input.roster,
      links,
      base,
      input.campaign.reviewers.flatMap((reviewer) => {
        const token = reviewerLinks[reviewer.id];
        return token ? [{ reviewer, token }] : [];
      }),
    ),
    { mode: 0o600 },
  );
  await chmod(input.linksPath, 0o600);
  return { units: input.roster.units.length, missing, withdrawn, reviewersWithoutBody };
}
