import type { Campaign, HazardAreaId, HazardLevelId } from '../../../../schemas/campaign.ts';
import type { Label } from '../../../../schemas/primitives.ts';
import type {
  HazardRecord,
  MailBounce,
  SubmissionPointer,
  UnitRecord,
  ZeroReport,
} from '../../../../schemas/records.ts';
import type { LocalDate } from '../calendar/calendar.ts';
import type { DeliverableState } from '../calendar/deadlines.ts';
import { type BouncedUnit, bouncedUnits } from '../delivery/mail-bounces.ts';
import { type CampaignState, campaignState, type UnitInputs, type UnitState } from './campaign-state.ts';
import { emptyAreas, emptyFacts, type HazardPass, scopeKey } from './hazard-pass.ts';

/**
 * The daily digest as plain data: what the office (or one district bureau) reads each morning.
 * The HTML, text and xlsx renderers only lay this out, so they never disagree. Built from one
 * `CampaignState` and the records it came from; no I/O.
 */
export type DigestScope = { kind: 'office' } | { kind: 'district'; district: string };

/**
 * What the daily check holds, for all scopes: the units, filings and zero reports. The hazards
 * are read once, through `passHazards`, and held only as what that pass folds them into.
 */
export interface CampaignRecords {
  units: UnitRecord[];
  pointers: SubmissionPointer[];
  zeroReports: ZeroReport[];
  /** Every address whose mail bounced or drew a complaint (a few; listed against the units using them). */
  bounces: MailBounce[];
}

export interface DeliverableProgress {
  deliverableId: string;
  name: Label;
  dueDate: LocalDate;
  required: number;
  onTime: number;
  late: number;
  /** Not filed, and not yet due. */
  pending: number;
  /** Not filed, and past due. */
  overdue: number;
}

export type ChangeKind =
  | 'filed'
  | 'refiled'
  | 'became-overdue'
  | 'hazard-reported'
  | 'acceptance-requested'
  | 'hazard-closed'
  | 'major-became-overdue';

/** What each kind of change is called in the digest's mail and spreadsheet. */
export const CHANGE_LABELS: Record<ChangeKind, Label> = {
  filed: { zh: '首次报送', en: 'filed' },
  refiled: { zh: '重新报送', en: 'filed again' },
  'became-overdue': { zh: '材料逾期', en: 'deliverable became overdue' },
  'hazard-reported': { zh: '新报隐患', en: 'hazard reported' },
  'acceptance-requested': { zh: '申请验收', en: 'acceptance requested' },
  'hazard-closed': { zh: '隐患销号', en: 'hazard closed out' },
  'major-became-overdue': { zh: '重大隐患逾期', en: 'major hazard became overdue' },
};

export interface Change {
  kind: ChangeKind;
  unitCode: string;
  unitName: string;
  district: string | null;
  /** A deliverable name or a hazard id and title. */
  subject: string;
  /** When it happened, if it happened at an instant (a filing, a report); overdue is a date change. */
  at?: string;
  late?: boolean;
  level?: HazardLevelId;
}

export interface LedgerRow {
  id: string;
  unitCode: string;
  unitName: string;
  district: string | null;
  area: HazardAreaId;
  level: HazardLevelId;
  status: HazardRecord['status'];
  title: string;
  description: string;
  location: string;
  foundOn: LocalDate;
  fixedOnSpot: boolean;
  owner: string;
  measures: string;
  fundsYuan: number | null;
  fundsSource: string;
  deadline: LocalDate | null;
  contingency: string;
  supervisor: string;
  overdue: boolean;
  createdAt: string;
  closedAt: string | null;
}

export interface AreaCount {
  area: HazardAreaId;
  name: Label;
  open: Record<HazardLevelId, number>;
  closed: Record<HazardLevelId, number>;
}

export interface OverdueUnit {
  state: UnitState;
  /** Deliverables past due and not filed, with days overdue. */
  overdue: { deliverableId: string; name: Label; days: number }[];
  overdueMajors: number;
}

