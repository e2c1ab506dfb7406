import { DynamoCampaignRepository } from '../functions/shared/adapters/dynamo/campaign-repository.ts';
import { DynamoLinkRepository } from '../functions/shared/adapters/dynamo/links-repository.ts';
import { DynamoStore } from '../functions/shared/adapters/dynamo/store.ts';
import { DynamoUnitRepository } from '../functions/shared/adapters/dynamo/units-repository.ts';
import { currentToken, issueLink } from '../functions/shared/domain/links/form-links.ts';
import type { StorageClients } from '../functions/shared/storage-clients.ts';
import type { Campaign } from '../schemas/campaign.ts';
import type { Roster } from '../schemas/roster.ts';

/** Unit code → raw token, for the people who send the links out; the table keeps only hashes. */
export type LinkBook = Record<string, string>;

export interface SeedResult {
  links: LinkBook;
  /**
   * Units in the table, not withdrawn, that this roster no longer lists. They are withdrawn only
   * when asked (`withdrawMissing`): a roster cut short by mistake must not take units out unseen.
   */
  missing: string[];
  withdrawn: boolean;
}

/**
 * Loads the campaign and roster into the table and makes sure every unit has a form link derived
 * from `linkKey` (a unit whose link came from another key, or none, gets a new one). Writes
 * nothing but the table: `campaign load` turns the links into a CSV, the local runtime into its
 * link book (`infra/local/bootstrap.ts`). Safe to run again.
 */
export async function seedCampaign(input: {
  clients: Pick<StorageClients, 'doc'>;
  tableName: string;
  campaign: Campaign;
  roster: Roster;
  linkKey: string;
  now: Date;
  withdrawMissing?: boolean;
}): Promise<SeedResult> {
  const store = new DynamoStore(input.clients.doc, input.tableName);
  const units = new DynamoUnitRepository(store);
  const links = new DynamoLinkRepository(store);
  await new DynamoCampaignRepository(store).save(input.campaign);
  const book: LinkBook = {};
  for (const row of input.roster.units) {
    await units.upsertFromRoster(row, input.now);
    const unit = await units.get(row.code);
    book[row.code] =
      (unit && currentToken(input.linkKey, input.campaign.id, unit)) ??
      (await issueLink(row.code, input.campaign.id, { links, units }, input.now, input.linkKey));
  }
  const listed = new Set(input.roster.units.map((row) => row.code));
  const missing: string[] = [];
  for await (const unit of units.all()) {
    if (!listed.has(unit.code) && !unit.withdrawnAt) missing.push(unit.code);
  }
  const withdrawn = Boolean(input.withdrawMissing) && missing.length > 0;
  if (withdrawn) for (const code of missing) await units.withdraw(code, input.now);
  return { links: book, missing, withdrawn };
}
