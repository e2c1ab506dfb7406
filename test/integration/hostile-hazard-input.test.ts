import { randomUUID } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_ZIP_ENTRIES, TEMPLATE_COLUMNS } from '../../functions/shared/domain/hazards/hazard-import.ts';
import { allPages } from '../../functions/shared/domain/pages.ts';
import { sampleReportFields } from '../support/fixtures.ts';
import { manualClock, type TestApp, testApp } from '../support/local-app.ts';
import { testClients } from '../support/tables.ts';

/**
 * Hostile and careless hazard input, through the real routes: the report form and the bulk
 * import (object in S3, S3 event, xlsx read). Each case asserts its status, its bilingual
 * message (in place, at its field or row and column) and that nothing was stored. The generic
 * table of bad requests (routes, bodies, S3 keys, config) is elsewhere; this one is the hazards'.
 */
const clock = manualClock('2018-01-15T10:00:00+08:00');
let app: TestApp;
beforeAll(async () => {
  app = await testApp({ clock });
});
afterAll(() => app.cleanup());

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

const GOOD = sampleReportFields();

/** Everything stored for a unit that a report could change. */
async function storedFor(unit: string) {
  return {
    unit: await app.adapters.units.get(unit),
    hazards: await allPages((page) => app.adapters.hazards.listForUnit(unit, page), 500),
    zero: await app.adapters.zeroReports.get(unit),
  };
}

/** The error shown right after the named field's control, if any. */
function errorAt(body: string, field: string): string | undefined {
  // The five implementations as a group have their error under the fieldset's legend.
  const at = body.indexOf(field === 'five' ? '</legend>' : `name="${field}"`);
  if (at < 0) return undefined;
  const end = body.indexOf(field === 'five' ? '<label>' : '</label>', at);
  const segment = body.slice(at, end < 0 ? undefined : end);
  return /<span class="error">(.*?)<\/span><\/span>/s.exec(segment)?.[1];
}

const NUL = '\u0000';

