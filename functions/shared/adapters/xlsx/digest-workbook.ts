import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { IANAZone } from 'luxon';
import type { Campaign, HazardLevelId } from '../../../../schemas/campaign.ts';
import { UNIT_TYPE_LABELS } from '../../../../schemas/primitives.ts';
import { daysBetween, type LocalDate } from '../../domain/calendar/calendar.ts';
import type { DeliverableState } from '../../domain/calendar/deadlines.ts';
import { BOUNCE_KIND_LABELS } from '../../domain/delivery/mail-bounces.ts';
import { STATUS_LABELS } from '../../domain/hazards/hazard-lifecycle.ts';
import { CHANGE_LABELS, districtName } from '../../domain/report/digest.ts';
import type { Digest, LedgerRow, UnitState } from '../../domain/report/model.ts';
import { SANCTION_KIND_LABELS } from '../../domain/sanctions/sanctions.ts';
import type { ScratchFile } from '../../ports.ts';

/**
 * The spreadsheet attached to the daily digest: an overview, every unit's filings, the hazard
 * ledger, what is overdue, what changed since yesterday, (on the closing report) who never
 * filed and (when there are any) the units whose contact address bounces. Written with exceljs's streaming writer, row by row, so a ledger of hundreds of
 * thousands of hazards never exists as a workbook object model; only the zipped bytes are kept.
 *
 * Every cell is a plain value: text that schools typed is written as a string cell (never a
 * formula), dates are real date cells. exceljs stores a `Date` by its UTC value, so a date cell
 * holds the wall-clock time on the campaign clock expressed as a UTC `Date`; the process time
 * zone never matters.
 */

export const DIGEST_SHEETS = {
  overview: '概况',
  filings: '报送情况',
  ledger: '隐患台账',
  overdue: '逾期事项',
  changes: '昨日以来变化',
  neverFiled: '从未报送',
  /** Only when some unit's contact address bounces. */
  bounced: '退信',
  sanctions: '约谈通报',
} as const;

const ZERO_REPORT_LABELS: Record<UnitState['zeroReport'], string> = {
  filed: '已报',
  withdrawn: '已撤回',
  none: '无',
};

/** Excel refuses a cell holding more characters than this. */
const MAX_CELL_TEXT = 32_767;
/**
 * Rows written between yields to the event loop. exceljs hands sheet XML to the zip stream
 * without backpressure, and deflate only progresses while the loop turns: yielding every 200
 * rows left ~400 MB of uncompressed XML queued for a 400,000-row ledger, every 10 rows keeps the
 * queue near empty at no cost in speed.
 */
const ROWS_PER_YIELD = 10;

// biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly the characters XML 1.0 forbids.
const ILLEGAL_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

/** Text as a cell may hold it: no characters XML forbids, no longer than Excel allows. */
export function cellString(text: string): string {
  const cleaned = text.replace(ILLEGAL_XML, '');
  if (cleaned.length <= MAX_CELL_TEXT) return cleaned;
  const cut = cleaned.slice(0, MAX_CELL_TEXT);
  // Do not leave half of a surrogate pair at the end.
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}

/** A campaign-calendar date (`YYYY-MM-DD`) as a date cell: midnight UTC of that day. */
export function localDateCell(date: LocalDate): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return null;
  const cell = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return Number.isNaN(cell.getTime()) ? null : cell;
}

const QUARTER_HOUR_MS = 15 * 60 * 1000;

/**
 * Turns instants (ISO strings) into date-time cells: the wall-clock time in `zone`, to the second,
 * expressed as a UTC `Date`. Zone offsets change only on quarter hours, so each quarter hour's
 * offset is looked up once: a ledger of 400,000 rows would otherwise spend seconds in the zone rules.
 */
