import type { Campaign } from '../../../../schemas/campaign.ts';
import type { Label } from '../../../../schemas/primitives.ts';
import { type DeliverableState, isFiledState } from '../calendar/deadlines.ts';
import { bouncedUnits } from '../delivery/mail-bounces.ts';
import { inSanctionOrder } from '../sanctions/sanctions.ts';
import { emptyAreas, scopeKey } from './hazard-pass.ts';
import type {
  CampaignSnapshot,
  ChangeKind,
  DeliverableProgress,
  Digest,
  DigestScope,
  OverdueUnit,
  SanctionRow,
  UnitState,
} from './model.ts';

/**
 * The daily digest of one scope, as plain data (`Digest`), derived from one `CampaignSnapshot`;
 * no I/O, no rendering.
 */

/** What each kind of change is called in the digest's mail and spreadsheet. */
export const CHANGE_LABELS: Record<ChangeKind, Label> = {
  filed: { zh: '首次报送', en: 'filed' },
  refiled: { zh: '重新报送', en: 'filed again' },
  'sent-back': { zh: '退回修改', en: 'sent back for changes' },
  'became-overdue': { zh: '材料逾期', en: 'deliverable became overdue' },
  'hazard-reported': { zh: '新报隐患', en: 'hazard reported' },
  'acceptance-requested': { zh: '申请验收', en: 'acceptance requested' },
  'hazard-closed': { zh: '隐患销号', en: 'hazard closed out' },
  'hazard-withdrawn': { zh: '隐患上报已撤回', en: 'hazard report withdrawn' },
  'major-became-overdue': { zh: '重大隐患逾期', en: 'major hazard became overdue' },
  'sanction-recorded': { zh: '约谈/通报', en: 'summons or circular recorded' },
};

export const AFFILIATED: Label = { zh: '市直属单位', en: 'Directly affiliated units' };
export const WHOLE_CITY: Label = { zh: '全市', en: 'Whole city' };

export function districtName(campaign: Campaign, district: string | null): Label {
  if (district === null) return AFFILIATED;
  return campaign.districts.find((d) => d.code === district)?.name ?? { zh: district, en: district };
}

export function inScope(scope: DigestScope, district: string | null): boolean {
  return scope.kind === 'office' || district === scope.district;
}

/**
 * Per deliverable: how many of `units` owe it, and where they stand. A sent-back deliverable is
 * counted apart (`sentBack`), in neither on time nor late: it is not accepted until filed again.
 */
export function progressOf(
  campaign: Campaign,
  units: readonly Pick<UnitState, 'deliverables'>[],
): DeliverableProgress[] {
  return campaign.deliverables.map((d): DeliverableProgress => {
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
      accepted: states.filter((s) => isFiledState(s.state) && s.state.accepted !== undefined).length,
      sentBack: count(['sent-back']),
      pending: count(['due', 'due-today']),
      overdue: count(['overdue']),
    };
  });
}

/** Units with a deliverable or a major hazard overdue, grouped by district in the campaign's order. */
function overdueByDistrict(campaign: Campaign, units: readonly UnitState[]): Digest['overdueByDistrict'] {
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
  return districts.map((district) => ({
    district,
    name: districtName(campaign, district),
    units: overdueUnits.filter((u) => u.state.unit.district === district),
  }));
}

/**
 * Per deliverable, the units of `units` that never filed it (the closing report's list). A unit
 * whose filing was sent back and not filed again is listed too: it never filed an acceptable one.
 */
function neverFiled(campaign: Campaign, units: readonly UnitState[]): Digest['neverFiled'] {
  return campaign.deliverables.map((d) => ({
    deliverableId: d.id,
    name: d.name,
    units: units.filter((u) =>
      u.deliverables.some((x) => x.deliverableId === d.id && !isFiledState(x.state)),
    ),
  }));
}

/** The digest for one scope. */
export function buildDigest(
  snapshot: CampaignSnapshot,
  scope: DigestScope,
  options: { closing?: boolean } = {},
): Digest {
  const { campaign, state, hazards, records } = snapshot;
  const units = state.units.filter((u) => inScope(scope, u.unit.district));
  const codes = new Set(units.map((u) => u.unit.code));
  const tally = hazards.tallies.get(scopeKey(scope));
  const closing = options.closing ?? false;
  return {
    scope,
    scopeName: scope.kind === 'office' ? WHOLE_CITY : districtName(campaign, scope.district),
    day: state.day,
    at: state.at,
    drive: state.drive,
    closing,
    progress: progressOf(campaign, units),
    changes: snapshot.changes.filter((c) => codes.has(c.unitCode)),
    overdueByDistrict: overdueByDistrict(campaign, units),
    overdueMajors: hazards.overdueMajors.filter((row) => codes.has(row.unitCode)),
    areas: tally?.areas ?? emptyAreas(campaign),
    units,
    ledgerCount: tally?.ledgerCount ?? 0,
    stillOpen: tally?.stillOpen ?? { count: 0, rows: [] },
    neverFiled: closing ? neverFiled(campaign, units) : [],
    bounced: bouncedUnits(
      records.units.filter((u) => inScope(scope, u.district)),
      records.bounces,
    ),
    sanctions: sanctionRows(records, codes),
  };
}

/** The decisions against `codes`' units, in list order, with the units' names. */
function sanctionRows(records: CampaignSnapshot['records'], codes: ReadonlySet<string>): SanctionRow[] {
  const names = new Map(records.units.map((u) => [u.code, u.name]));
  return inSanctionOrder(
    records.sanctions
      .filter((s) => codes.has(s.unitCode))
      .map((s) => ({ ...s, unitName: names.get(s.unitCode) ?? s.unitCode })),
  );
}

/** Districts in the campaign's order; the affiliated units last. */
function districtOrder(campaign: Campaign, district: string | null): number {
  if (district === null) return campaign.districts.length;
  const index = campaign.districts.findIndex((d) => d.code === district);
  return index < 0 ? campaign.districts.length - 0.5 : index;
}
