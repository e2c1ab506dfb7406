import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { fileSpool } from '../../functions/shared/adapters/fs/ledger-spool.ts';
import { digestWorkbookFile } from '../../functions/shared/adapters/xlsx/digest-workbook.ts';
import { buildDigest } from '../../functions/shared/domain/report/digest.ts';
import { passHazards } from '../../functions/shared/domain/report/hazard-pass.ts';
import { campaignInstant } from '../../functions/shared/domain/report/instant.ts';
import type { CampaignRecords } from '../../functions/shared/domain/report/model.ts';
import { campaignSnapshot } from '../../functions/shared/domain/report/snapshot.ts';
import type { HazardRecord } from '../../schemas/records.ts';
import { demoCampaign, sampleHazard, samplePointer, sampleReport, sampleUnit } from '../support/fixtures.ts';

/**
 * The digest spreadsheet, read back with exceljs. The check runs on 2018-01-22 at 08:30
 * Asia/Shanghai; the implementation plan was due 2018-01-19. LY-101 and LY-000 filed on time,
 * LY-102 two days late (yesterday), JT-101 and CZ-001 never. LY-102 has a major hazard two days
 * past its supervision deadline; JT-101 reported and closed a hazard yesterday.
 */
const campaign = demoCampaign();
const at = new Date('2018-01-22T00:30:00Z');

const EVIL_TITLE = '=HYPERLINK("http://evil.example","x")';
const EVIL_DESCRIPTION = '<img src=x onerror=alert(1)>';

const pointer = (unitCode: string, district: string | null, receivedAt: string, onTime: boolean) =>
  samplePointer(unitCode, district, 'implementation-plan', receivedAt, onTime);
const hazard = sampleHazard;

const records: CampaignRecords = {
  units: ['CZ-001', 'JT-101', 'LY-102', 'LY-101', 'LY-000', 'CITY-000'].map((code) => sampleUnit(code)),
  pointers: [
    pointer('LY-101', 'liyang', '2018-01-19T09:30:00.000Z', true),
    pointer('LY-000', 'liyang', '2018-01-18T01:00:00.000Z', true),
    pointer('LY-102', 'liyang', '2018-01-21T02:00:00.000Z', false),
  ],
  zeroReports: [{ unitCode: 'LY-000', checkedOn: '2018-01-15', confirmedAt: '2018-01-15T02:00:00.000Z' }],
  bounces: [],
  sanctions: [
    {
      id: '6f1c1f5e-0b7a-4c39-9d59-6d1c0a1f0001',
      unitCode: 'LY-102',
      district: 'liyang',
      kind: 'summons',
      date: '2018-01-23',
      reason: EVIL_TITLE,
      bodyCode: 'CITY-000',
      actor: 'reviewer:wang',
      recordedAt: '2018-01-21T08:00:00.000Z',
    },
    {
      id: '6f1c1f5e-0b7a-4c39-9d59-6d1c0a1f0002',
      unitCode: 'JT-101',
      district: 'jintan',
      kind: 'circular',
      date: '2018-01-20',
      reason: '实施方案逾期未报',
      bodyCode: 'CITY-000',
      actor: 'CITY-000',
      recordedAt: '2018-01-20T02:00:00.000Z',
    },
  ],
};

const hazards: HazardRecord[] = [
  hazard(
    'LY-101-H001',
    'LY-101',
    'liyang',
    sampleReport({ title: EVIL_TITLE, description: EVIL_DESCRIPTION, location: '教学楼\u0007东侧' }),
    {},
  ),
  hazard(
    'LY-102-H001',
    'LY-102',
    'liyang',
    sampleReport({ level: 'major', area: 'school-buildings', title: '教学楼外墙空鼓' }),
    {
      createdAt: '2018-01-16T02:00:00.000Z',
      supervision: {
        supervisorUnit: 'LY-000',
        listedOn: '2018-01-16',
        deadline: '2018-01-20',
        extensions: [],
      },
    },
  ),
  hazard(
    'JT-101-H001',
    'JT-101',
    'jintan',
    sampleReport({ title: '灭火器过期', fixedOnSpot: true, fixNote: '已更换', five: undefined }),
    { status: 'closed', createdAt: '2018-01-21T06:00:00.000Z', closedAt: '2018-01-21T07:00:00.000Z' },
  ),
];

// Three hazards stay in the spool's memory: no file is made.
const instant = campaignInstant(campaign, at);
const pass = await passHazards(campaign, records.units, hazards, instant, await fileSpool());
const snapshot = campaignSnapshot(campaign, records, pass, instant);