export function instantCells(zone: string): (iso: string) => Date | null {
  const rules = IANAZone.create(zone);
  const offsets = new Map<number, number>();
  return (iso) => {
    const ms = Date.parse(iso);
    if (Number.isNaN(ms) || !rules.isValid) return null;
    const quarter = Math.floor(ms / QUARTER_HOUR_MS);
    let offset = offsets.get(quarter);
    if (offset === undefined) {
      offset = rules.offset(ms);
      offsets.set(quarter, offset);
    }
    const wall = ms + offset * 60_000;
    return new Date(wall - (((wall % 1000) + 1000) % 1000));
  };
}

/** One instant (ISO string) as a date-time cell: its wall-clock time in `zone`, to the second. */
export function instantCell(iso: string, zone: string): Date | null {
  return instantCells(zone)(iso);
}

type Value = string | number | Date | null | undefined;
type Kind = 'text' | 'wrap' | 'count' | 'date' | 'datetime' | 'money' | 'percent' | 'header';

const TOP: Partial<ExcelJS.Alignment> = { vertical: 'top' };

/**
 * One shared style object per kind of cell: exceljs caches a style's id by object identity, so
 * 400,000 rows cost a lookup per cell, not a serialisation. Never mutate these.
 */
const STYLES: Record<Kind, Partial<ExcelJS.Style>> = {
  text: { alignment: TOP },
  wrap: { alignment: { vertical: 'top', wrapText: true } },
  count: { alignment: TOP, numFmt: '0' },
  date: { alignment: TOP, numFmt: 'yyyy-mm-dd' },
  datetime: { alignment: TOP, numFmt: 'yyyy-mm-dd hh:mm' },
  money: { alignment: TOP, numFmt: '#,##0.00' },
  percent: { alignment: TOP, numFmt: '0.0%' },
  header: {
    font: { bold: true },
    fill: { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDDEBF7' } },
    alignment: { vertical: 'middle', wrapText: true },
    border: { bottom: { style: 'thin', color: { argb: 'FF9BB7D4' } } },
  },
};

interface Column {
  /** Chinese, then English on the next line. */
  header: string;
  width: number;
  kind: Kind;
}

const column = (zh: string, en: string, width: number, kind: Kind = 'text'): Column => ({
  header: zh || en ? `${zh}\n${en}` : '',
  width,
  kind,
});

/** Columns a line of text takes: CJK and full-width characters count twice. */
function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) width += (char.codePointAt(0) ?? 0) > 0x2e7f ? 2 : 1;
  return width;
}

/** Enough height for the longest header once it wraps in its column. */
function headerHeight(columns: readonly Column[]): number {
  const lines = columns.map((c) =>
    c.header
      .split('\n')
      .reduce((sum, line) => sum + Math.max(1, Math.ceil(displayWidth(line) / Math.max(1, c.width - 1))), 0),
  );
  return 15 * Math.max(2, ...lines) + 2;
}

const yieldToStream = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * One worksheet being streamed: a bold, frozen, filterable header row, then rows committed as
 * they are added. Rows cannot be revisited once added.
 */
class SheetWriter {
  private readonly sheet: ExcelJS.Worksheet;
  private nextRow = 2;
  private lastFilled = 1;

  constructor(
    workbook: ExcelJS.stream.xlsx.WorkbookWriter,
    name: string,
    private readonly columns: readonly Column[],
    /** How many of the first columns the autofilter spans (all by default). */
    private readonly filterColumns = columns.length,
  ) {
    // The streaming writer writes the sheet views when the sheet is added: they must be passed here.
    this.sheet = workbook.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
    this.sheet.columns = columns.map((c) => ({
      ...(c.header ? { header: cellString(c.header) } : {}),
      width: c.width,
    }));
    const header = this.sheet.getRow(1);
    header.height = headerHeight(columns);
    columns.forEach((_, index) => {
      header.getCell(index + 1).style = STYLES.header;
    });
    header.commit();
  }

