import type { Campaign, HazardAreaId } from '../../../../schemas/campaign.ts';
import { type Label, UNIT_TYPE_LABELS, type UnitType } from '../../../../schemas/primitives.ts';
import type { FieldIssue } from '../../../../schemas/validation.ts';
import { addDays, daysBetween, type LocalDate, localDateOf } from '../calendar/calendar.ts';
import { type DeliverableState, daysBehind } from '../calendar/deadlines.ts';
import { ValidationError } from '../errors.ts';
import { type DashboardFigures, type DashboardUnit, figuresOfSnapshot } from './dashboard-figures.ts';
import { districtName } from './digest.ts';
import { ledgerBucket, scopeKey } from './hazard-pass.ts';
import type {
  AreaCount,
  CampaignSnapshot,
  DeliverableProgress,
  Digest,
  DigestScope,
  LedgerRow,
  LedgerSpool,
  UnitState,
} from './model.ts';

/**
 * The supervisors' dashboard as plain data (issue 13): the units × deliverables matrix with its
 * filters, sort and pages, the hazards by area and the open major hazards, and the progress
 * series its charts draw. Every figure is read from `buildDigest(snapshot, scope)` (or, for the
 * series and the list of open majors, from the same snapshot's records and ledger spool), so the
 * page, the morning's mail and its spreadsheet agree at the same instant by construction. No I/O
 * but the spool the snapshot was loaded with; no rendering.
 */

/** Rows of the matrix, and of the open major hazards, per page. */
export const PAGE_SIZE = 50;

export const SORTS = ['lateness', 'code', 'name', 'district'] as const;
export type DashboardSort = (typeof SORTS)[number];

/** The states a cell can be filtered by; `due` takes in `due-today`. */
export const STATE_FILTERS = ['due', 'overdue', 'filed-on-time', 'filed-late', 'sent-back'] as const;
export type StateFilter = (typeof STATE_FILTERS)[number];

/** The district filter's value for the directly affiliated units (no district). */
export const AFFILIATED_FILTER = 'affiliated';

const UNIT_TYPES = ['district-bureau', 'affiliated-unit', 'school'] as const satisfies readonly UnitType[];

/** The longest search text taken (a unit name or code is far shorter). */
export const MAX_SEARCH = 100;

/** What the page was asked for: filters, sort and page of the matrix and of the major hazards. */
export interface DashboardQuery {
  /** A district code, `AFFILIATED_FILTER`, or undefined for all (the office only). */
  district?: string;
  type?: UnitType;
  state?: StateFilter;
  /** The deliverable the state filter looks at; any deliverable when absent. */
  deliverable?: string;
  /** Search in unit names and codes (the matrix). */
  q: string;
  sort: DashboardSort;
  page: number;
  /** The major hazards' own filters: area, overdue only, and search in ids, titles and units. */
  area?: HazardAreaId;
  overdueOnly: boolean;
  hq: string;
  hpage: number;
}

export const DEFAULT_QUERY: DashboardQuery = {
  q: '',
  sort: 'lateness',
  page: 1,
  overdueOnly: false,
  hq: '',
  hpage: 1,
};

function issue(path: string, value: unknown, zh: string, en: string): FieldIssue {
  return { path, value, zh, en, code: `dashboard.${path}` };
}

function pageNumber(path: string, text: string | undefined, issues: FieldIssue[]): number {
  if (text === undefined || text === '') return 1;
  if (!/^\d{1,6}$/.test(text) || Number(text) < 1) {
    issues.push(
      issue(
        path,
        text,
        `页码应为正整数，收到“${text}”`,
        `the page must be a whole number from 1, got "${text}"`,
      ),
    );
    return 1;
  }
  return Number(text);
}

function searchText(path: string, text: string | undefined, issues: FieldIssue[]): string {
  const trimmed = (text ?? '').trim();
  if (trimmed.length > MAX_SEARCH) {
    issues.push(
      issue(
        path,
        text,
        `搜索内容不超过 ${MAX_SEARCH} 个字符，收到 ${trimmed.length} 个`,
        `search for at most ${MAX_SEARCH} characters, got ${trimmed.length}`,
      ),
    );
    return '';
  }
  return trimmed;
}

/**
 * The query string's filters, checked against the campaign and the scope. Empty values mean "all";
 * a value the page never offers (an unknown district, a district outside a bureau's own) is a
 * `ValidationError` naming the field and the value, never silently widened.
 */
