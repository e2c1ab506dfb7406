import { readFileSync } from 'node:fs';
import { type Campaign, CampaignSchema } from '../../schemas/campaign.ts';
import { type Roster, rosterForCampaign } from '../../schemas/roster.ts';

const root = new URL('../../', import.meta.url);

/** The raw JSON of the 2018 campaign, for tests that break a copy of it. */
export function campaignJson(): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL('campaigns/2018-changzhou.json', root), 'utf8'));
}

export function rosterJson(): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL('campaigns/2018-changzhou.roster.json', root), 'utf8'));
}

export function demoCampaign(): Campaign {
  return CampaignSchema.parse(campaignJson());
}

export function demoRoster(): Roster {
  return rosterForCampaign(demoCampaign()).parse(rosterJson());
}
