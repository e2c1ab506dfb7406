import type { Campaign } from '../../../../schemas/campaign.ts';
import type { Label } from '../../../../schemas/primitives.ts';
import type { HazardRecord, SanctionRecord, SubmissionPointer } from '../../../../schemas/records.ts';
import { truncated } from '../../../../schemas/validation.ts';
import type {
  AuditLog,
  HazardRepository,
  SanctionRepository,
  SubmissionRepository,
  UnitRepository,
} from '../../ports.ts';
import type { Clock } from '../calendar/clock.ts';
import { daysBehind } from '../calendar/deadlines.ts';
import { ValidationError } from '../errors.ts';
import type { SupervisorIdentity } from '../links/sessions.ts';
import { supervisedUnit } from '../links/supervision-scope.ts';
import { unitState } from '../report/campaign-state.ts';
import { districtName } from '../report/digest.ts';
import { hazardFacts } from '../report/hazard-pass.ts';
import { campaignInstant } from '../report/instant.ts';

/**
 * The draft circular (通报草稿) the office exports for the laggards it picked: per unit, what is
 * overdue and by how many days, its open and overdue major hazards, and the summons and circulars
 * it already had. The figures are the campaign model's (`unitState`), read per unit at the instant
 * of the export, so they match the digest's for that instant.
 */
export const CIRCULAR_MAX_UNITS = 200;

export interface CircularRow {
  unitCode: string;
  unitName: string;
  district: string | null;
  districtName: Label;
  overdue: { name: Label; days: number }[];
  openMajors: number;
  overdueMajors: number;
  /** Earlier summons and circulars, oldest first. */
  sanctions: SanctionRecord[];
}

export interface DraftCircular {
  title: string;
  /** The campaign day of the export. */
  day: string;
  at: string;
  rows: CircularRow[];
}

export interface CircularDeps {
  campaign: Campaign;
  clock: Clock;
  units: Pick<UnitRepository, 'get'>;
  submissions: Pick<SubmissionRepository, 'pointer'>;
  hazards: Pick<HazardRepository, 'listForUnit'>;
  sanctions: Pick<SanctionRepository, 'listForUnit'>;
  audit: Pick<AuditLog, 'append'>;
}

/** The title row: 关于……的通报（草稿）. */
export function circularTitle(campaign: Campaign): string {
  return `关于${campaign.name.zh}工作滞后单位的通报（草稿）`;
}

/**
 * The unit codes a request picked: each `unit` value may hold several codes (API Gateway joins a
 * repeated parameter with commas), upper-cased, first occurrence kept. None, or more than
 * `CIRCULAR_MAX_UNITS`, is a `ValidationError`.
 */
export function circularUnitCodes(values: readonly string[]): string[] {
  const codes = [
    ...new Set(
      values
        .flatMap((v) => v.split(/[\s,，、]+/))
        .map((c) => c.trim().toUpperCase())
        .filter(Boolean),
    ),
  ];
  if (codes.length === 0 || codes.length > CIRCULAR_MAX_UNITS)
    throw new ValidationError([
      {
        path: 'unit',
        value: truncated(values.join(',')),
        code: 'circular-units',
        zh: `请选择 1 至 ${CIRCULAR_MAX_UNITS} 个单位（unit），收到 ${codes.length} 个`,
        en: `pick 1 to ${CIRCULAR_MAX_UNITS} units (unit); got ${codes.length}`,
      },
    ]);
  return codes;
}

async function allHazards(deps: CircularDeps, unitCode: string): Promise<HazardRecord[]> {
  const out: HazardRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.hazards.listForUnit(unitCode, { limit: 500, ...(cursor ? { cursor } : {}) });
    out.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return out;
}

/**
 * The draft for `codes`, each of which the supervisor must supervise (any other is the workspace's
 * one 404: no unit out of scope is named). The export goes on the audit trail.
 */
export async function draftCircular(
  deps: CircularDeps,
  supervisor: Pick<SupervisorIdentity, 'body' | 'actor'>,
  codes: readonly string[],
): Promise<DraftCircular> {
  const { campaign } = deps;
  const instant = campaignInstant(campaign, deps.clock.now());
  const units = [];
  for (const code of codes) units.push(await supervisedUnit(deps, supervisor.body, code));
  const names = new Map(campaign.deliverables.map((d) => [d.id, d.name]));
  const rows: CircularRow[] = [];
  for (const unit of units) {
    const pointers = new Map<string, SubmissionPointer>();
    for (const d of campaign.deliverables) {
      const p = await deps.submissions.pointer(unit.code, d.id);
      if (p) pointers.set(d.id, p);
    }
    const state = unitState(
      campaign,
      { unit, pointers, hazards: hazardFacts(await allHazards(deps, unit.code), instant), zeroReport: null },
      instant,
    );
    rows.push({
      unitCode: unit.code,
      unitName: unit.name,
      district: unit.district,
      districtName: districtName(campaign, unit.district),
      overdue: state.deliverables.flatMap((d) => {
        const days = daysBehind(d.dueDate, d.state, instant.today);
        if (days === 0) return [];
        const name = names.get(d.deliverableId) ?? { zh: d.deliverableId, en: d.deliverableId };
        const sentBack = d.state.kind === 'sent-back';
        return [
          {
            name: sentBack
              ? { zh: `${name.zh}（退回未改）`, en: `${name.en} (sent back, not refiled)` }
              : name,
            days,
          },
        ];
      }),
      openMajors: state.openHazards.major,
      overdueMajors: state.overdueMajors.length,
      sanctions: await deps.sanctions.listForUnit(unit.code),
    });
  }
  await deps.audit.append({
    at: instant.iso,
    actor: supervisor.actor,
    action: 'supervisor-exported-circular',
    subject: supervisor.body.code,
    detail: { units: units.map((u) => u.code) },
  });
  return { title: circularTitle(campaign), day: instant.today, at: instant.iso, rows };
}
