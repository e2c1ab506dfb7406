import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseDashboardQuery } from '../../functions/shared/domain/report/dashboard.ts';
import { rolledDashboard } from '../../functions/shared/domain/report/dashboard-rolled.ts';
import { campaignInstant } from '../../functions/shared/domain/report/instant.ts';
import { main } from '../../infra/cli/campaign.ts';
import type { RosterRow } from '../../schemas/roster.ts';
import { fullDashboard } from '../support/dashboards.ts';
import { demoRoster } from '../support/fixtures.ts';
import { manualClock, type TestApp, testApp } from '../support/local-app.ts';

/**
 * `campaign roster import` (issue 14) against the local servers, through the CLI's own entry: the
 * bureau's xlsx and CSV files, errors by row and column with nothing imported, the same file twice
 * changing nothing, a contact change, `--prune`, and the dashboard's rollups counting the result.
 */
const clock = manualClock('2018-01-12T10:00:00+08:00');
const UNITS = ['CITY-000', 'LY-000', 'LY-101', 'LY-102', 'JT-000', 'JT-101'];
const HEADER = ['单位代码', '单位名称', '单位类型', '所属辖区', '联系人', '电子邮箱', '联系电话'];
const TYPE_ZH: Record<string, string> = {
  'city-office': '市教育局安稳处',
  'district-bureau': '教育行政部门',
  'affiliated-unit': '直属单位',
  school: '学校',
};
let app: TestApp;
let data: string;
const saved = { ...process.env };

beforeAll(async () => {
  app = await testApp({ clock, units: UNITS });
  data = await mkdtemp(join(tmpdir(), 'roster-import-'));
  await writeFile(
    join(data, 'runtime.json'),
    JSON.stringify({
      url: 'http://127.0.0.1:1',
      endpoints: inject('endpoints'),
      tableName: app.tableName,
      bucket: app.adapters.documents.bucket,
    }),
  );
  // The local system's key: the links the import derives are the ones the units already have.
  await writeFile(join(data, 'link-key'), `${process.env.LINK_KEY}\n`);
});
afterAll(async () => {
  process.env = saved;
  await rm(data, { recursive: true, force: true });
  await app.cleanup();
});

function rows(units: readonly RosterRow[]): string[][] {
  const district = (code: string | null) =>
    app.adapters.campaign.districts.find((d) => d.code === code)?.name.zh ?? '';
  return [
    HEADER,
    ...units.map((u) => [
      u.code,
      u.name,
      TYPE_ZH[u.type] ?? u.type,
      district(u.district),
      u.contact,
      u.email,
      u.phone,
    ]),
  ];
}

async function xlsx(name: string, units: readonly RosterRow[]): Promise<string> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('名单');
  for (const row of rows(units)) sheet.addRow(row);
  const path = join(data, name);
  await book.xlsx.writeFile(path);
  return path;
}

async function gb18030Csv(name: string, cells: string[][]): Promise<string> {
  const path = join(data, name);
  await writeFile(path, iconv.encode(`${cells.map((r) => r.join(',')).join('\r\n')}\r\n`, 'gb18030'));
  return path;
}

async function cli(...args: string[]) {
  const lines: string[] = [];
  const code = await main(args, { out: (line) => lines.push(line), err: (line) => lines.push(line) });
  return { code, text: lines.join('\n') };
}

const demo = (codes: readonly string[]) => demoRoster().units.filter((u) => codes.includes(u.code));

async function expectRolledIsFull() {
  const campaign = app.adapters.campaign;
  const instant = campaignInstant(campaign, clock.now());
  const scope = { kind: 'office' } as const;
  const query = parseDashboardQuery({}, campaign, scope);
  const rolled = await rolledDashboard(campaign, app.adapters, instant, scope, query);
  expect(rolled).toEqual(await fullDashboard(app.adapters, instant, scope, query));
  return rolled;
}

