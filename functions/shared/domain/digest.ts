import type { Campaign, HazardAreaId, HazardLevelId } from '../../../schemas/campaign.ts';
import type { Label } from '../../../schemas/primitives.ts';
import type { HazardRecord, SubmissionPointer, UnitRecord, ZeroReport } from '../../../schemas/records.ts';
import { addDays, type LocalDate } from './calendar.ts';
import { type CampaignState, campaignState, type UnitInputs, type UnitState } from './campaign-state.ts';
import type { DeliverableState } from './deadlines.ts';
import { hazardDeadline } from './hazard-lifecycle.ts';

/**
 * The daily digest as plain data: what the office (or one district bureau) reads each morning.
 * The HTML, text and xlsx renderers only lay this out, so they never disagree. Built from one
 * `CampaignState` and the records it came from; no I/O.
 */
export type DigestScope = { kind: 'office' } | { kind: 'district'; district: string };

/** Everything the daily check reads, once, for all scopes. */
export interface CampaignRecords {
  units: UnitRecord[];
  pointers: SubmissionPointer[];
  hazards: HazardRecord[];
  zeroReports: ZeroReport[];
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
  /** Every hazard in scope: major first, then open before closed, then by unit and id. */
  ledger: LedgerRow[];
  /** Units that never filed a deliverable they owed, per deliverable (filled in on the closing report). */
  neverFiled: { deliverableId: string; name: Label; units: UnitState[] }[];
}

export const AFFILIATED: Label = { zh: '市直属单位', en: 'Directly affiliated units' };
export const WHOLE_CITY: Label = { zh: '全市', en: 'Whole city' };

export function districtName(campaign: Campaign, district: string | null): Label {
  if (district === null) return AFFILIATED;
  return campaign.districts.find((d) => d.code === district)?.name ?? { zh: district, en: district };
}

/** Splits the records into each unit's inputs. The city office files and reports nothing, so it is left out. */
export function unitInputs(records: CampaignRecords): UnitInputs[] {
  const pointers = new Map<string, Map<string, SubmissionPointer>>();
  for (const p of records.pointers) {
    const mine = pointers.get(p.unitCode) ?? new Map<string, SubmissionPointer>();
    mine.set(p.deliverableId, p);
    pointers.set(p.unitCode, mine);
  }
  const hazards = new Map<string, HazardRecord[]>();
  for (const h of records.hazards) {
    const mine = hazards.get(h.unitCode);
    if (mine) mine.push(h);
    else hazards.set(h.unitCode, [h]);
  }
  const zero = new Map(records.zeroReports.map((z) => [z.unitCode, z]));
  return records.units
    .filter((unit) => unit.type !== 'city-office')
    .map((unit) => ({
      unit,
      pointers: pointers.get(unit.code) ?? new Map(),
      hazards: hazards.get(unit.code) ?? [],
      zeroReport: zero.get(unit.code) ?? null,
    }));
}

export function computeState(campaign: Campaign, records: CampaignRecords, at: Date): CampaignState {
  return campaignState(campaign, unitInputs(records), at);
}

function inScope(scope: DigestScope, district: string | null): boolean {
  return scope.kind === 'office' || district === scope.district;
}

function isFiled(state: DeliverableState): boolean {
  return state.kind === 'filed-on-time' || state.kind === 'filed-late';
}

function ledgerRow(hazard: HazardRecord, unitName: string, overdue: ReadonlySet<string>): LedgerRow {
  const five = hazard.report.five;
  return {
    id: hazard.id,
    unitCode: hazard.unitCode,
    unitName,
    district: hazard.district,
    area: hazard.area,
    level: hazard.level,
    status: hazard.status,
    title: hazard.title,
    description: hazard.report.description,
    location: hazard.report.location,
    foundOn: hazard.report.foundOn,
    fixedOnSpot: hazard.report.fixedOnSpot,
    owner: five ? `${five.owner.name}（${five.owner.role}）${five.owner.phone}` : '',
    measures: five?.measures ?? hazard.report.fixNote ?? '',
    fundsYuan: five?.funds.amountYuan ?? null,
    fundsSource: five?.funds.source ?? '',
    deadline: hazardDeadline(hazard),
    contingency:
      five?.contingency ?? (hazard.photos.some((p) => p.kind === 'plan') ? '（见附件 / attached）' : ''),
    supervisor: hazard.supervision?.supervisorUnit ?? '',
    overdue: overdue.has(hazard.id),
    createdAt: hazard.createdAt,
    closedAt: hazard.closedAt ?? null,
  };
}