export interface Digest {
  scope: DigestScope;
  /** 全市 / the district's name. */
  scopeName: Label;
  day: LocalDate;
  at: string;
  drive: CampaignState['drive'];
  /** The closing report: the first check after the drive closed. */
  closing: boolean;
  progress: DeliverableProgress[];
  changes: Change[];
  /** Candidates for summons and circulars (约谈/通报), grouped by district (null: affiliated units). */
  overdueByDistrict: { district: string | null; name: Label; units: OverdueUnit[] }[];
  overdueMajors: LedgerRow[];
  areas: AreaCount[];
  units: UnitState[];
  /**
   * How many hazards the scope's ledger holds. The ledger's rows are not here: the spreadsheet
   * reads them from the pass's spool (`HazardPass.spool`, key `scopeKey(scope)`).
   */
  ledgerCount: number;
  /** Open hazards: how many, and the first `LISTED_ROWS` in ledger order (for the closing report). */
  stillOpen: { count: number; rows: LedgerRow[] };
  /** Units that never filed a deliverable they owed, per deliverable (filled in on the closing report). */
  neverFiled: { deliverableId: string; name: Label; units: UnitState[] }[];
  /** Units of the scope (bureaus and the office included) whose contact address bounces: fix before a deadline. */
  bounced: BouncedUnit[];
}

export const AFFILIATED: Label = { zh: '市直属单位', en: 'Directly affiliated units' };
export const WHOLE_CITY: Label = { zh: '全市', en: 'Whole city' };

export function districtName(campaign: Campaign, district: string | null): Label {
  if (district === null) return AFFILIATED;
  return campaign.districts.find((d) => d.code === district)?.name ?? { zh: district, en: district };
}

/** Splits the records into each unit's inputs. The city office files and reports nothing, so it is left out. */
export function unitInputs(records: CampaignRecords, pass: Pick<HazardPass, 'facts'>): UnitInputs[] {
  const pointers = new Map<string, Map<string, SubmissionPointer>>();
  for (const p of records.pointers) {
    const mine = pointers.get(p.unitCode) ?? new Map<string, SubmissionPointer>();
    mine.set(p.deliverableId, p);
    pointers.set(p.unitCode, mine);
  }
  const zero = new Map(records.zeroReports.map((z) => [z.unitCode, z]));
  return records.units
    .filter((unit) => unit.type !== 'city-office')
    .map((unit) => ({
      unit,
      pointers: pointers.get(unit.code) ?? new Map(),
      hazards: pass.facts.get(unit.code) ?? emptyFacts(),
      zeroReport: zero.get(unit.code) ?? null,
    }));
}

export function computeState(
  campaign: Campaign,
  records: CampaignRecords,
  pass: Pick<HazardPass, 'facts'>,
  at: Date,
): CampaignState {
  return campaignState(campaign, unitInputs(records, pass), at);
}

function inScope(scope: DigestScope, district: string | null): boolean {
  return scope.kind === 'office' || district === scope.district;
}

function isFiled(state: DeliverableState): boolean {
  return state.kind === 'filed-on-time' || state.kind === 'filed-late';
}

/** What happened in the day before the check: the window (at − 24 h, at]. */
function changesOf(
  campaign: Campaign,
  records: CampaignRecords,
  units: ReadonlyMap<string, UnitState>,
  state: CampaignState,
  hazardChanges: readonly Change[],
): Change[] {
  const end = Date.parse(state.at);
  const start = end - 24 * 60 * 60 * 1000;
  const within = (iso: string | undefined) =>
    iso !== undefined && Date.parse(iso) > start && Date.parse(iso) <= end;
  const names = new Map(campaign.deliverables.map((d) => [d.id, d.name.zh]));
  const changes: Change[] = [];
  const of = (code: string) => units.get(code);
  for (const p of records.pointers) {
    const unit = of(p.unitCode);
    if (!unit) continue;
    const base = { unitCode: unit.unit.code, unitName: unit.unit.name, district: unit.unit.district };
    const subject = names.get(p.deliverableId) ?? p.deliverableId;
    if (within(p.firstReceivedAt))
      changes.push({ ...base, kind: 'filed', subject, at: p.firstReceivedAt, late: !p.firstOnTime });
    else if (p.currentVersion > 1 && within(p.currentReceivedAt))
      changes.push({ ...base, kind: 'refiled', subject, at: p.currentReceivedAt });
  }
  for (const unit of units.values()) {
    const base = { unitCode: unit.unit.code, unitName: unit.unit.name, district: unit.unit.district };
    for (const d of unit.deliverables)
      if (d.state.kind === 'overdue' && d.state.days === 1)
        changes.push({
          ...base,
          kind: 'became-overdue',
          subject: names.get(d.deliverableId) ?? d.deliverableId,
        });
  }
  changes.push(...hazardChanges);
  const order: ChangeKind[] = [
    'major-became-overdue',
    'became-overdue',
    'hazard-reported',
    'acceptance-requested',
    'hazard-closed',
    'filed',
    'refiled',
  ];
  return changes.sort(
    (a, b) =>
      order.indexOf(a.kind) - order.indexOf(b.kind) ||
      (a.district ?? '').localeCompare(b.district ?? '') ||
      a.unitCode.localeCompare(b.unitCode) ||
      a.subject.localeCompare(b.subject),
  );
}