  /** Adds and commits one row; `kinds` overrides the columns' kinds cell by cell. */
  async add(
    values: readonly Value[],
    kinds: readonly (Kind | undefined)[] = [],
    height?: number,
  ): Promise<void> {
    const row = this.sheet.getRow(this.nextRow);
    if (height !== undefined) row.height = height;
    let filled = false;
    values.forEach((value, index) => {
      if (value === null || value === undefined || value === '') return;
      if (typeof value === 'number' && !Number.isFinite(value)) return;
      const cell = row.getCell(index + 1);
      // A string is always a plain string cell: `=HYPERLINK(...)` typed by a school stays text.
      cell.value = typeof value === 'string' ? cellString(value) : value;
      cell.style = STYLES[kinds[index] ?? this.columns[index]?.kind ?? 'text'];
      filled = true;
    });
    row.commit();
    if (filled) this.lastFilled = this.nextRow;
    this.nextRow += 1;
    if (this.nextRow % ROWS_PER_YIELD === 0) await yieldToStream();
  }

  /** A gap between two blocks of rows. */
  skip(): void {
    this.nextRow += 1;
  }

  commit(): void {
    this.sheet.autoFilter = {
      from: { row: 1, column: 1 },
      to: { row: this.lastFilled, column: this.filterColumns },
    };
    this.sheet.commit();
  }
}

/** The district, code and name of a unit: how most sheets begin a row. */
const UNIT_COLUMNS: readonly Column[] = [
  column('区县', 'District', 12),
  column('单位代码', 'Unit code', 11),
  column('单位名称', 'Unit name', 28, 'wrap'),
];

/** A sheet of `columns` with one row of `cells(item)` per item of `items`, filtered as a table. */
async function writeTable<T>(
  workbook: ExcelJS.stream.xlsx.WorkbookWriter,
  name: string,
  columns: readonly Column[],
  items: AsyncIterable<T> | Iterable<T>,
  cells: (item: T) => readonly Value[],
): Promise<void> {
  const sheet = new SheetWriter(workbook, name, columns);
  for await (const item of items) await sheet.add(cells(item));
  sheet.commit();
}

/** Campaign labels looked up once, not once per ledger row. */
function lookups(campaign: Campaign) {
  const districts = new Map<string | null, string>([[null, districtName(campaign, null).zh]]);
  const district = (code: string | null): string => {
    let name = districts.get(code);
    if (name === undefined) {
      name = districtName(campaign, code).zh;
      districts.set(code, name);
    }
    return name;
  };
  const areas = new Map<string, string>(campaign.hazardDrive.areas.map((a) => [a.id, a.name.zh]));
  const levels = new Map<string, string>(campaign.hazardDrive.levels.map((l) => [l.id, l.name.zh]));
  return {
    district,
    /** Date-time cells on the campaign clock. */
    instant: instantCells(campaign.timeZone),
    area: (id: string) => areas.get(id) ?? id,
    level: (id: HazardLevelId) => levels.get(id) ?? id,
  };
}

type Lookups = ReturnType<typeof lookups>;

/** Districts in the campaign's order, unknown districts after them, the affiliated units last; then by code. */
function unitOrder(campaign: Campaign): (a: UnitState, b: UnitState) => number {
  const index = new Map(campaign.districts.map((d, i) => [d.code, i]));
  const rank = (district: string | null) =>
    district === null ? campaign.districts.length + 1 : (index.get(district) ?? campaign.districts.length);
  return (a, b) =>
    rank(a.unit.district) - rank(b.unit.district) ||
    (a.unit.code < b.unit.code ? -1 : a.unit.code > b.unit.code ? 1 : 0);
}

/** A deliverable's state in words, as the office reads it. */
export function deliverableStateText(state: DeliverableState): string {
  switch (state.kind) {
    case 'due':
      return `未到期·还剩${state.days}天`;
    case 'due-today':
      return '今天截止';
    case 'overdue':
      return `逾期${state.days}天`;
    case 'filed-on-time':
      return `按时报送${state.accepted ? '·审核通过' : ''}`;
    case 'filed-late':
      return `逾期报送(迟${state.days}天)${state.accepted ? '·审核通过' : ''}`;
    case 'sent-back':
      return `退回修改(第${state.version}版)`;
  }
}