async function workbookFor(closing: boolean): Promise<ExcelJS.Workbook> {
  const digest = buildDigest(snapshot, { kind: 'office' }, { closing });
  const file = await digestWorkbookFile(campaign, digest, pass.spool.rows('office'));
  const buffer = await file.bytes();
  await file.dispose();
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(
    buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer,
  );
  return workbook;
}

function sheet(workbook: ExcelJS.Workbook, name: string): ExcelJS.Worksheet {
  const found = workbook.getWorksheet(name);
  if (!found) throw new Error(`no sheet ${name}`);
  return found;
}

/** The header row's Chinese lines, column by column. */
function headers(ws: ExcelJS.Worksheet): string[] {
  const row = ws.getRow(1);
  return Array.from(
    { length: row.cellCount },
    (_, i) => String(row.getCell(i + 1).value ?? '').split('\n')[0] ?? '',
  );
}

/** Data rows as arrays of cell values (index 0 is column A). */
function rows(ws: ExcelJS.Worksheet): ExcelJS.CellValue[][] {
  const out: ExcelJS.CellValue[][] = [];
  ws.eachRow((row, number) => {
    if (number > 1) out.push(Array.from({ length: ws.columnCount }, (_, i) => row.getCell(i + 1).value));
  });
  return out;
}

function column(ws: ExcelJS.Worksheet, header: string): number {
  const index = headers(ws).indexOf(header);
  if (index < 0) throw new Error(`no column ${header} in ${ws.name}`);
  return index + 1;
}

function rowOf(ws: ExcelJS.Worksheet, columnHeader: string, value: string): ExcelJS.Row {
  const col = column(ws, columnHeader);
  for (let r = 2; r <= ws.rowCount; r += 1)
    if (ws.getRow(r).getCell(col).value === value) return ws.getRow(r);
  throw new Error(`no row with ${columnHeader} = ${value} in ${ws.name}`);
}

const daily = await workbookFor(false);
const closing = await workbookFor(true);

