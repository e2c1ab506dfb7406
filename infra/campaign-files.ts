import { readFile } from 'node:fs/promises';
import { type Campaign, CampaignSchema } from '../schemas/campaign.ts';
import { parseJsonText } from '../schemas/json-text.ts';
import { type Roster, rosterForCampaign } from '../schemas/roster.ts';
import { MESSAGES, type ParseResult, parseWith } from '../schemas/validation.ts';

/**
 * Reads a JSON file. A missing file, a syntax error or nesting too deep becomes a bilingual
 * `FieldIssue` (code `file-missing`, `json-syntax`, `json-depth`) rather than an exception; a
 * leading byte-order mark is accepted. Other read errors (permissions) are thrown.
 */
export async function readJsonFile(path: string): Promise<ParseResult<unknown>> {
  let source: string;
  try {
    source = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return {
      ok: false,
      issues: [{ path: '', value: path, code: 'file-missing', ...MESSAGES['file-missing']({ file: path }) }],
    };
  }
  return parseJsonText(source);
}

/** Whether a read failed only because the file is not there. */
export function isMissingFile(result: ParseResult<unknown>): boolean {
  return !result.ok && result.issues.some((issue) => issue.code === 'file-missing');
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