const yesNo = (value: boolean) => (value ? '是' : '否');

async function writeOverview(
  workbook: ExcelJS.stream.xlsx.WorkbookWriter,
  campaign: Campaign,
  digest: Digest,
  names: Lookups,
): Promise<void> {
  const sheet = new SheetWriter(
    workbook,
    DIGEST_SHEETS.overview,
    [
      column('项目', 'Item', 36, 'wrap'),
      column('内容', 'Value', 16),
      column('', '', 14, 'count'),
      column('', '', 14, 'count'),
      column('', '', 14, 'count'),
      column('', '', 14, 'count'),
      column('', '', 14, 'count'),
      column('', '', 14, 'count'),
    ],
    2,
  );
  const { drive } = digest;
  await sheet.add(['活动名称 / Campaign', campaign.name.zh]);
  await sheet.add(['范围 / Scope', digest.scopeName.zh]);
  await sheet.add(['检查日期 / Check day', localDateCell(digest.day)], [undefined, 'date']);
  await sheet.add(['排查截止日期 / Drive closes on', localDateCell(drive.closesOn)], [undefined, 'date']);
  await sheet.add(['剩余天数 / Days left', drive.closed ? '已结束' : drive.daysLeft], [undefined, 'count']);
  sheet.skip();

  const heading = new Array<Kind>(10).fill('header');
  await sheet.add(
    [
      '材料 / Deliverable',
      '截止日期\nDue',
      '应报\nRequired',
      '按时报送\nOn time',
      '逾期报送\nLate',
      '未到期未报\nPending',
      '逾期未报\nOverdue',
      '报送率\nFiled %',
      '退回修改\nSent back',
      '审核通过\nAccepted',
    ],
    heading,
    32,
  );
  for (const p of digest.progress) {
    await sheet.add(
      [
        p.name.zh,
        localDateCell(p.dueDate),
        p.required,
        p.onTime,
        p.late,
        p.pending,
        p.overdue,
        p.required > 0 ? (p.onTime + p.late) / p.required : null,
        p.sentBack,
        p.accepted,
      ],
      [undefined, 'date', 'count', 'count', 'count', 'count', 'count', 'percent', 'count', 'count'],
    );
  }
  sheet.skip();

  const levels: HazardLevelId[] = ['general', 'major'];
  await sheet.add(
    [
      '隐患类别 / Area',
      ...levels.map((l) => `${names.level(l)}·未销号\nOpen`),
      ...levels.map((l) => `${names.level(l)}·已销号\nClosed`),
      '合计\nTotal',
    ],
    heading,
    47,
  );
  const total = { open: { general: 0, major: 0 }, closed: { general: 0, major: 0 } };
  for (const a of digest.areas) {
    const counts = [a.open.general, a.open.major, a.closed.general, a.closed.major];
    for (const l of levels) {
      total.open[l] += a.open[l];
      total.closed[l] += a.closed[l];
    }
    await sheet.add([a.name.zh, ...counts, counts.reduce((x, y) => x + y, 0)], [undefined, 'count']);
  }
  const sums = [total.open.general, total.open.major, total.closed.general, total.closed.major];
  await sheet.add(['合计 / Total', ...sums, sums.reduce((x, y) => x + y, 0)], [undefined, 'count']);
  sheet.commit();
}