/** [case, fields changed, field the error is shown at (or '' above the form), zh, en]. */
const FORM_CASES: [string, Record<string, string>, string, string, string][] = [
  [
    'found in 2099',
    { foundOn: '2099-01-01' },
    'foundOn',
    '晚于今天（2018-01-15）',
    'is after today (2018-01-15)',
  ],
  ['found tomorrow', { foundOn: '2018-01-16' }, 'foundOn', '发现日期 2018-01-16 晚于今天', 'after today'],
  [
    'found in 1900',
    { foundOn: '1900-01-01' },
    'foundOn',
    '过早：不能早于 2017-01-01',
    'may not be before 2017-01-01',
  ],
  [
    'found the day before the earliest',
    { foundOn: '2016-12-31' },
    'foundOn',
    '不能早于 2017-01-01',
    'too long ago',
  ],
  [
    'found on 30 February',
    { foundOn: '2018-02-30' },
    'foundOn',
    '应为有效的日期',
    'must be a real calendar date',
  ],
  [
    'found on a day written d/m/y',
    { foundOn: '15/01/2018' },
    'foundOn',
    '格式 YYYY-MM-DD',
    'written YYYY-MM-DD',
  ],
  ['no date found', { foundOn: '' }, 'foundOn', '必填', 'is required'],
  [
    'deadline before the date found',
    { 'five.deadline': '2018-01-14' },
    'five.deadline',
    '整改时限 2018-01-14 早于发现日期 2018-01-15',
    'the deadline 2018-01-14 is before the date found, 2018-01-15',
  ],
  ['deadline not a date', { 'five.deadline': 'next week' }, 'five.deadline', '应为有效的日期', 'YYYY-MM-DD'],
  [
    'amount in hex',
    { 'five.funds.amountYuan': '0x10' },
    'five.funds.amountYuan',
    '金额请只写数字',
    'plain digits',
  ],
  [
    'amount with exponent',
    { 'five.funds.amountYuan': '1e3' },
    'five.funds.amountYuan',
    '金额请只写数字',
    'plain digits',
  ],
  [
    'amount Infinity',
    { 'five.funds.amountYuan': 'Infinity' },
    'five.funds.amountYuan',
    '不接受 0x10、1e3、Infinity',
    'Infinity',
  ],
  [
    'amount with trailing text',
    { 'five.funds.amountYuan': '  12abc' },
    'five.funds.amountYuan',
    '金额请只写数字',
    'plain digits',
  ],
  [
    'negative amount',
    { 'five.funds.amountYuan': '-5' },
    'five.funds.amountYuan',
    '金额请只写数字',
    'plain digits',
  ],
  [
    'amount NaN',
    { 'five.funds.amountYuan': 'NaN' },
    'five.funds.amountYuan',
    '金额请只写数字',
    'plain digits',
  ],
  [
    'amount with a thousands comma',
    { 'five.funds.amountYuan': '1,000' },
    'five.funds.amountYuan',
    '例如 2000 或 1500.50',
    'e.g. 2000 or 1500.50',
  ],
  [
    'amount with three decimals',
    { 'five.funds.amountYuan': '12.345' },
    'five.funds.amountYuan',
    '金额请只写数字',
    'plain digits',
  ],
  [
    'amount in full-width digits',
    { 'five.funds.amountYuan': '１２' },
    'five.funds.amountYuan',
    '金额请只写数字',
    'plain digits',
  ],
  [
    'amount past 10 billion',
    { 'five.funds.amountYuan': '99999999999' },
    'five.funds.amountYuan',
    '不能大于 10000000000',
    'must be at most 10000000000',
  ],
  ['amount missing', { 'five.funds.amountYuan': '' }, 'five.funds.amountYuan', '必填', 'is required'],
  [
    'NUL in the title',
    { title: `消防${NUL}通道` },
    'title',
    '含有不可见的控制字符（第 3 个字符，U+0000）',
    'U+0000 at character 3',
  ],
  ['bell in the title', { title: '消防\u0007' }, 'title', 'U+0007', 'control character'],
  ['line break in the title', { title: '消防\n通道' }, 'title', 'U+000A', 'control character'],
  ['tab in the location', { location: '东侧\t二楼' }, 'location', 'U+0009', 'control character'],
  [
    'escape in the description',
    { description: '堆放\u001b[31m杂物' },
    'description',
    'U+001B',
    'control character',
  ],
  [
    'right-to-left override in the description',
    { description: '杂物\u202Eexe.txt' },
    'description',
    'U+202E',
    'control character',
  ],
  ['NUL in the measures', { 'five.measures': `清理${NUL}` }, 'five.measures', 'U+0000', 'control character'],
  [
    'C1 control in the contingency plan',
    { 'five.contingency': '值守\u0085' },
    'five.contingency',
    'U+0085',
    'control character',
  ],
  [
    'DEL in the owner’s name',
    { 'five.owner.name': '王\u007f' },
    'five.owner.name',
    'U+007F',
    'control character',
  ],
  [
    'backspace in the source of funds',
    { 'five.funds.source': '经费\u0008' },
    'five.funds.source',
    'U+0008',
    'control character',
  ],
  [
    'NUL in the note of a fix on the spot',
    { fixedOnSpot: 'yes', fixNote: `已清理${NUL}` },
    'fixNote',
    'U+0000',
    'control character',
  ],
  [
    'title of 101 characters',
    { title: '长'.repeat(101) },
    'title',
    '最多 100 个字符',
    'at most 100 characters',
  ],
  ['unknown area', { area: 'volcano' }, 'area', '只能是以下之一', 'must be one of'],
  ['unknown level', { level: 'catastrophic' }, 'level', '只能是以下之一', 'must be one of'],
  ['unknown source', { source: 'rumour' }, 'source', '只能是以下之一', 'must be one of'],
  [
    'phone that is no number',
    { 'five.owner.phone': 'call me' },
    'five.owner.phone',
    '电话号码只能包含数字',
    'phone number',
  ],
  [
    'fixed on the spot without a note',
    { fixedOnSpot: 'yes' },
    'fixNote',
    '当场整改的隐患须说明整改情况',
    'needs a note',
  ],
  [
    'not fixed and no five implementations',
    Object.fromEntries(
      Object.keys(GOOD)
        .filter((k) => k.startsWith('five.'))
        .map((k) => [k, '']),
    ),
    'five',
    '必须落实责任、措施、资金、时限和预案',
    'needs the five implementations',
  ],
  ['title of blanks only', { title: '   ' }, 'title', '必填', 'is required'],
  ['a form key that is no UUID', { formKey: "' OR 1=1 --" }, '', '表单缺少一次性编号', 'one-time key'],
  ['no form key', { formKey: '' }, '', '表单缺少一次性编号', 'one-time key'],
];

