import { readFile } from 'node:fs/promises';
import { type Campaign, CampaignSchema } from '../schemas/campaign.ts';
import { type Roster, rosterForCampaign } from '../schemas/roster.ts';
import { type FieldIssue, MESSAGES, type ParseResult, parseWith } from '../schemas/validation.ts';

/** Reads a JSON file; a syntax error becomes a `FieldIssue` rather than an exception. */
export async function readJsonFile(path: string): Promise<ParseResult<unknown>> {
  const source = await readFile(path, 'utf8');
  try {
    return { ok: true, value: JSON.parse(source) };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    const issue: FieldIssue = {
      path: '',
      value: undefined,
      code: 'json-syntax',
      ...MESSAGES['json-syntax']({ detail }),
    };
    return { ok: false, issues: [issue] };
  }
}

export async function readCampaignFile(path: string): Promise<ParseResult<Campaign>> {
  const json = await readJsonFile(path);
  return json.ok ? parseWith(CampaignSchema, json.value) : json;
}

export async function readRosterFile(path: string, campaign: Campaign): Promise<ParseResult<Roster>> {
  const json = await readJsonFile(path);
  return json.ok ? parseWith(rosterForCampaign(campaign), json.value) : json;
}

/** `campaigns/2018-changzhou.json` keeps its roster beside it in `campaigns/2018-changzhou.roster.json`. */
export function rosterPathFor(campaignPath: string): string {
  return campaignPath.replace(/\.json$/, '.roster.json');
}