export function parseDashboardQuery(
  params: Readonly<Record<string, string | undefined>>,
  campaign: Campaign,
  scope: DigestScope,
): DashboardQuery {
  const issues: FieldIssue[] = [];
  const query: DashboardQuery = { ...DEFAULT_QUERY };
  const value = (name: string) => {
    const v = params[name]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };

  const district = value('district');
  if (district !== undefined) {
    const known = district === AFFILIATED_FILTER || campaign.districts.some((d) => d.code === district);
    if (scope.kind === 'district' && district !== scope.district)
      issues.push(
        issue(
          'district',
          district,
          `只能查看本区县（${scope.district}）的单位，收到“${district}”`,
          `you see only your own district (${scope.district}), got "${district}"`,
        ),
      );
    else if (!known)
      issues.push(
        issue('district', district, `没有这个区县：“${district}”`, `no such district: "${district}"`),
      );
    else query.district = district;
  }

  const type = value('type');
  if (type !== undefined) {
    if ((UNIT_TYPES as readonly string[]).includes(type)) query.type = type as UnitType;
    else issues.push(issue('type', type, `没有这个单位类型：“${type}”`, `no such unit type: "${type}"`));
  }

  const state = value('state');
  if (state !== undefined) {
    if ((STATE_FILTERS as readonly string[]).includes(state)) query.state = state as StateFilter;
    else
      issues.push(issue('state', state, `没有这个报送状态：“${state}”`, `no such filing state: "${state}"`));
  }

  const deliverable = value('deliverable');
  if (deliverable !== undefined) {
    if (campaign.deliverables.some((d) => d.id === deliverable)) query.deliverable = deliverable;
    else
      issues.push(
        issue(
          'deliverable',
          deliverable,
          `没有这项材料：“${deliverable}”`,
          `no such deliverable: "${deliverable}"`,
        ),
      );
  }

  const sort = value('sort');
  if (sort !== undefined) {
    if ((SORTS as readonly string[]).includes(sort)) query.sort = sort as DashboardSort;
    else issues.push(issue('sort', sort, `不能按“${sort}”排序`, `cannot sort by "${sort}"`));
  }

  const area = value('area');
  if (area !== undefined) {
    if (campaign.hazardDrive.areas.some((a) => a.id === area)) query.area = area as HazardAreaId;
    else issues.push(issue('area', area, `没有这个隐患类别：“${area}”`, `no such hazard area: "${area}"`));
  }

  const overdue = value('overdue');
  if (overdue !== undefined) {
    if (overdue === '1') query.overdueOnly = true;
    else
      issues.push(
        issue(
          'overdue',
          overdue,
          `“仅逾期”应为 1，收到“${overdue}”`,
          `"overdue only" is 1, got "${overdue}"`,
        ),
      );
  }

  query.q = searchText('q', params.q, issues);
  query.hq = searchText('hq', params.hq, issues);
  query.page = pageNumber('page', value('page'), issues);
  query.hpage = pageNumber('hpage', value('hpage'), issues);

  if (issues.length > 0)
    throw new ValidationError(issues, { zh: '筛选条件有误', en: 'The filters are invalid' });
  return query;
}

/** The query as a query string (without `?`), defaults left out, `changes` applied: for links that keep the filters. */
export function dashboardParams(
  query: DashboardQuery,
  changes: Partial<DashboardQuery> = {},
): URLSearchParams {
  const q = { ...query, ...changes };
  const params = new URLSearchParams();
  const put = (name: string, value: string | undefined, fallback?: string) => {
    if (value !== undefined && value !== '' && value !== fallback) params.set(name, value);
  };
  put('district', q.district);
  put('type', q.type);
  put('state', q.state);
  put('deliverable', q.deliverable);
  put('q', q.q);
  put('sort', q.sort, DEFAULT_QUERY.sort);
  put('page', String(q.page), '1');
  put('area', q.area);
  put('overdue', q.overdueOnly ? '1' : undefined);
  put('hq', q.hq);
  put('hpage', String(q.hpage), '1');
  return params;
}

/** How a cell reads: the state in words and a tone for its colour (the words alone suffice). */
export type CellTone = 'ok' | 'late' | 'bad' | 'warn' | 'pending' | 'none';
export type CellKind = DeliverableState['kind'] | 'not-required';