/** Codes and ids are ASCII: plain comparison orders them, several times faster than `localeCompare`. */
const compareAscii = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const byLedgerOrder = (a: LedgerRow, b: LedgerRow): number =>
  Number(b.level === 'major') - Number(a.level === 'major') ||
  Number(a.status === 'closed') - Number(b.status === 'closed') ||
  compareAscii(a.unitCode, b.unitCode) ||
  compareAscii(a.id, b.id);

/** What happened in the day before the check: the window (at − 24 h, at]. */
function changesOf(
  campaign: Campaign,
  records: CampaignRecords,
  units: ReadonlyMap<string, UnitState>,
  state: CampaignState,
): Change[] {
  const end = Date.parse(state.at);
  const start = end - 24 * 60 * 60 * 1000;
  const within = (iso: string | undefined) =>
    iso !== undefined && Date.parse(iso) > start && Date.parse(iso) <= end;
  const yesterday = addDays(state.day, -1);
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
  for (const h of records.hazards) {
    const unit = of(h.unitCode);
    if (!unit) continue;
    const base = {
      unitCode: unit.unit.code,
      unitName: unit.unit.name,
      district: unit.unit.district,
      subject: `${h.id} ${h.title}`,
      level: h.level,
    };
    if (within(h.createdAt)) changes.push({ ...base, kind: 'hazard-reported', at: h.createdAt });
    if (h.status === 'closed' && within(h.closedAt))
      changes.push({ ...base, kind: 'hazard-closed', ...(h.closedAt ? { at: h.closedAt } : {}) });
    else if (h.status === 'awaiting-acceptance' && within(h.rectification?.at))
      changes.push({
        ...base,
        kind: 'acceptance-requested',
        ...(h.rectification ? { at: h.rectification.at } : {}),
      });
    if (h.level === 'major' && h.status !== 'closed' && hazardDeadline(h) === yesterday)
      changes.push({ ...base, kind: 'major-became-overdue' });
  }
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

/** The digest for one scope. `state` must have been computed from `records`. */
export function buildDigest(
  campaign: Campaign,
  records: CampaignRecords,
  state: CampaignState,
  scope: DigestScope,
  options: { closing?: boolean } = {},
): Digest {
  const units = state.units.filter((u) => inScope(scope, u.unit.district));
  const byCode = new Map(units.map((u) => [u.unit.code, u]));
  const scopedRecords: CampaignRecords = {
    units: records.units.filter((u) => byCode.has(u.code)),
    pointers: records.pointers.filter((p) => byCode.has(p.unitCode)),
    hazards: records.hazards.filter((h) => byCode.has(h.unitCode)),
    zeroReports: records.zeroReports.filter((z) => byCode.has(z.unitCode)),
  };
  const overdueIds = new Set(units.flatMap((u) => u.overdueMajors));
  const ledger = scopedRecords.hazards
    .map((h) => ledgerRow(h, byCode.get(h.unitCode)?.unit.name ?? h.unitCode, overdueIds))
    .sort(byLedgerOrder);

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

  const areas = campaign.hazardDrive.areas.map(
    (area): AreaCount => ({
      area: area.id,
      name: area.name,
      open: { general: 0, major: 0 },
      closed: { general: 0, major: 0 },
    }),
  );
  const areaById = new Map(areas.map((a) => [a.area, a]));
  for (const row of ledger) {
    const count = areaById.get(row.area);
    if (count) count[row.status === 'closed' ? 'closed' : 'open'][row.level] += 1;
  }

  const closing = options.closing ?? false;
  return {
    scope,
    scopeName: scope.kind === 'office' ? WHOLE_CITY : districtName(campaign, scope.district),
    day: state.day,
    at: state.at,
    drive: state.drive,
    closing,
    progress,
    changes: changesOf(campaign, scopedRecords, byCode, state),
    overdueByDistrict: districts.map((district) => ({
      district,
      name: districtName(campaign, district),
      units: overdueUnits.filter((u) => u.state.unit.district === district),
    })),
    overdueMajors: ledger.filter((row) => row.overdue),
    areas,
    units,
    ledger,
    neverFiled: closing
      ? campaign.deliverables.map((d) => ({
          deliverableId: d.id,
          name: d.name,
          units: units.filter((u) =>
            u.deliverables.some((x) => x.deliverableId === d.id && !isFiled(x.state)),
          ),
        }))
      : [],
  };
}

/** Districts in the campaign's order; the affiliated units last. */
function districtOrder(campaign: Campaign, district: string | null): number {
  if (district === null) return campaign.districts.length;
  const index = campaign.districts.findIndex((d) => d.code === district);
  return index < 0 ? campaign.districts.length - 0.5 : index;
}