describe('hostile input to the hazard report form', () => {
  it.each(FORM_CASES)(
    '%s: refused (400) with its message in place, nothing stored',
    async (_, change, field, zh, en) => {
      const before = await storedFor('LY-102');
      const response = await app.http('POST', `/f/${app.links['LY-102']}/hazards`, {
        body: new URLSearchParams({ ...GOOD, formKey: randomUUID(), ...change }).toString(),
        headers: FORM,
      });
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-security-policy']).toBeDefined();
      expect(response.body).toContain(zh);
      expect(response.body).toContain(en);
      if (field) expect(errorAt(response.body, field)).toContain(zh);
      // Control characters are never rendered; what was typed comes back without them.
      // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting their absence is the point
      expect(response.body).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u0085\u202E]/);
      expect(await storedFor('LY-102')).toEqual(before);
    },
  );

  it('shows back what was typed, with control characters removed, under a usable key', async () => {
    const response = await app.http('POST', `/f/${app.links['LY-102']}/hazards`, {
      body: new URLSearchParams({ ...GOOD, formKey: randomUUID(), title: `消防${NUL}通道` }).toString(),
      headers: FORM,
    });
    expect(response.body).toContain('name="title" value="消防通道"');
    expect(response.body).toContain('>清理杂物，设置禁停标志</textarea>');
    expect(response.body).toMatch(/name="formKey" value="[0-9a-f-]{36}"/);
  });

  for (const [field, value] of [
    ['five.funds.amountYuan', `20${NUL}00`],
    ['foundOn', `2018-01-1${NUL}5`],
    ['formKey', `${randomUUID()}${NUL}`],
  ] as const)
    it(`a control character in ${field} brings the form back as typed, not an error page`, async () => {
      const before = await storedFor('LY-102');
      const response = await app.http('POST', `/f/${app.links['LY-102']}/hazards`, {
        body: new URLSearchParams({ ...GOOD, formKey: randomUUID(), [field]: value }).toString(),
        headers: FORM,
      });
      expect(response.statusCode).toBe(400);
      expect(response.body).toContain('name="title" value="消防通道堵塞"');
      expect(response.body).not.toContain(NUL);
      expect(response.body).toMatch(/name="formKey" value="[0-9a-f-]{36}"/);
      expect(await storedFor('LY-102')).toEqual(before);
    });

  it('does not echo a huge value whole', async () => {
    const response = await app.http('POST', `/f/${app.links['LY-102']}/hazards`, {
      body: new URLSearchParams({
        ...GOOD,
        formKey: randomUUID(),
        description: '长'.repeat(100_000), // 900 KB sent: under the 1 MB request limit
      }).toString(),
      headers: FORM,
    });
    expect(response.statusCode).toBe(400);
    expect(errorAt(response.body, 'description')).toContain('最多 2000 个字符');
    expect(response.body.length).toBeLessThan(60_000);
  });
});

async function workbook(rows: string[][], sheetName = '隐患清单', headers = true): Promise<Uint8Array> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet(sheetName);
  if (headers) sheet.addRow(TEMPLATE_COLUMNS.map((c) => c.header));
  for (const row of rows) sheet.addRow(row);
  return new Uint8Array(await book.xlsx.writeBuffer());
}

/** A row of the template with some cells changed, by field name. */
function row(change: Record<string, string>): string[] {
  return TEMPLATE_COLUMNS.map((c) => change[c.field] ?? c.example);
}

/**
 * A zip of `count` empty stored parts with short names, written by hand: a zip bomb by entry
 * count (215,000 parts in about 18 MB), which no zip library writes quickly.
 */
function zipOfEntries(count: number): Uint8Array {
  const names = Array.from({ length: count }, (_, i) => Buffer.from(i.toString(36)));
  const size = names.reduce((n, name) => n + 30 + 46 + 2 * name.length, 22);
  const out = Buffer.alloc(size);
  const offsets: number[] = [];
  let at = 0;
  for (const name of names) {
    offsets.push(at);
    out.writeUInt32LE(0x04034b50, at);
    out.writeUInt16LE(10, at + 4);
    out.writeUInt16LE(name.length, at + 26);
    name.copy(out, at + 30);
    at += 30 + name.length;
  }
  const central = at;
  names.forEach((name, i) => {
    out.writeUInt32LE(0x02014b50, at);
    out.writeUInt16LE(20, at + 4);
    out.writeUInt16LE(10, at + 6);
    out.writeUInt16LE(name.length, at + 28);
    out.writeUInt32LE(offsets[i] ?? 0, at + 42);
    name.copy(out, at + 46);
    at += 46 + name.length;
  });
  out.writeUInt32LE(0x06054b50, at);
  out.writeUInt16LE(Math.min(count, 0xffff), at + 8);
  out.writeUInt16LE(Math.min(count, 0xffff), at + 10);
  out.writeUInt32LE(at - central, at + 12);
  out.writeUInt32LE(central, at + 16);
  return new Uint8Array(out);
}

async function importFile(unit: string, bytes: Uint8Array, fileName: string) {
  const asked = await app.http('POST', `/f/${app.links[unit]}/imports`, {
    body: JSON.stringify({ fileName, size: bytes.length }),
  });
  expect(asked.statusCode).toBe(200);
  const { key } = JSON.parse(asked.body) as { key: string };
  const put = await testClients().s3.send(
    new PutObjectCommand({ Bucket: app.adapters.documents.bucket, Key: key, Body: bytes }),
  );
  return app.s3Created(key, (put.ETag ?? '').replaceAll('"', ''), clock.now());
}