async function writeFilings(
  workbook: ExcelJS.stream.xlsx.WorkbookWriter,
  campaign: Campaign,
  digest: Digest,
  names: Lookups,
): Promise<void> {
  const sheet = new SheetWriter(workbook, DIGEST_SHEETS.filings, [
    column('区县', 'District', 12),
    column('单位代码', 'Unit code', 11),
    column('单位名称', 'Unit name', 30, 'wrap'),
    column('单位类型', 'Unit type', 14),
    ...campaign.deliverables.flatMap((d) => [
      column(`${d.name.zh}·状态`, `${d.name.en}: state`, 20),
      column(`${d.name.zh}·报送时间`, `${d.name.en}: filed at`, 18, 'datetime'),
    ]),
    column('一般隐患(未销号)', 'Open general', 12, 'count'),
    column('重大隐患(未销号)', 'Open major', 12, 'count'),
    column('逾期重大隐患', 'Overdue majors', 12, 'count'),
    column('五落实不全', 'Missing five', 12, 'count'),
    column('待验收', 'Awaiting acceptance', 12, 'count'),
    column('零报告', 'Zero report', 10),
  ]);
  for (const u of [...digest.units].sort(unitOrder(campaign))) {
    const byId = new Map(u.deliverables.map((d) => [d.deliverableId, d.state]));
    await sheet.add([
      names.district(u.unit.district),
      u.unit.code,
      u.unit.name,
      UNIT_TYPE_LABELS[u.unit.type].zh,
      ...campaign.deliverables.flatMap((d): Value[] => {
        const state = byId.get(d.id);
        if (!state) return ['无需报送', null];
        const filedAt =
          state.kind === 'filed-on-time' || state.kind === 'filed-late' || state.kind === 'sent-back'
            ? names.instant(state.filedAt)
            : null;
        return [deliverableStateText(state), filedAt];
      }),
      u.openHazards.general,
      u.openHazards.major,
      u.overdueMajors.length,
      u.missingFive.length,
      u.awaitingAcceptance.length,
      ZERO_REPORT_LABELS[u.zeroReport],
    ]);
  }
  sheet.commit();
}

async function writeLedger(
  workbook: ExcelJS.stream.xlsx.WorkbookWriter,
  ledger: AsyncIterable<LedgerRow> | Iterable<LedgerRow>,
  names: Lookups,
): Promise<void> {
  await writeTable(
    workbook,
    DIGEST_SHEETS.ledger,
    [
      column('隐患编号', 'Hazard id', 16),
      column('区县', 'District', 10),
      column('单位代码', 'Unit code', 10),
      column('单位名称', 'Unit name', 24, 'wrap'),
      column('隐患类别', 'Area', 16, 'wrap'),
      column('隐患等级', 'Level', 14),
      column('状态', 'Status', 10),
      column('隐患名称', 'Title', 26, 'wrap'),
      column('隐患描述', 'Description', 40, 'wrap'),
      column('隐患位置', 'Location', 20, 'wrap'),
      column('发现日期', 'Found on', 12, 'date'),
      column('当场整改', 'Fixed on the spot', 10),
      column('责任人', 'Owner', 24, 'wrap'),
      column('整改措施', 'Measures', 36, 'wrap'),
      column('整改资金(元)', 'Funds (yuan)', 14, 'money'),
      column('资金来源', 'Funds source', 18, 'wrap'),
      column('整改时限', 'Deadline', 12, 'date'),
      column('应急预案', 'Contingency plan', 30, 'wrap'),
      column('督办单位', 'Supervisor', 12),
      column('是否逾期', 'Overdue', 9),
      column('上报时间', 'Reported at', 17, 'datetime'),
      column('销号时间', 'Closed at', 17, 'datetime'),
    ],
    ledger,
    (h) => [
      h.id,
      names.district(h.district),
      h.unitCode,
      h.unitName,
      names.area(h.area),
      names.level(h.level),
      STATUS_LABELS[h.status]?.zh ?? h.status,
      h.title,
      h.description,
      h.location,
      localDateCell(h.foundOn) ?? h.foundOn,
      yesNo(h.fixedOnSpot),
      h.owner,
      h.measures,
      h.fundsYuan,
      h.fundsSource,
      h.deadline === null ? null : (localDateCell(h.deadline) ?? h.deadline),
      h.contingency,
      h.supervisor,
      yesNo(h.overdue),
      names.instant(h.createdAt) ?? h.createdAt,
      h.closedAt === null ? null : (names.instant(h.closedAt) ?? h.closedAt),
    ],
  );
}

