import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { buildHazardTemplate, readHazardRows } from '../../functions/shared/adapters/xlsx/hazard-workbook.ts';
import {
  type ImportRow,
  TEMPLATE_COLUMNS,
  validateImport,
  WORKBOOK_PROBLEMS,
} from '../../functions/shared/domain/hazards/hazard-import.ts';
import { demoCampaign } from '../support/fixtures.ts';

const campaign = demoCampaign();
/** The day the rows are checked on, and the earliest date found accepted (as `reportContext` gives). */
const CONTEXT = { today: '2018-01-25', earliest: '2017-01-01' };
const fixture = new URL('../fixtures/hazards-libreoffice.xlsx', import.meta.url).pathname;

/** The rows of a workbook the reader must be able to read. */
async function rowsOf(input: Readable): Promise<ImportRow[]> {
  const read = await readHazardRows(input);
  if (!read.ok) throw new Error(read.error.en);
  return read.rows;
}

async function workbookRows(build: (sheet: ExcelJS.Worksheet) => void) {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('隐患清单');
  sheet.addRow(TEMPLATE_COLUMNS.map((c) => c.header));
  build(sheet);
  return rowsOf(Readable.from(Buffer.from(await workbook.xlsx.writeBuffer())));
}

describe('the import template', () => {
  it('has Chinese headers, drop-downs for the coded columns, an example row and instructions', async () => {
    const workbook = new ExcelJS.Workbook();
    const file = await buildHazardTemplate(campaign);
    await workbook.xlsx.load(
      file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer,
    );
    expect(workbook.worksheets.map((s) => s.name)).toEqual(['隐患清单', '选项', '填写说明']);
    const sheet = workbook.getWorksheet('隐患清单') as ExcelJS.Worksheet;
    expect(sheet.getRow(1).values).toEqual([undefined, ...TEMPLATE_COLUMNS.map((c) => c.header)]);
    const validation = sheet.getCell('A2').dataValidation;
    expect(validation).toMatchObject({ type: 'list', formulae: ["'选项'!$A$1:$A$9"] });
    expect(sheet.getCell('B3').dataValidation).toMatchObject({
      type: 'list',
      formulae: ["'选项'!$B$1:$B$2"],
    });
    expect(sheet.getCell('G3').dataValidation?.type).toBe('list');
    expect(sheet.getCell('H3').dataValidation?.type).toBe('list');
    expect(sheet.getCell('C3').dataValidation?.type).toBeUndefined();
    const lists = workbook.getWorksheet('选项') as ExcelJS.Worksheet;
    expect(lists.state).toBe('hidden');
    expect(lists.getColumn(1).values.filter(Boolean)).toEqual(
      campaign.hazardDrive.areas.map((a) => a.name.zh),
    );
    const help = workbook.getWorksheet('填写说明') as ExcelJS.Worksheet;
    expect(String(help.getCell('A5').value)).toContain('五落实');
  });

  it('round-trips: the example row reads back and validates', async () => {
    const rows = await rowsOf(Readable.from(await buildHazardTemplate(campaign)));
    expect(rows).toHaveLength(1);
    const result = validateImport(campaign, rows, CONTEXT);
    expect(result.ok && result.reports[0]).toMatchObject({
      area: 'fire-safety',
      level: 'general',
      source: 'self-check',
    });
  });
});

describe('reading a workbook another program wrote', () => {
  it('imports the LibreOffice-converted fixture, with its dates normalised and injection-looking text kept as text', async () => {
    const rows = await rowsOf(createReadStream(fixture));
    const result = validateImport(campaign, rows, CONTEXT);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.reports.map((r) => [r.area, r.level, r.foundOn, r.fixedOnSpot])).toEqual([
      ['fire-safety', 'general', '2018-01-15', false],
      ['school-buildings', 'major', '2018-01-16', false],
      ['food-safety', 'general', '2018-01-17', true],
    ]);
    expect(result.reports[0]?.description).toBe('=HYPERLINK("http://evil.example","点我")');
    expect(result.reports[1]?.description).toBe('+南侧外墙多处空鼓');
    expect(result.reports[2]?.description).toBe('@留样柜温度8℃');
    expect(result.reports[0]?.five?.deadline).toBe('2018-01-25');
  });
});

describe('cells', () => {
  it('a real formula cell is read as its text, never evaluated', async () => {
    const rows = await workbookRows((sheet) => {
      const row = sheet.addRow(['消防', '一般事故隐患', 'x']);
      row.getCell(4).value = { formula: 'HYPERLINK("http://evil.example","x")', result: 'x' };
    });
    expect(rows[0]?.cells.description).toBe('=HYPERLINK("http://evil.example","x")');
  });

  it('finds columns by header, whatever their order, and skips empty rows', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('x');
    sheet.addRow(['隐患名称', '隐患类别']);
    sheet.addRow(['灭火器过期', '消防']);
    sheet.addRow([]);
    sheet.addRow(['  ', '']);
    const rows = await rowsOf(Readable.from(Buffer.from(await workbook.xlsx.writeBuffer())));
    expect(rows).toEqual([{ row: 2, cells: { title: '灭火器过期', area: '消防' } }]);
  });
});

