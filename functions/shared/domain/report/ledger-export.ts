import type { Campaign } from '../../../../schemas/campaign.ts';
import type { HazardRecord, SubmissionPointer, UnitRecord, ZeroReport } from '../../../../schemas/records.ts';
import { atLocalTime, type LocalDate, parseInstant } from '../calendar/calendar.ts';
import { ValidationError } from '../errors.ts';
import { unitState } from './campaign-state.ts';
import { AFFILIATED_FILTER, type DashboardQuery, matchesState, matchesText } from './dashboard.ts';
import { inScope } from './digest.ts';
import { emptyFacts } from './hazard-pass.ts';
import type { CampaignInstant, CampaignSnapshot, DigestScope, LedgerSpool } from './model.ts';
import { type CampaignReaders, loadSnapshot } from './snapshot.ts';

/**
 * The ledger download (`GET /w/ledger.xlsx`): the digest's workbook for the units the dashboard's
 * filters select, now or as the campaign stood at a past instant. The workbook is the digest's
 * (`digestWorkbookFile` over `buildDigest`), built from a snapshot of only those units, so every
 * sheet (overview, filings, ledger, overdue, changes) covers exactly them and agrees with itself.
 */

/**
 * When the ledger stands: `at` (an ISO instant with its offset), or `day` (a campaign day: its
 * daily check time, so a past day's ledger is that morning's digest), else now. Never after now.
 */
export function ledgerInstant(
  params: Readonly<Record<string, string | undefined>>,
  campaign: Pick<Campaign, 'timeZone' | 'reminders'>,
  now: Date,
): { at: Date; past: boolean } {
  const at = params.at?.trim();
  const day = params.day?.trim();
  let when: Date | null = null;
  if (at) {
    when = parseInstant(at);
    if (!when)
      throw new ValidationError([
        {
          path: 'at',
          value: at,
          code: 'dashboard.at',
          zh: `时间应为带时区的 ISO 格式，如 2018-01-22T08:00:00+08:00，收到“${at}”`,
          en: `the time must be ISO with an offset, e.g. 2018-01-22T08:00:00+08:00, got "${at}"`,
        },
      ]);
  } else if (day) {
    if (/^\d{4}-\d{2}-\d{2}$/.test(day)) {
      try {
        when = atLocalTime(day as LocalDate, campaign.reminders.dailyCheckTime, campaign.timeZone);
      } catch {
        when = null;
      }
    }
    if (!when || Number.isNaN(when.getTime()))
      throw new ValidationError([
        {
          path: 'day',
          value: day,
          code: 'dashboard.day',
          zh: `日期应为 YYYY-MM-DD，收到“${day}”`,
          en: `the day must be YYYY-MM-DD, got "${day}"`,
        },
      ]);
  }
  if (!when) return { at: now, past: false };
  if (when.getTime() > now.getTime()) {
    const field = at ? 'at' : 'day';
    throw new ValidationError([
      {
        path: field,
        value: at ?? day,
        code: `dashboard.${field}`,
        zh: `不能下载未来的台账，收到“${at ?? day}”`,
        en: `the ledger cannot be of a time still to come, got "${at ?? day}"`,
      },
    ]);
  }
  return { at: when, past: true };
}

/**
 * A hazard as it stood at `at`, as far as its record tells: none if reported later; reopened if
 * closed later (awaiting acceptance if its rectification was reported by then, else being
 * rectified); being rectified if acceptance was asked later; registered if withdrawn later. What the record no longer holds
 * (a level or area changed later, an earlier refusal) shows as it stands now.
 */
export function hazardAsOf(hazard: HazardRecord, at: Date): HazardRecord | null {
  const t = at.getTime();
  const after = (iso: string | undefined) => iso !== undefined && Date.parse(iso) > t;
  if (after(hazard.createdAt)) return null;
  let out = hazard;
  // Only a registered report can be withdrawn: before its withdrawal it was registered.
  if (hazard.status === 'withdrawn' && after(hazard.withdrawal?.at)) {
    const { withdrawal: _w, ...registered } = hazard;
    out = { ...registered, status: 'registered' };
  }
  if (hazard.status === 'closed' && after(hazard.closedAt)) {
    const { closedAt: _closed, ...open } = hazard;
    out = {
      ...open,
      status: hazard.rectification && !after(hazard.rectification.at) ? 'awaiting-acceptance' : 'rectifying',
      supervision: hazard.supervision ? withoutDelisting(hazard.supervision) : null,
    };
  }
  if (out.status === 'awaiting-acceptance' && after(out.rectification?.at)) {
    const { rectification: _r, ...rest } = out;
    out = { ...rest, status: 'rectifying' };
  }
  return out;
}