export interface MatrixCell {
  deliverableId: string;
  kind: CellKind;
  label: Label;
  tone: CellTone;
  /** When the first version was filed (ISO), for a filed cell. */
  filedAt: string | null;
  /** Days late (filed late), overdue (not filed) or left (not yet due); null otherwise. */
  days: number | null;
}

export interface MatrixRow {
  unit: UnitState['unit'];
  districtName: Label;
  cells: MatrixCell[];
  /** The most days any of its deliverables is (or was filed) late; 0 when none. */
  lateness: number;
  openHazards: UnitState['openHazards'];
  overdueMajors: number;
}

/** A cell's words and tone. */
export function matrixCell(deliverableId: string, state: DeliverableState | null): MatrixCell {
  const base = { deliverableId, filedAt: null, days: null };
  if (state === null)
    return { ...base, kind: 'not-required', tone: 'none', label: { zh: '无需报送', en: 'not required' } };
  switch (state.kind) {
    case 'due':
      return {
        ...base,
        kind: state.kind,
        tone: 'pending',
        days: state.days,
        label: { zh: `未报·还剩${state.days}天`, en: `not filed · ${state.days} d left` },
      };
    case 'due-today':
      return {
        ...base,
        kind: state.kind,
        tone: 'warn',
        days: 0,
        label: { zh: '未报·今天截止', en: 'not filed · due today' },
      };
    case 'overdue':
      return {
        ...base,
        kind: state.kind,
        tone: 'bad',
        days: state.days,
        label: { zh: `逾期未报${state.days}天`, en: `not filed · ${state.days} d overdue` },
      };
    case 'filed-on-time':
      return {
        ...base,
        kind: state.kind,
        tone: 'ok',
        filedAt: state.filedAt,
        label: state.accepted
          ? { zh: '按时报送·审核通过', en: 'filed on time · accepted' }
          : { zh: '按时报送', en: 'filed on time' },
      };
    case 'filed-late':
      return {
        ...base,
        kind: state.kind,
        tone: 'late',
        filedAt: state.filedAt,
        days: state.days,
        label: state.accepted
          ? { zh: `逾期报送·迟${state.days}天·审核通过`, en: `filed ${state.days} d late · accepted` }
          : { zh: `逾期报送·迟${state.days}天`, en: `filed ${state.days} d late` },
      };
    case 'sent-back':
      return {
        ...base,
        kind: state.kind,
        tone: 'bad',
        filedAt: state.filedAt,
        label: { zh: `退回修改·第${state.version}版`, en: `sent back · version ${state.version}` },
      };
  }
}

/** The most days the unit is (or was, filing late) behind on any deliverable; sent back counts (`daysBehind`). */
export function lateness(unit: Pick<DashboardUnit, 'deliverables'>, today: LocalDate): number {
  let most = 0;
  for (const d of unit.deliverables)
    most = Math.max(
      most,
      d.state.kind === 'filed-late' ? d.state.days : daysBehind(d.dueDate, d.state, today),
    );
  return most;
}

/** Whether a deliverable in state `kind` passes the state filter. */
export function matchesState(kind: DeliverableState['kind'], filter: StateFilter): boolean {
  return filter === 'due' ? kind === 'due' || kind === 'due-today' : kind === filter;
}