describe('finding the data sheet', () => {
  it('reads 隐患清单 wherever it sits, after the instructions and lists that people move in front of it', async () => {
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('填写说明').addRow(['隐患批量导入模板']);
    workbook.addWorksheet('选项').addRow(['消防', '一般事故隐患', '自查', '是']);
    const sheet = workbook.addWorksheet('隐患清单');
    sheet.addRow(TEMPLATE_COLUMNS.map((c) => c.header));
    sheet.addRow(TEMPLATE_COLUMNS.map((c) => c.example));
    const rows = await rowsOf(Readable.from(Buffer.from(await workbook.xlsx.writeBuffer())));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ row: 2, cells: { area: '消防', title: '消防通道堆放杂物' } });
  });

  it('takes a renamed data sheet by its headers', async () => {
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('说明').addRow(['请在第二张表填写']);
    const sheet = workbook.addWorksheet('一中隐患');
    sheet.addRow(['隐患名称', '隐患类别']);
    sheet.addRow(['灭火器过期', '消防']);
    const rows = await rowsOf(Readable.from(Buffer.from(await workbook.xlsx.writeBuffer())));
    expect(rows).toEqual([{ row: 2, cells: { title: '灭火器过期', area: '消防' } }]);
  });

  it('says so, in both languages, when the file is no workbook or no sheet has the headers', async () => {
    const notWorkbook = await readHazardRows(Readable.from(Buffer.from('PK\u0003\u0004 not really a zip')));
    expect(notWorkbook).toEqual({ ok: false, error: WORKBOOK_PROBLEMS.unreadable });
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('Sheet1').addRow(['名称', '类别']);
    const noHeaders = await readHazardRows(Readable.from(Buffer.from(await workbook.xlsx.writeBuffer())));
    expect(noHeaders.ok ? null : [noHeaders.error.zh, noHeaders.error.en]).toEqual([
      expect.stringContaining('找不到「隐患清单」表'),
      expect.stringContaining('No 隐患清单 sheet'),
    ]);
  });

  it('refuses a workbook whose zip holds more parts than the cap, before unpacking any', async () => {
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('隐患清单').addRow(TEMPLATE_COLUMNS.map((c) => c.header));
    const file = Buffer.from(await workbook.xlsx.writeBuffer());
    const read = (maxEntries: number) => readHazardRows(Readable.from(file), { maxEntries });
    expect(await read(5)).toEqual({ ok: false, error: WORKBOOK_PROBLEMS.tooManyEntries });
    expect((await read(100)).ok).toBe(true);
    expect(WORKBOOK_PROBLEMS.tooManyEntries.zh).toContain('压缩包内文件超过 10,000 个');
  });

  it('refuses a workbook that unpacks past the limit before loading it', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('隐患清单');
    sheet.addRow(TEMPLATE_COLUMNS.map((c) => c.header));
    for (let i = 0; i < 200; i += 1) sheet.addRow([`${i}${'消防通道堆放杂物'.repeat(400)}`]);
    const file = Buffer.from(await workbook.xlsx.writeBuffer());
    expect(file.length).toBeLessThan(100_000);
    const read = (limit: number) => readHazardRows(Readable.from(file), { maxUnpackedBytes: limit });
    expect(await read(1024 * 1024)).toEqual({ ok: false, error: WORKBOOK_PROBLEMS.tooLarge });
    expect(WORKBOOK_PROBLEMS.tooLarge.zh).toContain('解压后超过 100 MB');
    const within = await read(10 * 1024 * 1024);
    expect(within.ok && within.rows.length).toBe(200);
  });
});

describe('validating an import', () => {
  it('locates every error by row and column, and passes nothing when one row fails', async () => {
    const rows = await workbookRows((sheet) => {
      const good = TEMPLATE_COLUMNS.map((c) => c.example);
      sheet.addRow(good);
      const bad = [...good];
      bad[0] = '火山';
      bad[5] = '2018-02-30';
      sheet.addRow(bad);
      const noFive = good.map((value, i) =>
        (TEMPLATE_COLUMNS[i]?.field ?? '').startsWith('five.') ? '' : value,
      );
      sheet.addRow(noFive);
    });
    const result = validateImport(campaign, rows, CONTEXT);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => [e.row, e.column])).toEqual([
      [3, '隐患类别'],
      [3, '发现日期'],
      [4, '五落实'],
    ]);
    expect(result.errors[1]?.zh).toContain('YYYY-MM-DD');
    expect(result.errors[2]?.en).toContain('five implementations');
  });

  it('refuses an empty sheet', () => {
    const result = validateImport(campaign, [], CONTEXT);
    expect(result.ok ? [] : result.errors.map((e) => e.zh)).toEqual(['没有数据行']);
  });
});