async function writeOverdue(
  workbook: ExcelJS.stream.xlsx.WorkbookWriter,
  campaign: Campaign,
  digest: Digest,
  names: Lookups,
): Promise<void> {
  const sheet = new SheetWriter(workbook, DIGEST_SHEETS.overdue, [
    column('类型', 'Kind', 14),
    ...UNIT_COLUMNS,
    column('事项', 'Item', 40, 'wrap'),
    column('截止日期', 'Due', 12, 'date'),
    column('逾期天数', 'Days overdue', 10, 'count'),
  ]);
  const dueDates = new Map(campaign.deliverables.map((d) => [d.id, d.dueDate]));
  for (const group of digest.overdueByDistrict) {
    for (const u of group.units) {
      for (const item of u.overdue) {
        const due =
          u.state.deliverables.find((d) => d.deliverableId === item.deliverableId)?.dueDate ??
          dueDates.get(item.deliverableId);
        await sheet.add([
          '材料逾期',
          group.name.zh,
          u.state.unit.code,
          u.state.unit.name,
          item.name.zh,
          due === undefined ? null : localDateCell(due),
          item.days,
        ]);
      }
    }
  }
  for (const h of digest.overdueMajors) {
    await sheet.add([
      '重大隐患逾期',
      names.district(h.district),
      h.unitCode,
      h.unitName,
      `${h.id} ${h.title}`,
      h.deadline === null ? null : localDateCell(h.deadline),
      h.deadline === null ? null : daysBetween(h.deadline, digest.day),
    ]);
  }
  sheet.commit();
}

async function writeChanges(
  workbook: ExcelJS.stream.xlsx.WorkbookWriter,
  digest: Digest,
  names: Lookups,
): Promise<void> {
  await writeTable(
    workbook,
    DIGEST_SHEETS.changes,
    [
      column('类型', 'Kind', 14),
      ...UNIT_COLUMNS,
      column('事项', 'Subject', 40, 'wrap'),
      column('时间', 'At', 17, 'datetime'),
      column('备注', 'Note', 16),
    ],
    digest.changes,
    (c) => {
      const notes = [c.late ? '逾期报送' : '', c.level ? names.level(c.level) : ''].filter(Boolean);
      return [
        CHANGE_LABELS[c.kind]?.zh ?? c.kind,
        names.district(c.district),
        c.unitCode,
        c.unitName,
        c.subject,
        c.at === undefined ? null : names.instant(c.at),
        notes.join('；'),
      ];
    },
  );
}

async function writeNeverFiled(
  workbook: ExcelJS.stream.xlsx.WorkbookWriter,
  campaign: Campaign,
  digest: Digest,
  names: Lookups,
): Promise<void> {
  const sheet = new SheetWriter(workbook, DIGEST_SHEETS.neverFiled, [
    column('材料', 'Deliverable', 24, 'wrap'),
    column('区县', 'District', 12),
    column('单位代码', 'Unit code', 11),
    column('单位名称', 'Unit name', 30, 'wrap'),
    column('单位类型', 'Unit type', 14),
  ]);
  const order = unitOrder(campaign);
  for (const d of digest.neverFiled) {
    for (const u of [...d.units].sort(order)) {
      await sheet.add([
        d.name.zh,
        names.district(u.unit.district),
        u.unit.code,
        u.unit.name,
        UNIT_TYPE_LABELS[u.unit.type].zh,
      ]);
    }
  }
  sheet.commit();
}