describe('digest workbook', () => {
  it('has the sheets in order, the closing sheet only on the closing report', () => {
    const daySheets = ['概况', '报送情况', '隐患台账', '逾期事项', '昨日以来变化', '约谈通报'];
    expect(daily.worksheets.map((ws) => ws.name)).toEqual(daySheets);
    expect(closing.worksheets.map((ws) => ws.name)).toEqual([...daySheets, '从未报送']);
  });

  it('gives every sheet a bold, frozen, filterable header row', () => {
    for (const ws of closing.worksheets) {
      expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
      expect(ws.autoFilter).toBeTruthy();
      expect(String(ws.autoFilter)).toMatch(/^A1:[A-Z]+\d+$/);
      expect(ws.getRow(1).getCell(1).font?.bold).toBe(true);
    }
    expect(headers(sheet(daily, '隐患台账'))).toEqual([
      '隐患编号',
      '区县',
      '单位代码',
      '单位名称',
      '隐患类别',
      '隐患等级',
      '状态',
      '隐患名称',
      '隐患描述',
      '隐患位置',
      '发现日期',
      '当场整改',
      '责任人',
      '整改措施',
      '整改资金(元)',
      '资金来源',
      '整改时限',
      '应急预案',
      '督办单位',
      '是否逾期',
      '上报时间',
      '销号时间',
    ]);
    expect(headers(sheet(daily, '报送情况')).slice(0, 6)).toEqual([
      '区县',
      '单位代码',
      '单位名称',
      '单位类型',
      '专项行动实施方案·状态',
      '专项行动实施方案·报送时间',
    ]);
    expect(headers(sheet(daily, '逾期事项'))[0]).toBe('类型');
    expect(headers(sheet(daily, '概况')).slice(0, 2)).toEqual(['项目', '内容']);
  });

  it('summarises the campaign, the filings and the hazards by area', () => {
    const ws = sheet(daily, '概况');
    const values = rows(ws);
    expect(values[0]?.[1]).toBe(campaign.name.zh);
    expect(values[1]?.[1]).toBe('全市');
    expect(values[2]?.[1]).toEqual(new Date(Date.UTC(2018, 0, 22)));
    expect(values[4]?.[1]).toBe(68);
    const plan = values.find((row) => row[0] === '专项行动实施方案');
    // 5 units owe it: 2 on time, 1 late, 2 overdue.
    expect(plan?.slice(2, 8)).toEqual([5, 2, 1, 0, 2, 3 / 5]);
    const buildings = values.find((row) => row[0] === '校舍');
    expect(buildings?.slice(1, 6)).toEqual([0, 1, 0, 0, 1]);
  });

  it('lists every unit with its filing state and time, by district order, affiliated units last', () => {
    const ws = sheet(daily, '报送情况');
    const codeColumn = column(ws, '单位代码');
    const codes = rows(ws).map((row) => row[codeColumn - 1]);
    expect(codes).toEqual(['LY-000', 'LY-101', 'LY-102', 'JT-101', 'CZ-001']);

    const state = column(ws, '专项行动实施方案·状态');
    const filedAt = rowOf(ws, '单位代码', 'LY-101').getCell(column(ws, '专项行动实施方案·报送时间'));
    expect(filedAt.value).toBeInstanceOf(Date);
    // 2018-01-19T09:30Z is 17:30 on the campaign clock, whatever the process time zone.
    expect(filedAt.value).toEqual(new Date(Date.UTC(2018, 0, 19, 17, 30)));
    expect(filedAt.numFmt).toBe('yyyy-mm-dd hh:mm');
    expect(rowOf(ws, '单位代码', 'LY-101').getCell(state).value).toBe('按时报送');
    expect(rowOf(ws, '单位代码', 'LY-102').getCell(state).value).toBe('逾期报送(迟2天)');
    expect(rowOf(ws, '单位代码', 'JT-101').getCell(state).value).toBe('逾期3天');
    expect(rowOf(ws, '单位代码', 'JT-101').getCell(column(ws, '专项行动实施方案·报送时间')).value).toBeNull();
    expect(rowOf(ws, '单位代码', 'LY-101').getCell(column(ws, '工作总结·状态')).value).toBe(
      '未到期·还剩68天',
    );
    expect(rowOf(ws, '单位代码', 'CZ-001').getCell(column(ws, '区县')).value).toBe('市直属单位');
    expect(rowOf(ws, '单位代码', 'LY-102').getCell(column(ws, '逾期重大隐患')).value).toBe(1);
    expect(rowOf(ws, '单位代码', 'LY-000').getCell(column(ws, '零报告')).value).toBe('已报');
    expect(rowOf(ws, '单位代码', 'LY-101').getCell(column(ws, '单位类型')).value).toBe('学校');
  });

  it('puts major hazards first in the ledger, with real date cells', () => {
    const ws = sheet(daily, '隐患台账');
    const ids = rows(ws).map((row) => row[0]);
    expect(ids).toEqual(['LY-102-H001', 'LY-101-H001', 'JT-101-H001']);

    const major = rowOf(ws, '隐患编号', 'LY-102-H001');
    expect(major.getCell(column(ws, '隐患等级')).value).toBe('重大事故隐患');
    expect(major.getCell(column(ws, '是否逾期')).value).toBe('是');
    expect(major.getCell(column(ws, '整改时限')).value).toEqual(new Date(Date.UTC(2018, 0, 20)));

    const general = rowOf(ws, '隐患编号', 'LY-101-H001');
    const foundOn = general.getCell(column(ws, '发现日期'));
    expect(foundOn.value).toBeInstanceOf(Date);
    expect(foundOn.value).toEqual(new Date(Date.UTC(2018, 0, 15)));
    expect(foundOn.numFmt).toBe('yyyy-mm-dd');
    expect((general.getCell(column(ws, '上报时间')).value as Date).getTime()).toBe(
      Date.UTC(2018, 0, 15, 11, 0),
    );
    const funds = general.getCell(column(ws, '整改资金(元)'));
    expect(funds.value).toBe(2000);
    expect(funds.numFmt).toBe('#,##0.00');
    expect(general.getCell(column(ws, '状态')).value).toBe('整改中');
    expect(general.getCell(column(ws, '隐患类别')).value).toBe('消防');
    expect(general.getCell(column(ws, '当场整改')).value).toBe('否');

    const closed = rowOf(ws, '隐患编号', 'JT-101-H001');
    expect(closed.getCell(column(ws, '状态')).value).toBe('已销号');
    expect((closed.getCell(column(ws, '销号时间')).value as Date).getTime()).toBe(
      Date.UTC(2018, 0, 21, 15, 0),
    );
  });

  it('writes school text as plain strings: no formulas, no XML control characters', () => {
    const ws = sheet(daily, '隐患台账');
    const row = rowOf(ws, '隐患编号', 'LY-101-H001');
    const title = row.getCell(column(ws, '隐患名称'));
    expect(title.type).toBe(ExcelJS.ValueType.String);
    expect(title.formula).toBeUndefined();
    expect(title.value).toBe(EVIL_TITLE);
    const description = row.getCell(column(ws, '隐患描述'));
    expect(description.type).toBe(ExcelJS.ValueType.String);
    expect(description.value).toBe(EVIL_DESCRIPTION);
    expect(row.getCell(column(ws, '隐患位置')).value).toBe('教学楼东侧');
    for (const worksheet of daily.worksheets)
      worksheet.eachRow((r) => {
        r.eachCell((cell) => {
          expect(cell.type).not.toBe(ExcelJS.ValueType.Formula);
        });
      });
  });

  it('lists overdue deliverables, then overdue major hazards', () => {
    const values = rows(sheet(daily, '逾期事项'));
    expect(values.map((row) => [row[0], row[2], row[6]])).toEqual([
      ['材料逾期', 'JT-101', 3],
      ['材料逾期', 'CZ-001', 3],
      ['重大隐患逾期', 'LY-102', 2],
    ]);
    expect(values[2]?.[4]).toBe('LY-102-H001 教学楼外墙空鼓');
    expect(values[2]?.[5]).toEqual(new Date(Date.UTC(2018, 0, 20)));
    expect(values[0]?.[5]).toEqual(new Date(Date.UTC(2018, 0, 19)));
  });

  it('lists the changes since yesterday with Chinese labels and notes', () => {
    const values = rows(sheet(daily, '昨日以来变化'));
    const filed = values.find((row) => row[0] === '首次报送');
    expect(filed?.slice(2, 5)).toEqual(['LY-102', '溧阳市南渡示例初级中学', '专项行动实施方案']);
    expect(filed?.[5]).toEqual(new Date(Date.UTC(2018, 0, 21, 10, 0)));
    expect(filed?.[6]).toBe('逾期报送');
    const closedOut = values.find((row) => row[0] === '隐患销号');
    expect(closedOut?.[6]).toBe('一般事故隐患');
    expect(values.map((row) => row[0])).toEqual(expect.arrayContaining(['新报隐患', '隐患销号', '首次报送']));
  });

  it('lists every summons and circular, by date, text as text; the new one among the changes', () => {
    const ws = sheet(daily, '约谈通报');
    expect(headers(ws)).toEqual([
      '类型',
      '日期',
      '区县',
      '单位代码',
      '单位名称',
      '事由',
      '决定单位',
      '记录人',
      '记录时间',
    ]);
    const values = rows(ws);
    expect(values.map((row) => [row[0], row[1], row[2], row[3]])).toEqual([
      ['通报', new Date(Date.UTC(2018, 0, 20)), '金坛区', 'JT-101'],
      ['约谈', new Date(Date.UTC(2018, 0, 23)), '溧阳市', 'LY-102'],
    ]);
    const reason = rowOf(ws, '单位代码', 'LY-102').getCell(column(ws, '事由'));
    expect(reason.value).toBe(EVIL_TITLE);
    expect(reason.type).toBe(ExcelJS.ValueType.String);
    expect(values[1]?.[7]).toBe('reviewer:wang');
    expect(values[1]?.[8]).toEqual(new Date(Date.UTC(2018, 0, 21, 16, 0)));
    // Recorded within the day before the check: only LY-102's is a change.
    const changes = rows(sheet(daily, '昨日以来变化')).filter((row) => row[0] === '约谈/通报');
    expect(changes.map((row) => [row[2], row[4]])).toEqual([['LY-102', `约谈（2018-01-23）${EVIL_TITLE}`]]);
  });

  it('lists the units that never filed on the closing report', () => {
    const values = rows(sheet(closing, '从未报送'));
    expect(values.map((row) => [row[0], row[2]])).toEqual([
      ['专项行动实施方案', 'JT-101'],
      ['专项行动实施方案', 'CZ-001'],
      ['工作总结', 'LY-000'],
      ['工作总结', 'LY-101'],
      ['工作总结', 'LY-102'],
      ['工作总结', 'JT-101'],
      ['工作总结', 'CZ-001'],
    ]);
    expect(values[1]?.[4]).toBe('直属单位');
  });
});

describe('the scratch file', () => {
  it('is removed, and its stream closed, when the ledger fails halfway', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'workbook-test-'));
    const digest = buildDigest(snapshot, { kind: 'office' });
    async function* failing() {
      yield* pass.spool.rows('office');
      throw new Error('the spool could not be read');
    }
    await expect(digestWorkbookFile(campaign, digest, failing(), { parent })).rejects.toThrow(
      'the spool could not be read',
    );
    expect(await readdir(parent)).toEqual([]);
    const file = await digestWorkbookFile(campaign, digest, pass.spool.rows('office'), { parent });
    expect(file.size).toBe((await file.bytes()).byteLength);
    await file.dispose();
    expect(await readdir(parent)).toEqual([]);
    await rm(parent, { recursive: true });
  });
});