/** Lower case, full-width letters and digits folded, for search. */
function fold(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

/** Whether search text `q` (empty: anything) occurs in one of `texts`, case and width folded. */
export function matchesText(q: string, texts: readonly string[]): boolean {
  if (q === '') return true;
  const folded = fold(q);
  return texts.some((text) => fold(text).includes(folded));
}

/** Whether a unit passes the matrix's filters. */
function unitMatches(unit: DashboardUnit, query: DashboardQuery): boolean {
  if (query.district !== undefined) {
    const wanted = query.district === AFFILIATED_FILTER ? null : query.district;
    if (unit.unit.district !== wanted) return false;
  }
  if (query.type !== undefined && unit.unit.type !== query.type) return false;
  const filter = query.state;
  if (filter !== undefined) {
    const states = unit.deliverables.filter(
      (d) => query.deliverable === undefined || d.deliverableId === query.deliverable,
    );
    if (!states.some((d) => matchesState(d.state.kind, filter))) return false;
  }
  return matchesText(query.q, [unit.unit.name, unit.unit.code]);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The matrix's sort: each ends on the unit code, so a page is stable. */
function sorter(campaign: Campaign, sort: DashboardSort): (a: MatrixRow, b: MatrixRow) => number {
  const rank = (district: string | null) => districtRank(campaign, district);
  const byCode = (a: MatrixRow, b: MatrixRow) => compareText(a.unit.code, b.unit.code);
  switch (sort) {
    case 'code':
      return byCode;
    case 'name':
      return (a, b) => a.unit.name.localeCompare(b.unit.name, 'zh-CN') || byCode(a, b);
    case 'district':
      return (a, b) => rank(a.unit.district) - rank(b.unit.district) || byCode(a, b);
    case 'lateness':
      return (a, b) =>
        b.lateness - a.lateness || rank(a.unit.district) - rank(b.unit.district) || byCode(a, b);
  }
}

export interface Paged<T> {
  rows: T[];
  /** Rows that passed the filters, on every page. */
  total: number;
  page: number;
  pages: number;
}

/** One page of `rows`; a page past the last shows the last. */
export function pageOf<T>(rows: readonly T[], page: number, size = PAGE_SIZE): Paged<T> {
  const pages = Math.max(1, Math.ceil(rows.length / size));
  const current = Math.min(Math.max(1, page), pages);
  return { rows: rows.slice((current - 1) * size, current * size), total: rows.length, page: current, pages };
}

/** The matrix rows of the scope's units that pass the filters, sorted. */
export function matrixRows(
  campaign: Campaign,
  figures: Pick<DashboardFigures, 'units' | 'day'>,
  query: DashboardQuery,
): MatrixRow[] {
  return figures.units
    .filter((u) => unitMatches(u, query))
    .map((u) => matrixRow(campaign, u, figures.day))
    .sort(sorter(campaign, query.sort));
}

/** One unit's row of the matrix on campaign day `day`. */
export function matrixRow(campaign: Campaign, u: DashboardUnit, day: LocalDate): MatrixRow {
  const byId = new Map(u.deliverables.map((d) => [d.deliverableId, d.state]));
  return {
    unit: u.unit,
    districtName: districtName(campaign, u.unit.district),
    cells: campaign.deliverables.map((d) => matrixCell(d.id, byId.get(d.id) ?? null)),
    lateness: lateness(u, day),
    openHazards: u.openHazards,
    overdueMajors: u.overdueMajors,
  };
}

/** Where the matrix's default order puts a district: the campaign's order, then the directly affiliated. */
export function districtRank(campaign: Campaign, district: string | null): number {
  const index = campaign.districts.findIndex((d) => d.code === district);
  return district === null ? campaign.districts.length + 1 : index < 0 ? campaign.districts.length : index;
}

/** An open major hazard as the list shows it. */
export interface MajorRow {
  row: LedgerRow;
  areaName: Label;
  districtName: Label;
  /** Days past its supervision deadline (counted as the digest's spreadsheet counts them); null when not overdue. */
  overdueDays: number | null;
}

/**
 * The open major hazards of `scope`, in ledger order, read from the snapshot's spool: the ledger
 * puts them first, so reading stops at the first row that is not one.
 */
export async function* openMajors(spool: LedgerSpool, scope: DigestScope): AsyncIterable<LedgerRow> {
  for await (const row of spool.rows(scopeKey(scope))) {
    if (ledgerBucket(row) !== 0) return;
    yield row;
  }
}

function majorRow(campaign: Campaign, day: LocalDate, row: LedgerRow): MajorRow {
  const area = campaign.hazardDrive.areas.find((a) => a.id === row.area);
  return {
    row,
    areaName: area?.name ?? { zh: row.area, en: row.area },
    districtName: districtName(campaign, row.district),
    overdueDays: row.overdue && row.deadline !== null ? daysBetween(row.deadline, day) : null,
  };
}

/** Whether the major hazards' list is filtered at all (area, overdue only, or search). */
function majorsFiltered(query: DashboardQuery): boolean {
  return query.area !== undefined || query.overdueOnly || query.hq !== '';
}

/**
 * The page of the open major hazards the query asks for, from `rows` (the scope's open major
 * hazards in ledger order) and `total` (how many there are). Unfiltered, the rows are read only
 * as far as the page: the first page of a province's thousands reads fifty. Filtered, all are
 * read, since the count of matches is on the page.
 */
export async function majorsPage(
  campaign: Campaign,
  day: LocalDate,
  rows: AsyncIterable<LedgerRow> | Iterable<LedgerRow>,
  query: DashboardQuery,
  total: number,
): Promise<Paged<MajorRow>> {
  if (majorsFiltered(query)) {
    const matching: MajorRow[] = [];
    for await (const row of rows) {
      if (query.area !== undefined && row.area !== query.area) continue;
      if (query.overdueOnly && !row.overdue) continue;
      if (!matchesText(query.hq, [row.id, row.title, row.unitCode, row.unitName])) continue;
      matching.push(majorRow(campaign, day, row));
    }
    return pageOf(matching, query.hpage);
  }
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const page = Math.min(Math.max(1, query.hpage), pages);
  const from = (page - 1) * PAGE_SIZE;
  const shown: MajorRow[] = [];
  let index = 0;
  for await (const row of rows) {
    if (index >= from + PAGE_SIZE) break;
    if (index >= from) shown.push(majorRow(campaign, day, row));
    index += 1;
  }
  return { rows: shown, total, page, pages };
}

/** One deliverable's filings per campaign day, cumulative, against how many owe it. */
export interface ProgressSeries {
  deliverableId: string;
  name: Label;
  dueDate: LocalDate;
  required: number;
  /** Campaign days from the opening (or the first filing, if earlier) to the snapshot's day. */
  days: LocalDate[];
  /** Units in scope that had filed by the end of each day (by the end of `at` on the last). */
  cumulative: number[];
}

/**
 * The progress series of each deliverable in the figures' scope, from the pointers'
 * `firstReceivedAt`. Only filings at or before the figures' instant count, so the last point
 * is the digest's on-time plus late count.
 */
export function progressSeries(
  figures: Pick<DashboardFigures, 'campaign' | 'instant' | 'units' | 'progress' | 'day' | 'pointers'>,
): ProgressSeries[] {
  const { campaign } = figures;
  const zone = campaign.timeZone;
  const atMs = figures.instant.at.getTime();
  return figures.progress.map((p: DeliverableProgress): ProgressSeries => {
    // A filing sent back for changes is not counted as filed, as in the digest's progress.
    const owing = new Set(
      figures.units
        .filter((u) =>
          u.deliverables.some((d) => d.deliverableId === p.deliverableId && d.state.kind !== 'sent-back'),
        )
        .map((u) => u.unit.code),
    );
    const byDay = new Map<LocalDate, number>();
    for (const ptr of figures.pointers) {
      if (ptr.deliverableId !== p.deliverableId || !owing.has(ptr.unitCode)) continue;
      if (Date.parse(ptr.firstReceivedAt) > atMs) continue;
      const day = localDateOf(new Date(ptr.firstReceivedAt), zone);
      byDay.set(day, (byDay.get(day) ?? 0) + 1);
    }
    return cumulativeSeries(campaign, figures.day, p, byDay);
  });
}

/** One deliverable's series from its filings counted by the day of their first filing. */
export function cumulativeSeries(
  campaign: Campaign,
  today: LocalDate,
  p: Pick<DeliverableProgress, 'deliverableId' | 'name' | 'dueDate' | 'required'>,
  byDay: ReadonlyMap<LocalDate, number>,
): ProgressSeries {
  const filedDays = [...byDay.keys()].filter((day) => (byDay.get(day) ?? 0) > 0).sort();
  const first = filedDays[0];
  const start = first !== undefined && first < campaign.opensOn ? first : campaign.opensOn;
  const count = Math.max(0, daysBetween(start, today)) + 1;
  const days = Array.from({ length: count }, (_, i) => addDays(start, i));
  const cumulative: number[] = [];
  let sum = 0;
  let i = 0;
  for (const day of days) {
    for (; i < filedDays.length && (filedDays[i] as LocalDate) <= day; i += 1)
      sum += byDay.get(filedDays[i] as LocalDate) ?? 0;
    cumulative.push(sum);
  }
  return {
    deliverableId: p.deliverableId,
    name: p.name,
    dueDate: p.dueDate,
    required: p.required,
    days,
    cumulative,
  };
}

export interface DashboardView {
  scope: DigestScope;
  scopeName: Label;
  day: LocalDate;
  at: string;
  drive: Digest['drive'];
  query: DashboardQuery;
  /** The scope's progress per deliverable, exactly as the digest has it (the filters do not change it). */
  progress: DeliverableProgress[];
  /** Units the matrix would show unfiltered (the scope's units, as in the digest). */
  unitCount: number;
  matrix: Paged<MatrixRow>;
  /** Hazards by area and level, open and closed, as in the digest. */
  areas: AreaCount[];
  /** How many hazards the scope's ledger holds, and how many are open, as in the digest. */
  ledgerCount: number;
  openCount: number;
  /** Open major hazards past their deadline in scope, as the digest counts them. */
  overdueMajorCount: number;
  /** All open major hazards in scope (before the list's filters). */
  openMajorCount: number;
  majors: Paged<MajorRow>;
  series: ProgressSeries[];
  /** The filters the page offers: districts (the office only) and deliverables. */
  options: { districts: { code: string; name: Label }[]; unitTypes: { id: UnitType; name: Label }[] };
}

/** All open major hazards in the figures' scope: those counted in the areas' open majors. */
export function openMajorCount(figures: Pick<DashboardFigures, 'areas'>): number {
  return figures.areas.reduce((sum, area) => sum + area.open.major, 0);
}

/**
 * What the page's figures are drawn from, whatever read them: the scope's figures without its
 * units, the count of its units and the progress series.
 */
export type DashboardTotals = Omit<DashboardFigures, 'units' | 'pointers'> & {
  unitCount: number;
  series: ProgressSeries[];
};

/** The totals of figures that hold every unit and filing of the scope. */
export function totalsOf(figures: DashboardFigures): DashboardTotals {
  const { units, pointers: _pointers, ...rest } = figures;
  return { ...rest, unitCount: units.length, series: progressSeries(figures) };
}

/** The dashboard of figures that hold every unit of the scope: the matrix sorted and paged here. */
export function dashboardOfFigures(
  figures: DashboardFigures,
  query: DashboardQuery,
  majors: Paged<MajorRow>,
): DashboardView {
  return buildDashboard(
    totalsOf(figures),
    query,
    pageOf(matrixRows(figures.campaign, figures, query), query.page),
    majors,
  );
}

/**
 * The dashboard of `totals`, with `matrix` the page of the matrix the query asks for and `majors`
 * the page of the open major hazards (`majorsPage`).
 */
export function buildDashboard(
  totals: DashboardTotals,
  query: DashboardQuery,
  matrix: Paged<MatrixRow>,
  majors: Paged<MajorRow>,
): DashboardView {
  const { campaign, scope } = totals;
  return {
    scope,
    scopeName: totals.scopeName,
    day: totals.day,
    at: totals.instant.iso,
    drive: totals.drive,
    query,
    progress: totals.progress,
    unitCount: totals.unitCount,
    matrix,
    areas: totals.areas,
    ledgerCount: totals.ledgerCount,
    openCount: totals.openCount,
    overdueMajorCount: totals.overdueMajorCount,
    openMajorCount: openMajorCount(totals),
    majors,
    series: totals.series,
    options: {
      districts:
        scope.kind === 'office'
          ? [
              ...campaign.districts.map((d) => ({ code: d.code, name: d.name })),
              { code: AFFILIATED_FILTER, name: districtName(campaign, null) },
            ]
          : [],
      unitTypes: UNIT_TYPES.map((id) => ({ id, name: UNIT_TYPE_LABELS[id] })),
    },
  };
}

/** The dashboard from a full snapshot: the digest's figures, the major hazards from its spool. */
export async function dashboardOfSnapshot(
  snapshot: CampaignSnapshot,
  scope: DigestScope,
  query: DashboardQuery,
): Promise<DashboardView> {
  const figures = figuresOfSnapshot(snapshot, scope);
  const majors = await majorsPage(
    snapshot.campaign,
    figures.day,
    openMajors(snapshot.hazards.spool, scope),
    query,
    openMajorCount(figures),
  );
  return dashboardOfFigures(figures, query, majors);
}

/** The scope a supervising body sees: the city office the whole city, a district bureau its district. */
export function scopeOfBody(body: { type: UnitType; district: string | null }): DigestScope | null {
  if (body.type === 'city-office') return { kind: 'office' };
  if (body.type === 'district-bureau' && body.district !== null)
    return { kind: 'district', district: body.district };
  return null;
}