describe('campaign roster import', () => {
  it('imports an xlsx: new units get links, a changed contact is one import, the same file again changes nothing', async () => {
    const before = await app.adapters.units.get('LY-101');
    const units = [
      ...demo(UNITS).map((u) =>
        u.code === 'LY-102' ? { ...u, contact: '新联系人', phone: '0519-87009999' } : u,
      ),
      ...demo(['LY-103', 'WJ-000', 'WJ-101']),
    ];
    const file = await xlsx('roster.xlsx', units);
    const first = await cli('roster', 'import', file, '--data', data);
    expect(first.code, first.text).toBe(0);
    expect(first.text).toContain('9 units: 3 new, 1 updated, 5 unchanged');
    expect(await app.adapters.units.get('LY-102')).toMatchObject({
      contact: '新联系人',
      phone: '0519-87009999',
    });
    expect(await app.adapters.units.get('WJ-101')).toMatchObject({ district: 'wujin', type: 'school' });
    // An unchanged unit was not written at all, and kept its link.
    expect((await app.adapters.units.get('LY-101'))?.updatedAt).toBe(before?.updatedAt);
    const links = await readFile(join(data, 'links.csv'), 'utf8');
    expect(links).toContain(`/f/${app.links['LY-101']}`);
    expect(links).toMatch(/"WJ-101","[^"]+","[^"]+","http:\/\/127\.0\.0\.1:1\/f\/[A-Za-z0-9_-]+"/);

    const again = await cli('roster', 'import', file, '--data', data);
    expect(again.code, again.text).toBe(0);
    expect(again.text).toContain(`${units.length} units: 0 new, 0 updated, ${units.length} unchanged`);
    expect(await readFile(join(data, 'links.csv'), 'utf8')).toBe(links);
    const rolled = await expectRolledIsFull();
    expect(rolled?.unitCount).toBe(units.length - 1);
  });

  it('refuses a GB18030 CSV with a bad row, naming its row and column, and imports nothing', async () => {
    const [good] = rows(demo(['LY-104'])).slice(1);
    const file = await gb18030Csv('bad.csv', [
      HEADER,
      good ?? [],
      ['LY-105', '溧阳市示例小学五', '学校', '溧阳市', '王老师', 'not-an-email', '0519-87000105'],
    ]);
    const result = await cli('roster', 'import', file, '--data', data);
    expect(result.code).toBe(1);
    expect(result.text).toContain('第 3 行「电子邮箱」列 / row 3, column "电子邮箱"');
    expect(result.text).toContain('nothing was imported');
    expect(await app.adapters.units.get('LY-104')).toBeNull();

    const fixed = await gb18030Csv('good.csv', rows(demo(['LY-104'])));
    const ok = await cli('roster', 'import', fixed, '--data', data);
    expect(ok.code, ok.text).toBe(0);
    expect(await app.adapters.units.get('LY-104')).toMatchObject({ name: demo(['LY-104'])[0]?.name });
    expect(ok.text).toContain('are not in this file');
  });

  it('withdraws the units a file no longer lists only with --prune, keeping their records', async () => {
    const kept = [...UNITS, 'LY-103', 'WJ-000', 'LY-104'];
    const file = await xlsx('pruned.xlsx', demo(kept));
    const result = await cli('roster', 'import', file, '--prune', '--data', data);
    expect(result.code, result.text).toBe(0);
    expect(result.text).toContain('withdrawn, records kept: WJ-101');
    expect((await app.adapters.units.get('WJ-101'))?.withdrawnAt).toBeDefined();
    await expectRolledIsFull();
  });

  it('exits 2 with the usage on bad usage', async () => {
    for (const args of [['roster'], ['roster', 'export', 'x.xlsx'], ['roster', 'import']]) {
      const result = await cli(...args);
      expect(result.code).toBe(2);
      expect(result.text).toContain('campaign roster import <file.xlsx|file.csv>');
    }
  });
});