/** [case, workbook, column of the error ('' for the whole file), zh, en]. */
const IMPORT_CASES: [string, () => Promise<Uint8Array> | Uint8Array, string, string, string][] = [
  [
    'a row found in 2099',
    () => workbook([row({ foundOn: '2099-01-01' })]),
    '发现日期',
    '晚于今天',
    'after today',
  ],
  ['a row found in 1900', () => workbook([row({ foundOn: '1900/1/1' })]), '发现日期', '过早', 'too long ago'],
  [
    'a deadline before the date found',
    () => workbook([row({ foundOn: '2018-01-15', 'five.deadline': '2018-01-10' })]),
    '整改时限',
    '早于发现日期',
    'is before the date found',
  ],
  [
    'an amount in hex',
    () => workbook([row({ 'five.funds.amountYuan': '0x10' })]),
    '整改资金（元）',
    '金额请只写数字',
    'plain digits',
  ],
  [
    'an amount with exponent',
    () => workbook([row({ 'five.funds.amountYuan': '1e3' })]),
    '整改资金（元）',
    '金额请只写数字',
    'plain digits',
  ],
  [
    'an amount Infinity',
    () => workbook([row({ 'five.funds.amountYuan': 'Infinity' })]),
    '整改资金（元）',
    '金额请只写数字',
    'plain digits',
  ],
  [
    'a formula as the amount',
    () => workbook([row({ 'five.funds.amountYuan': '=HYPERLINK("http://x.example","1")' })]),
    '整改资金（元）',
    '金额请只写数字',
    'plain digits',
  ],
  // A workbook cannot carry NUL or the other C0 controls but tab and line breaks (XML 1.0 forbids
  // them; exceljs drops them when writing); what it can carry is refused like the form's.
  [
    'a tab in a title',
    () => workbook([row({ title: '消防\t通道' })]),
    '隐患名称',
    'U+0009',
    'control character',
  ],
  [
    'a right-to-left override in a description',
    () => workbook([row({ description: '杂物\u202Eexe.txt' })]),
    '隐患描述',
    'U+202E',
    'control character',
  ],
  [
    'an unknown area',
    () => workbook([row({ area: '火山' })]),
    '隐患类别',
    '只能是以下之一',
    'must be one of',
  ],
  [
    `a zip of 215,000 entries (over ${MAX_ZIP_ENTRIES})`,
    () => zipOfEntries(215_000),
    '',
    '压缩包内文件超过 10,000 个',
    'more than 10,000 parts',
  ],
  [
    'no workbook at all',
    () => new Uint8Array(Buffer.from('PK\u0003\u0004 broken')),
    '',
    '无法读取',
    'Unreadable',
  ],
  [
    'no sheet with the template headers',
    () => workbook([['a', 'b']], 'Sheet1', false),
    '',
    '找不到「隐患清单」表',
    'No 隐患清单 sheet',
  ],
];

describe('hostile input to the bulk import', () => {
  it.each(IMPORT_CASES)(
    '%s: the file is refused with the reason on the page, nothing imported',
    { timeout: 60_000 },
    async (name, file, column, zh, en) => {
      // A minute apart, so the page (which lists the five latest imports) lists this one first.
      clock.set(new Date(clock.now().getTime() + 60_000).toISOString());
      const before = await storedFor('WJ-101');
      const bytes = await file();
      const started = Date.now();
      expect(await importFile('WJ-101', bytes, `${name}.xlsx`)).toMatchObject([
        { outcome: 'imported', status: 'rejected' },
      ]);
      const elapsed = Date.now() - started;
      const record = (await app.adapters.imports.list('WJ-101')).find((i) => i.fileName === `${name}.xlsx`);
      expect(record?.status).toBe('rejected');
      const error = record?.errors.find((e) => e.zh.includes(zh));
      expect(error).toMatchObject({ column });
      expect(error?.en).toContain(en);
      if (column) expect(error?.row).toBe(2);
      const page = (await app.http('GET', `/f/${app.links['WJ-101']}`)).body;
      expect(page).toContain(zh);
      expect(page).not.toContain(NUL);
      expect((await app.http('GET', `/f/${app.links['WJ-101']}?lang=en`)).body).toContain(en);
      expect(await storedFor('WJ-101')).toEqual(before);
      if (bytes.length > 10_000_000) {
        console.info(`${name}: ${bytes.length} bytes refused in ${elapsed} ms`);
        expect(elapsed).toBeLessThan(10_000);
      }
    },
  );
});