/** 退信 / Bounced mail: units whose contact address bounced or complained, to fix before a deadline. */
async function writeBounced(
  workbook: ExcelJS.stream.xlsx.WorkbookWriter,
  digest: Digest,
  names: Lookups,
): Promise<void> {
  await writeTable(
    workbook,
    DIGEST_SHEETS.bounced,
    [
      ...UNIT_COLUMNS,
      column('联系邮箱', 'Contact address', 30),
      column('类型', 'Kind', 14),
      column('最近一次', 'Last seen', 17, 'datetime'),
      column('次数', 'Times', 8, 'count'),
      column('原因', 'Why', 48, 'wrap'),
    ],
    digest.bounced,
    (b) => [
      names.district(b.district),
      b.unitCode,
      b.unitName,
      b.address,
      BOUNCE_KIND_LABELS[b.kind].zh,
      names.instant(b.lastSeenAt),
      b.count,
      [b.subtype, b.diagnostic].filter(Boolean).join('：'),
    ],
  );
}

/** 约谈通报: every summons and circular of the scope, with who decided and when it was recorded. */
async function writeSanctions(
  workbook: ExcelJS.stream.xlsx.WorkbookWriter,
  digest: Digest,
  names: Lookups,
): Promise<void> {
  await writeTable(
    workbook,
    DIGEST_SHEETS.sanctions,
    [
      column('类型', 'Kind', 8),
      column('日期', 'Date', 12, 'date'),
      ...UNIT_COLUMNS,
      column('事由', 'Reason', 48, 'wrap'),
      column('决定单位', 'Decided by', 12),
      column('记录人', 'Recorded by', 16),
      column('记录时间', 'Recorded at', 17, 'datetime'),
    ],
    digest.sanctions,
    (s) => [
      SANCTION_KIND_LABELS[s.kind].zh,
      localDateCell(s.date) ?? s.date,
      names.district(s.district),
      s.unitCode,
      s.unitName,
      s.reason,
      s.bodyCode,
      s.actor,
      names.instant(s.recordedAt),
    ],
  );
}

/**
 * The digest's spreadsheet, written to a scratch file; `ledger` gives the ledger sheet's rows.
 * The file is read whole only to be attached (up to 10 MB); a larger one is streamed to S3, so a
 * province's 73 MB workbook is never in memory (collecting the zip's chunks and joining them
 * held it twice).
 */
export async function digestWorkbookFile(
  campaign: Campaign,
  digest: Digest,
  ledger: AsyncIterable<LedgerRow> | Iterable<LedgerRow>,
  options: { parent?: string } = {},
): Promise<ScratchFile> {
  const dir = await mkdtemp(join(options.parent ?? tmpdir(), 'digest-'));
  const dispose = () => rm(dir, { recursive: true, force: true });
  const path = join(dir, 'digest.xlsx');
  const stream = createWriteStream(path);
  try {
    const written = once(stream, 'finish');
    // Handled where it is awaited; this only keeps an early failure from counting as unhandled.
    written.catch(() => undefined);

    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
      stream,
      useStyles: true,
      useSharedStrings: false,
    });
    workbook.creator = cellString(campaign.organiser.name.zh);
    workbook.lastModifiedBy = workbook.creator;
    const at = new Date(digest.at);
    if (!Number.isNaN(at.getTime())) {
      workbook.created = at;
      workbook.modified = at;
    }

    const names = lookups(campaign);
    await writeOverview(workbook, campaign, digest, names);
    await writeFilings(workbook, campaign, digest, names);
    await writeLedger(workbook, ledger, names);
    await writeOverdue(workbook, campaign, digest, names);
    await writeChanges(workbook, digest, names);
    await writeSanctions(workbook, digest, names);
    if (digest.closing) await writeNeverFiled(workbook, campaign, digest, names);
    if (digest.bounced.length > 0) await writeBounced(workbook, digest, names);
    await workbook.commit();
    await written;
    return {
      size: (await stat(path)).size,
      bytes: () => readFile(path),
      stream: () => createReadStream(path),
      dispose,
    };
  } catch (error) {
    stream.destroy();
    await dispose();
    throw error;
  }
}
