import { readFileSync } from 'node:fs';
import { type Campaign, CampaignSchema } from '../../schemas/campaign.ts';
import type { HazardReport } from '../../schemas/hazards.ts';
import type { HazardRecord, SubmissionPointer, UnitRecord } from '../../schemas/records.ts';
import { type Roster, type RosterRow, rosterForCampaign } from '../../schemas/roster.ts';

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

/** A school's hazard report with its five implementations, for tests to vary. */
export function sampleReport(overrides: Partial<HazardReport> = {}): HazardReport {
  return {
    area: 'fire-safety',
    level: 'general',
    title: '消防通道堵塞',
    description: '东侧消防通道堆放杂物',
    location: '教学楼东侧',
    foundOn: '2018-01-15',
    source: 'self-check',
    fixedOnSpot: false,
    five: {
      owner: { name: '王主任', role: '总务主任', phone: '0519-00001001' },
      measures: '清理杂物，设置禁停标志',
      funds: { amountYuan: 2000, source: '学校公用经费' },
      deadline: '2018-01-31',
      contingency: '安排专人值守，发现堵塞立即清理',
    },
    ...overrides,
  };
}

/** A roster row of the demo campaign, by code. */
export function rosterRow(code: string): RosterRow {
  const row = demoRoster().units.find((u) => u.code === code);
  if (!row) throw new Error(`no unit ${code} in the demo roster`);
  return row;
}

/** A stored unit as a repository returns it: a roster row with fresh counters. */
export function sampleUnit(code: string, overrides: Partial<UnitRecord> = {}): UnitRecord {
  return {
    ...rosterRow(code),
    hazardSeq: 0,
    openGeneral: 0,
    openMajor: 0,
    linkVersion: 0,
    updatedAt: '2018-01-10T00:00:00.000Z',
    ...overrides,
  };
}

/** Nested values as a form posts them: dotted names, every value a string, yes/no for booleans. */
function formFields(value: unknown, name = ''): Record<string, string> {
  if (typeof value === 'object' && value !== null)
    return Object.assign(
      {},
      ...Object.entries(value).map(([key, item]) => formFields(item, name ? `${name}.${key}` : key)),
    );
  return { [name]: typeof value === 'boolean' ? (value ? 'yes' : 'no') : String(value) };
}

/** `sampleReport()` as the hazard form posts it (no form key), for tests to vary. */
export function sampleReportFields(overrides: Record<string, string> = {}): Record<string, string> {
  return { ...formFields(sampleReport()), ...overrides };
}

/** `sampleReport` as the report form posts it, without its form key. */
export const REPORT_FORM: Readonly<Record<string, string>> = sampleReportFields();

/** Its five implementations' fields alone. */
export const FIVE_FORM: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(REPORT_FORM).filter(([name]) => name.startsWith('five.')),
);

/** A unit's first filing of a deliverable, as its pointer (version 1, not reviewed). */
export function samplePointer(
  unitCode: string,
  district: string | null,
  deliverableId: string,
  receivedAt: string,
  onTime: boolean,
): SubmissionPointer {
  return {
    unitCode,
    district,
    deliverableId,
    currentVersion: 1,
    firstReceivedAt: receivedAt,
    currentReceivedAt: receivedAt,
    firstOnTime: onTime,
  };
}

/** A stored hazard of `report` (being rectified, unsupervised, no photos unless `extra` says). */
export function sampleHazard(
  id: string,
  unitCode: string,
  district: string | null,
  report: HazardReport,
  extra: Partial<HazardRecord> = {},
): HazardRecord {
  const createdAt = extra.createdAt ?? '2018-01-15T03:00:00.000Z';
  return {
    id,
    unitCode,
    district,
    area: report.area,
    level: report.level,
    status: 'rectifying',
    title: report.title,
    version: 1,
    createdAt,
    updatedAt: createdAt,
    report,
    supervision: null,
    photos: [],
    ...extra,
  };
}