function withoutDelisting(supervision: NonNullable<HazardRecord['supervision']>) {
  const { delistedOn: _delisted, ...rest } = supervision;
  return rest;
}

/** A zero report as it stood at `at`: none if confirmed later, not yet withdrawn if withdrawn later. */
export function zeroReportAsOf(report: ZeroReport, at: Date): ZeroReport | null {
  const t = at.getTime();
  if (Date.parse(report.confirmedAt) > t) return null;
  if (report.withdrawnAt !== undefined && Date.parse(report.withdrawnAt) > t) {
    const { withdrawnAt: _w, withdrawnFor: _f, ...still } = report;
    return still;
  }
  return report;
}

/**
 * A filing counts from its first version's receipt; a decision on it (sent back, accepted) from
 * when it was made. The pointer holds only the latest decision, so one made later hides any
 * earlier one: the filing then shows as not yet reviewed.
 */
export function pointerAsOf(pointer: SubmissionPointer, at: Date): SubmissionPointer | null {
  if (Date.parse(pointer.firstReceivedAt) > at.getTime()) return null;
  if (pointer.review && Date.parse(pointer.review.at) > at.getTime()) {
    const { review: _later, ...unreviewed } = pointer;
    return unreviewed;
  }
  return pointer;
}

async function* kept<T>(items: AsyncIterable<T>, keep: (item: T) => T | null): AsyncIterable<T> {
  for await (const item of items) {
    const out = keep(item);
    if (out !== null) yield out;
  }
}

/** The campaign's readers, each record as it stood at `at` (see `hazardAsOf`). */
export function readersAsOf(readers: CampaignReaders, at: Date): CampaignReaders {
  return {
    units: readers.units,
    bounces: readers.bounces,
    submissions: { allFilers: (id) => kept(readers.submissions.allFilers(id), (p) => pointerAsOf(p, at)) },
    hazards: { all: () => kept(readers.hazards.all(), (h) => hazardAsOf(h, at)) },
    zeroReports: { all: () => kept(readers.zeroReports.all(), (z) => zeroReportAsOf(z, at)) },
    sanctions: {
      all: () => kept(readers.sanctions.all(), (s) => (Date.parse(s.recordedAt) > at.getTime() ? null : s)),
    },
  };
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** Whether a unit passes the filters that need no filing state (district, type, search). */
function unitPasses(unit: UnitRecord, scope: DigestScope, query: DashboardQuery): boolean {
  if (unit.type === 'city-office' || unit.withdrawnAt || !inScope(scope, unit.district)) return false;
  if (query.district !== undefined) {
    const wanted = query.district === AFFILIATED_FILTER ? null : query.district;
    if (unit.district !== wanted) return false;
  }
  if (query.type !== undefined && unit.type !== query.type) return false;
  return matchesText(query.q, [unit.name, unit.code]);
}

/**
 * The snapshot of the units of `scope` that the dashboard's filters select, at `instant`: the
 * units read and filtered first (with their filings, when the state filter needs them), then
 * `loadSnapshot` over only those units, so the hazard pass counts only their hazards. Ready for
 * `buildDigest(snapshot, scope)` and the workbook of its spool's rows.
 */
export async function loadFilteredSnapshot(
  campaign: Campaign,
  readers: CampaignReaders,
  instant: CampaignInstant,
  spool: LedgerSpool,
  scope: DigestScope,
  query: DashboardQuery,
): Promise<CampaignSnapshot> {
  let units = (await collect(readers.units.all())).filter((u) => unitPasses(u, scope, query));
  const filter = query.state;
  if (filter !== undefined) {
    const wanted = new Set(units.map((u) => u.code));
    const pointers = new Map<string, Map<string, SubmissionPointer>>();
    for (const d of campaign.deliverables)
      for await (const p of readers.submissions.allFilers(d.id)) {
        if (!wanted.has(p.unitCode)) continue;
        const mine = pointers.get(p.unitCode) ?? new Map<string, SubmissionPointer>();
        mine.set(p.deliverableId, p);
        pointers.set(p.unitCode, mine);
      }
    units = units.filter((unit) =>
      unitState(
        campaign,
        { unit, pointers: pointers.get(unit.code) ?? new Map(), hazards: emptyFacts(), zeroReport: null },
        instant,
      ).deliverables.some(
        (d) =>
          (query.deliverable === undefined || d.deliverableId === query.deliverable) &&
          matchesState(d.state.kind, filter),
      ),
    );
  }
  const held = units;
  return loadSnapshot(
    campaign,
    {
      ...readers,
      units: {
        all: async function* () {
          yield* held;
        },
      },
    },
    instant,
    spool,
  );
}
