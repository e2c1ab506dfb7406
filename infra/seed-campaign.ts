import { DynamoCampaignRepository } from '../functions/shared/adapters/dynamo/campaign-repository.ts';
import { DynamoHazardImports } from '../functions/shared/adapters/dynamo/hazard-imports.ts';
import { DynamoHazardRepository } from '../functions/shared/adapters/dynamo/hazards-repository.ts';
import { DynamoLinkRepository } from '../functions/shared/adapters/dynamo/links-repository.ts';
import { DynamoReviewerRepository } from '../functions/shared/adapters/dynamo/reviewers-repository.ts';
import { DynamoRollups } from '../functions/shared/adapters/dynamo/rollups-repository.ts';
import { DynamoStore } from '../functions/shared/adapters/dynamo/store.ts';
import { DynamoSubmissionRepository } from '../functions/shared/adapters/dynamo/submissions-repository.ts';
import { DynamoUnitRepository } from '../functions/shared/adapters/dynamo/units-repository.ts';
import { recountTally } from '../functions/shared/domain/hazards/tally-recount.ts';
import { currentToken, issueLink } from '../functions/shared/domain/links/form-links.ts';
import { currentReviewerToken, issueReviewerLink } from '../functions/shared/domain/links/sessions.ts';
import { isCounted, rollupRules } from '../functions/shared/domain/report/rollup.ts';
import { admitToRollups } from '../functions/shared/domain/report/rollup-admission.ts';
import type { StorageClients } from '../functions/shared/storage-clients.ts';
import type { Campaign } from '../schemas/campaign.ts';
import type { Roster } from '../schemas/roster.ts';

/** Unit code → raw token, for the people who send the links out; the table keeps only hashes. */
export type LinkBook = Record<string, string>;

export interface SeedResult {
  links: LinkBook;
  /** Reviewer id → raw token of their workspace link (`/r/<token>`). */
  reviewerLinks: LinkBook;
  /**
   * Reviewers whose office or bureau the roster lacks (a bureau withdrawn, a scope mistyped): they
   * get no link, and any link they had stops working, until the roster or the config puts them back.
   */
  reviewersWithoutBody: string[];
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
 * link book (`infra/local/bootstrap.ts`). The config's named reviewers get a workspace link each,
 * acting for the city office or their district's bureau; a reviewer the config no longer lists, or
 * whose body the roster lacks, is withdrawn at once (their link and sessions stop working). Safe
 * to run again.
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
  const hazards = new DynamoHazardRepository(store);
  const imports = new DynamoHazardImports(store);
  await new DynamoCampaignRepository(store).save(input.campaign);
  const { campaign } = input;
  const submissions = new DynamoSubmissionRepository(store, campaign.timeZone);
  const rules = rollupRules(campaign);
  const book: LinkBook = {};
  for (const row of input.roster.units) {
    await units.upsertFromRoster(row, input.now, rules);
    let unit = await units.get(row.code);
    if (unit && !unit.tallied && (await recountTally(row.code, { units, hazards, imports })))
      unit = await units.get(row.code);
    // A unit from before the rollups joins its district's once its tally is complete.
    if (
      unit &&
      unit.rollupKey === undefined &&
      (await admitToRollups(row.code, { campaign, units, submissions }))
    )
      unit = await units.get(row.code);
    book[row.code] =
      (unit && currentToken(input.linkKey, input.campaign.id, unit)) ??
      (await issueLink(row.code, input.campaign.id, { links, units }, input.now, input.linkKey));
  }
  const listed = new Set(input.roster.units.map((row) => row.code));
  const missing: string[] = [];
  // The rollups count every unit only if every counted unit has its part in one: a unit from a
  // table older than the rollups has none, and the dashboard then reads the units themselves.
  const unrolled = new Set<string>();
  for await (const unit of units.all()) {
    if (!listed.has(unit.code) && !unit.withdrawnAt) missing.push(unit.code);
    if (isCounted(unit) && (unit.rollupKey === undefined || !unit.tallied)) unrolled.add(unit.code);
  }
  const withdrawn = Boolean(input.withdrawMissing) && missing.length > 0;
  if (withdrawn)
    for (const code of missing) {
      await units.withdraw(code, input.now, rules);
      unrolled.delete(code);
    }
  await new DynamoRollups(store).setReady(unrolled.size === 0);
  const { book: reviewerLinks, unplaced } = await seedReviewers(input, store);
  return { links: book, reviewerLinks, reviewersWithoutBody: unplaced, missing, withdrawn };
}

/** The unit a reviewer acts for: the city office, or the bureau of their district, from the roster. */
function bodyOf(roster: Roster, scope: string): string | undefined {
  const body =
    scope === 'city'
      ? roster.units.find((u) => u.type === 'city-office')
      : roster.units.find((u) => u.type === 'district-bureau' && u.district === scope);
  return body?.code;
}

async function seedReviewers(
  input: { campaign: Campaign; roster: Roster; linkKey: string; now: Date },
  store: DynamoStore,
): Promise<{ book: LinkBook; unplaced: string[] }> {
  const reviewers = new DynamoReviewerRepository(store);
  const book: LinkBook = {};
  const unplaced: string[] = [];
  for (const r of input.campaign.reviewers) {
    const bodyCode = bodyOf(input.roster, r.scope);
    if (bodyCode === undefined) {
      unplaced.push(r.id);
      continue;
    }
    const before = await reviewers.get(r.id);
    await reviewers.upsert({ ...r, bodyCode }, input.now);
    const stored = await reviewers.get(r.id);
    if (!stored) continue;
    // A link names the body it acts for: a reviewer moved to another scope gets a new one.
    const moved = before !== null && before.bodyCode !== bodyCode;
    book[r.id] =
      (moved ? null : currentReviewerToken(input.linkKey, input.campaign.id, stored)) ??
      (await issueReviewerLink(stored, input.campaign.id, { reviewers }, input.now, input.linkKey));
  }
  const listed = new Set(input.campaign.reviewers.map((r) => r.id).filter((id) => !unplaced.includes(id)));
  for await (const r of reviewers.all()) {
    if (!listed.has(r.id)) await reviewers.withdraw(r.id, input.now);
  }
  return { book, unplaced };
}
