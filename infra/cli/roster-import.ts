import { chmod, writeFile } from 'node:fs/promises';
import { DynamoCampaignRepository } from '../../functions/shared/adapters/dynamo/campaign-repository.ts';
import { DynamoStore } from '../../functions/shared/adapters/dynamo/store.ts';
import { DynamoUnitRepository } from '../../functions/shared/adapters/dynamo/units-repository.ts';
import type { AwsClients } from '../../functions/shared/aws-clients.ts';
import type { UnitRecord } from '../../schemas/records.ts';
import { pickRosterFields, type Roster, sameRosterRow } from '../../schemas/roster.ts';
import type { FieldIssue } from '../../schemas/validation.ts';
import { readSheetRows } from '../roster-file.ts';
import { rosterFromSheet } from '../roster-sheet.ts';
import { seedCampaign } from '../seed-campaign.ts';
import { linkSheet } from './load.ts';

/** Where an import goes: the table, the key links are derived with, and the address they open. */
export interface ImportTarget {
  clients: AwsClients;
  tableName: string;
  linkKey: string;
  baseUrl: string;
}

export type RosterImportResult =
  | { ok: false; issues: FieldIssue[] }
  | {
      ok: true;
      roster: Roster;
      created: string[];
      changed: string[];
      unchanged: string[];
      /** Units the table holds but the file does not list: withdrawn with `prune`, else only listed. */
      missing: string[];
      withdrawn: boolean;
      linksPath: string;
    };

/**
 * `campaign roster import`: reads the bureau's spreadsheet (`roster-sheet.ts`), and only if every
 * row is right, upserts its units by code into the campaign the table holds (`seedCampaign`: a
 * unit unchanged is not written, so the same file twice changes nothing), writes every unit's
 * link to `linksPath` (mode 600), and withdraws the units the file no longer lists with `prune`
 * (their records kept).
 */
export async function importRoster(
  target: ImportTarget,
  input: { file: string; prune: boolean; linksPath: string; now: Date },
): Promise<RosterImportResult> {
  const store = new DynamoStore(target.clients.doc, target.tableName);
  const campaign = await new DynamoCampaignRepository(store).get();
  if (!campaign)
    throw new Error(
      `表 ${target.tableName} 中没有活动配置：请先 campaign load / no campaign config in ${target.tableName}: load the campaign first`,
    );
  const before = new Map<string, UnitRecord>();
  for await (const unit of new DynamoUnitRepository(store).all()) before.set(unit.code, unit);
  // Without --prune, the units the file does not list stay: the checks across units count them.
  const staying = input.prune ? [] : [...before.values()].filter((u) => !u.withdrawnAt).map(pickRosterFields);
  const parsed = rosterFromSheet(campaign, await readSheetRows(input.file), staying);
  if (!parsed.ok) return parsed;
  const roster = parsed.value;

  const created: string[] = [];
  const changed: string[] = [];
  const unchanged: string[] = [];
  for (const row of roster.units) {
    const was = before.get(row.code);
    (was === undefined ? created : sameRosterRow(was, row) ? unchanged : changed).push(row.code);
  }

  const seeded = await seedCampaign({
    clients: target.clients,
    tableName: target.tableName,
    campaign,
    roster,
    linkKey: target.linkKey,
    now: input.now,
    withdrawMissing: input.prune,
  });
  await writeFile(
    input.linksPath,
    linkSheet(
      roster,
      seeded.links,
      target.baseUrl,
      campaign.reviewers.flatMap((reviewer) => {
        const token = seeded.reviewerLinks[reviewer.id];
        return token ? [{ reviewer, token }] : [];
      }),
    ),
    { mode: 0o600 },
  );
  await chmod(input.linksPath, 0o600);
  return {
    ok: true,
    roster,
    created,
    changed,
    unchanged,
    missing: seeded.missing,
    withdrawn: seeded.withdrawn,
    linksPath: input.linksPath,
  };
}