/** The digest for one scope. `state` must have been computed from `records` and `pass`. */
export function buildDigest(
  campaign: Campaign,
  records: CampaignRecords,
  pass: Omit<HazardPass, 'spool'>,
  state: CampaignState,
  scope: DigestScope,
  options: { closing?: boolean } = {},
): Digest {
  const units = state.units.filter((u) => inScope(scope, u.unit.district));
  const byCode = new Map(units.map((u) => [u.unit.code, u]));
  const scopedRecords: CampaignRecords = {
    units: records.units.filter((u) => byCode.has(u.code)),
    pointers: records.pointers.filter((p) => byCode.has(p.unitCode)),
    zeroReports: records.zeroReports.filter((z) => byCode.has(z.unitCode)),
    bounces: records.bounces,
  };
  const tally = pass.tallies.get(scopeKey(scope));

  const progress = campaign.deliverables.map((d): DeliverableProgress => {
    const states = units.flatMap((u) => u.deliverables.filter((x) => x.deliverableId === d.id));
    const count = (kinds: DeliverableState['kind'][]) =>
      states.filter((s) => kinds.includes(s.state.kind)).length;
    return {
      deliverableId: d.id,
      name: d.name,
      dueDate: d.dueDate,
      required: states.length,
      onTime: count(['filed-on-time']),
      late: count(['filed-late']),
      pending: count(['due', 'due-today']),
      overdue: count(['overdue']),
    };
  });

  const deliverableName = new Map(campaign.deliverables.map((d) => [d.id, d.name]));
  const overdueUnits = units
    .map(
      (u): OverdueUnit => ({
        state: u,
        overdue: u.deliverables.flatMap((d) =>
          d.state.kind === 'overdue'
            ? [
                {
                  deliverableId: d.deliverableId,
                  name: deliverableName.get(d.deliverableId) ?? { zh: d.deliverableId, en: d.deliverableId },
                  days: d.state.days,
                },
              ]
            : [],
        ),
        overdueMajors: u.overdueMajors.length,
      }),
    )
    .filter((u) => u.overdue.length > 0 || u.overdueMajors > 0);
  const districts = [...new Set(overdueUnits.map((u) => u.state.unit.district))].sort(
    (a, b) => districtOrder(campaign, a) - districtOrder(campaign, b),
  );

  const areas = tally?.areas ?? emptyAreas(campaign);

  const closing = options.closing ?? false;
  return {
    scope,
    scopeName: scope.kind === 'office' ? WHOLE_CITY : districtName(campaign, scope.district),
    day: state.day,
    at: state.at,
    drive: state.drive,
    closing,
    progress,
    changes: changesOf(
      campaign,
      scopedRecords,
      byCode,
      state,
      pass.changes.filter((c) => byCode.has(c.unitCode)),
    ),
    overdueByDistrict: districts.map((district) => ({
      district,
      name: districtName(campaign, district),
      units: overdueUnits.filter((u) => u.state.unit.district === district),
    })),
    overdueMajors: pass.overdueMajors.filter((row) => byCode.has(row.unitCode)),
    areas,
    units,
    ledgerCount: tally?.ledgerCount ?? 0,
    stillOpen: tally?.stillOpen ?? { count: 0, rows: [] },
    neverFiled: closing
      ? campaign.deliverables.map((d) => ({
          deliverableId: d.id,
          name: d.name,
          units: units.filter((u) =>
            u.deliverables.some((x) => x.deliverableId === d.id && !isFiled(x.state)),
          ),
        }))
      : [],
    bounced: bouncedUnits(
      records.units.filter((u) => inScope(scope, u.district)),
      records.bounces,
    ),
  };
}

/** Districts in the campaign's order; the affiliated units last. */
function districtOrder(campaign: Campaign, district: string | null): number {
  if (district === null) return campaign.districts.length;
  const index = campaign.districts.findIndex((d) => d.code === district);
  return index < 0 ? campaign.districts.length - 0.5 : index;
}
