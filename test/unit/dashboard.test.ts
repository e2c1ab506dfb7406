import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { dashboardPage, workspaceLinks } from '../../functions/http/workspace/dashboard-page.ts';
import { fileSpool } from '../../functions/shared/adapters/fs/ledger-spool.ts';
import { digestWorkbookFile } from '../../functions/shared/adapters/xlsx/digest-workbook.ts';
import { ValidationError } from '../../functions/shared/domain/errors.ts';
import {
  type DashboardQuery,
  DEFAULT_QUERY,
  dashboardOfSnapshot,
  dashboardParams,
  matrixCell,
  matrixRows,
  PAGE_SIZE,
  pageOf,
  parseDashboardQuery,
  progressSeries,
  scopeOfBody,
} from '../../functions/shared/domain/report/dashboard.ts';
import { figuresOfSnapshot } from '../../functions/shared/domain/report/dashboard-figures.ts';
import { buildDigest } from '../../functions/shared/domain/report/digest.ts';
import { passHazards } from '../../functions/shared/domain/report/hazard-pass.ts';
import { campaignInstant } from '../../functions/shared/domain/report/instant.ts';
import {
  hazardAsOf,
  ledgerInstant,
  loadFilteredSnapshot,
  readersAsOf,
} from '../../functions/shared/domain/report/ledger-export.ts';
import type { CampaignRecords, DigestScope } from '../../functions/shared/domain/report/model.ts';
import { type CampaignReaders, campaignSnapshot } from '../../functions/shared/domain/report/snapshot.ts';
import { lineChart, stackedBarChart } from '../../functions/shared/web/svg-charts.ts';
import type { HazardRecord } from '../../schemas/records.ts';
import { demoCampaign, sampleHazard, samplePointer, sampleReport, sampleUnit } from '../support/fixtures.ts';

/**
 * The dashboard's view model and page, over one snapshot taken 2018-01-22 08:30 Asia/Shanghai
 * (the implementation plan was due 2018-01-19): LY-000, LY-101 filed on time, LY-102 two days
 * late, JT-000 on time; LY-101 also filed its work summary. Every other unit is overdue with the
 * plan. LY-102's major hazard is 2 days past its supervision deadline, JT-101's is not yet due;
 * LY-103's major is closed; LY-101 has a general open, JT-102 one closed.
 */
const campaign = demoCampaign();
const at = new Date('2018-01-22T00:30:00Z');
const PLAN = 'implementation-plan';
const SUMMARY = 'work-summary';

const pointer = samplePointer;
const hazard = sampleHazard;

const CODES = [
  'LY-000',
  'LY-101',
  'LY-102',
  'LY-103',
  'JT-000',
  'JT-101',
  'JT-102',
  'CZ-001',
  'CZ-002',
  'CITY-000',
];
const records: CampaignRecords = {
  units: CODES.map((code) => sampleUnit(code)),
  pointers: [
    pointer('LY-000', 'liyang', PLAN, '2018-01-18T01:00:00.000Z', true),
    pointer('LY-101', 'liyang', PLAN, '2018-01-19T09:30:00.000Z', true),
    pointer('LY-102', 'liyang', PLAN, '2018-01-21T02:00:00.000Z', false),
    pointer('JT-000', 'jintan', PLAN, '2018-01-12T02:00:00.000Z', true),
    pointer('LY-101', 'liyang', SUMMARY, '2018-01-20T02:00:00.000Z', true),
  ],
  zeroReports: [],
  bounces: [],
  sanctions: [],
};

const supervised = (unit: string, deadline: string) => ({
  supervisorUnit: unit,
  listedOn: '2018-01-16',
  deadline,
  extensions: [],
});
const hazards: HazardRecord[] = [
  hazard('LY-101-H001', 'LY-101', 'liyang', sampleReport(), {}),
  hazard(
    'LY-102-H001',
    'LY-102',
    'liyang',
    sampleReport({ level: 'major', area: 'school-buildings', title: '教学楼外墙空鼓' }),
    {
      supervision: supervised('LY-000', '2018-01-20'),
    },
  ),
  hazard(
    'LY-103-H001',
    'LY-103',
    'liyang',
    sampleReport({ level: 'major', area: 'fire-safety', title: '配电房无灭火器' }),
    {
      status: 'closed',
      closedAt: '2018-01-20T03:00:00.000Z',
      supervision: { ...supervised('LY-000', '2018-01-25'), delistedOn: '2018-01-20' },
    },
  ),
  hazard(
    'JT-101-H001',
    'JT-101',
    'jintan',
    sampleReport({ level: 'major', area: 'school-bus', title: '校车刹车失灵' }),
    {
      supervision: supervised('JT-000', '2018-02-28'),
    },
  ),
  hazard(
    'JT-102-H001',
    'JT-102',
    'jintan',
    sampleReport({ title: '灭火器过期', fixedOnSpot: true, fixNote: '已更换', five: undefined }),
    {
      status: 'closed',
      closedAt: '2018-01-21T07:00:00.000Z',
    },
  ),
];

const instant = campaignInstant(campaign, at);
const pass = await passHazards(campaign, records.units, hazards, instant, await fileSpool());
const snapshot = campaignSnapshot(campaign, records, pass, instant);

const OFFICE: DigestScope = { kind: 'office' };
const LIYANG: DigestScope = { kind: 'district', district: 'liyang' };

const query = (params: Record<string, string> = {}, scope: DigestScope = OFFICE): DashboardQuery =>
  parseDashboardQuery(params, campaign, scope);

async function viewOf(scope: DigestScope, params: Record<string, string> = {}) {
  return dashboardOfSnapshot(snapshot, scope, query(params, scope));
}

/** Every `data-figure` on the page that holds a number. */
function figures(page: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of page.matchAll(/data-figure="([^"]+)">(\d+)</g)) out.set(m[1] as string, Number(m[2]));
  return out;
}

async function workbookOf(scope: DigestScope): Promise<ExcelJS.Workbook> {
  const digest = buildDigest(snapshot, scope);
  const file = await digestWorkbookFile(
    campaign,
    digest,
    pass.spool.rows(scope.kind === 'office' ? 'office' : `district:${scope.district}`),
  );
  const buffer = await file.bytes();
  await file.dispose();
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(
    buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer,
  );
  return workbook;
}

function dataRows(workbook: ExcelJS.Workbook, name: string): ExcelJS.CellValue[][] {
  const ws = workbook.getWorksheet(name);
  if (!ws) throw new Error(`no sheet ${name}`);
  const out: ExcelJS.CellValue[][] = [];
  ws.eachRow((row, number) => {
    if (number > 1) out.push(Array.from({ length: ws.columnCount }, (_, i) => row.getCell(i + 1).value));
  });
  return out;
}

describe('dashboard query', () => {
  it('takes defaults from an empty query string', () => {
    expect(query()).toEqual(DEFAULT_QUERY);
    expect(dashboardParams(DEFAULT_QUERY).toString()).toBe('');
  });

  it('reads every filter and writes it back into links unchanged', () => {
    const params = {
      district: 'liyang',
      type: 'school',
      state: 'overdue',
      deliverable: PLAN,
      q: '燕山',
      sort: 'name',
      page: '2',
      area: 'fire-safety',
      overdue: '1',
      hq: 'H001',
      hpage: '3',
    };
    const parsed = query(params);
    expect(parsed).toMatchObject({
      district: 'liyang',
      type: 'school',
      state: 'overdue',
      page: 2,
      overdueOnly: true,
      hpage: 3,
    });
    expect(Object.fromEntries(dashboardParams(parsed))).toEqual(params);
    expect(dashboardParams(parsed, { page: 3 }).get('page')).toBe('3');
  });

  it('refuses values the page never offers, naming each field and the value in both languages', () => {
    try {
      query({
        district: 'atlantis',
        type: 'castle',
        state: 'lost',
        sort: 'colour',
        page: '0',
        overdue: 'yes',
        q: 'x'.repeat(101),
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      const issues = (error as ValidationError).issues;
      expect(issues.map((i) => i.path).sort()).toEqual([
        'district',
        'overdue',
        'page',
        'q',
        'sort',
        'state',
        'type',
      ]);
      const district = issues.find((i) => i.path === 'district');
      expect(district).toMatchObject({ value: 'atlantis' });
      expect(district?.zh).toContain('atlantis');
      expect(district?.en).toContain('atlantis');
    }
  });

  it('never lets a bureau widen its scope to another district; its own district is accepted', () => {
    expect(() => query({ district: 'jintan' }, LIYANG)).toThrow(ValidationError);
    expect(() => query({ district: 'affiliated' }, LIYANG)).toThrow(ValidationError);
    expect(query({ district: 'liyang' }, LIYANG).district).toBe('liyang');
  });

  it('maps a supervising body to its scope; schools supervise nothing', () => {
    expect(scopeOfBody({ type: 'city-office', district: null })).toEqual(OFFICE);
    expect(scopeOfBody({ type: 'district-bureau', district: 'liyang' })).toEqual(LIYANG);
    expect(scopeOfBody({ type: 'school', district: 'liyang' })).toBeNull();
  });
});

describe('dashboard matrix', () => {
  const digest = figuresOfSnapshot(snapshot, OFFICE);
  const codes = (params: Record<string, string>) =>
    matrixRows(campaign, digest, query(params)).map((r) => r.unit.code);

  it('has every unit of the scope but the city office, a cell per deliverable', () => {
    const rows = matrixRows(campaign, digest, query());
    expect(rows.map((r) => r.unit.code).sort()).toEqual(CODES.filter((c) => c !== 'CITY-000').sort());
    for (const row of rows) expect(row.cells.map((c) => c.deliverableId)).toEqual([PLAN, SUMMARY]);
    const bureau = figuresOfSnapshot(snapshot, LIYANG);
    expect(
      matrixRows(campaign, bureau, query({}, LIYANG))
        .map((r) => r.unit.code)
        .sort(),
    ).toEqual(['LY-000', 'LY-101', 'LY-102', 'LY-103']);
  });

  it('gives each cell its state in words, a tone, the filing time and the days', () => {
    const ly102 = matrixRows(campaign, digest, query()).find((r) => r.unit.code === 'LY-102');
    expect(ly102?.cells[0]).toMatchObject({
      kind: 'filed-late',
      tone: 'late',
      days: 2,
      filedAt: '2018-01-21T02:00:00.000Z',
      label: { zh: '逾期报送·迟2天', en: 'filed 2 d late' },
    });
    expect(ly102?.cells[1]).toMatchObject({ kind: 'due', tone: 'pending', days: 68 });
    const cz = matrixRows(campaign, digest, query()).find((r) => r.unit.code === 'CZ-001');
    expect(cz?.cells[0]).toMatchObject({
      kind: 'overdue',
      tone: 'bad',
      days: 3,
      label: { zh: '逾期未报3天' },
    });
    expect(matrixCell('x', null)).toMatchObject({ kind: 'not-required', label: { zh: '无需报送' } });
    expect(matrixCell('x', { kind: 'due-today' })).toMatchObject({ tone: 'warn', days: 0 });
    expect(matrixCell('x', { kind: 'filed-on-time', filedAt: '2018-01-19T09:30:00.000Z' })).toMatchObject({
      tone: 'ok',
      filedAt: '2018-01-19T09:30:00.000Z',
    });
  });

  it('filters by district, the affiliated units, type, state of any or one deliverable, and search', () => {
    expect(codes({ district: 'jintan' })).toEqual(['JT-101', 'JT-102', 'JT-000']);
    expect(codes({ district: 'affiliated' })).toEqual(['CZ-001', 'CZ-002']);
    expect(codes({ type: 'district-bureau', sort: 'code' })).toEqual(['JT-000', 'LY-000']);
    expect(codes({ state: 'filed-late' })).toEqual(['LY-102']);
    expect(codes({ state: 'filed-on-time', sort: 'code' })).toEqual(['JT-000', 'LY-000', 'LY-101']);
    expect(codes({ state: 'filed-on-time', deliverable: SUMMARY })).toEqual(['LY-101']);
    expect(codes({ state: 'due', deliverable: PLAN })).toEqual([]);
    expect(codes({ q: 'ly-10', sort: 'code' })).toEqual(['LY-101', 'LY-102', 'LY-103']);
    expect(codes({ q: 'ＬＹ－１０１' })).toEqual(['LY-101']);
    expect(codes({ q: '燕山' })).toEqual(['LY-101']);
  });

  it('sorts by lateness (most first), code, name and district, each ending on the code', () => {
    const late = matrixRows(campaign, digest, query({ sort: 'lateness' }));
    expect(late.map((r) => r.lateness)).toEqual([...late.map((r) => r.lateness)].sort((a, b) => b - a));
    expect(late.at(-1)?.lateness).toBe(0);
    expect(codes({ sort: 'code' })).toEqual(CODES.filter((c) => c !== 'CITY-000').sort());
    expect(codes({ sort: 'district' })).toEqual([
      'LY-000',
      'LY-101',
      'LY-102',
      'LY-103',
      'JT-000',
      'JT-101',
      'JT-102',
      'CZ-001',
      'CZ-002',
    ]);
    const names = matrixRows(campaign, digest, query({ sort: 'name' })).map((r) => r.unit.name);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, 'zh-CN')));
  });

  it('pages 50 rows at a time; a page past the last shows the last', () => {
    const rows = Array.from({ length: 120 }, (_, i) => i);
    expect(pageOf(rows, 1)).toMatchObject({ total: 120, page: 1, pages: 3 });
    expect(pageOf(rows, 1).rows).toHaveLength(PAGE_SIZE);
    expect(pageOf(rows, 3).rows).toEqual(rows.slice(100));
    expect(pageOf(rows, 9)).toMatchObject({ page: 3 });
    expect(pageOf([], 1)).toMatchObject({ rows: [], page: 1, pages: 1, total: 0 });
  });
});

describe('dashboard hazards and progress', () => {
  it('lists the open major hazards of the scope with deadline and overdue days, filterable', async () => {
    const office = await viewOf(OFFICE);
    expect(office.majors.rows.map((m) => [m.row.id, m.row.deadline, m.overdueDays])).toEqual([
      ['LY-102-H001', '2018-01-20', 2],
      ['JT-101-H001', '2018-02-28', null],
    ]);
    expect(office.openMajorCount).toBe(2);
    expect(office.overdueMajorCount).toBe(1);
    expect((await viewOf(OFFICE, { overdue: '1' })).majors.rows.map((m) => m.row.id)).toEqual([
      'LY-102-H001',
    ]);
    expect((await viewOf(OFFICE, { area: 'school-bus' })).majors.rows.map((m) => m.row.id)).toEqual([
      'JT-101-H001',
    ]);
    expect((await viewOf(OFFICE, { hq: '外墙' })).majors.rows.map((m) => m.row.id)).toEqual(['LY-102-H001']);
    expect((await viewOf(OFFICE, { hq: 'jt-101' })).majors.rows.map((m) => m.row.id)).toEqual([
      'JT-101-H001',
    ]);
    expect((await viewOf(LIYANG)).majors.rows.map((m) => m.row.id)).toEqual(['LY-102-H001']);
  });

  it('counts cumulative filings per campaign day, ending on the digest’s filed count', () => {
    const digest = buildDigest(snapshot, OFFICE);
    const [plan, summary] = progressSeries(figuresOfSnapshot(snapshot, OFFICE));
    expect(plan?.days[0]).toBe('2018-01-10');
    expect(plan?.days.at(-1)).toBe('2018-01-22');
    const byDay = Object.fromEntries((plan?.days ?? []).map((d, i) => [d, plan?.cumulative[i]]));
    expect(byDay).toMatchObject({
      '2018-01-11': 0,
      '2018-01-12': 1,
      '2018-01-18': 2,
      '2018-01-19': 3,
      '2018-01-20': 3,
      '2018-01-21': 4,
      '2018-01-22': 4,
    });
    const p = digest.progress[0];
    expect(plan?.cumulative.at(-1)).toBe((p?.onTime ?? 0) + (p?.late ?? 0));
    expect(plan?.required).toBe(p?.required);
    expect(summary?.cumulative.at(-1)).toBe(1);
    const liyang = progressSeries(figuresOfSnapshot(snapshot, LIYANG))[0];
    expect(liyang?.cumulative.at(-1)).toBe(3);
    expect(liyang?.required).toBe(4);
  });

  it('counts no filing made after the snapshot’s instant', () => {
    const later = {
      ...records,
      pointers: [...records.pointers, pointer('CZ-001', null, PLAN, '2018-01-22T05:00:00.000Z', false)],
    };
    const early = campaignSnapshot(campaign, later, pass, instant);
    const series = progressSeries(figuresOfSnapshot(early, OFFICE))[0];
    expect(series?.cumulative.at(-1)).toBe(4);
  });
});

describe('the page’s figures are the digest’s and its spreadsheet’s at the same instant', () => {
  for (const scope of [OFFICE, LIYANG]) {
    it(`for ${scope.kind === 'office' ? 'the city office' : 'the Liyang bureau'}`, async () => {
      const view = await viewOf(scope);
      const page = dashboardPage({ campaign, view, lang: 'zh', selfCode: 'CITY-000', viewerName: '安稳处' });
      const shown = figures(page);
      const digest = buildDigest(snapshot, scope);
      const workbook = await workbookOf(scope);

      // Progress per deliverable: page = digest = the overview sheet.
      const overview = dataRows(workbook, '概况');
      for (const p of digest.progress) {
        const fromPage = ['required', 'onTime', 'late', 'pending', 'overdue'].map((k) =>
          shown.get(`progress.${p.deliverableId}.${k}`),
        );
        expect(fromPage).toEqual([p.required, p.onTime, p.late, p.pending, p.overdue]);
        const sheetRow = overview.find((r) => r[0] === p.name.zh);
        expect(sheetRow?.slice(2, 7)).toEqual(fromPage);
      }

      // Hazards by area and level: page = digest = the overview sheet (general open, major open, general closed, major closed).
      for (const a of digest.areas) {
        const fromPage = [
          shown.get(`areas.${a.area}.open.general`),
          shown.get(`areas.${a.area}.open.major`),
          shown.get(`areas.${a.area}.closed.general`),
          shown.get(`areas.${a.area}.closed.major`),
        ];
        expect(fromPage).toEqual([a.open.general, a.open.major, a.closed.general, a.closed.major]);
        expect(overview.find((r) => r[0] === a.name.zh)?.slice(1, 5)).toEqual(fromPage);
      }

      // Units, ledger, open hazards and overdue majors.
      const filings = dataRows(workbook, '报送情况');
      const ledger = dataRows(workbook, '隐患台账');
      const overdue = dataRows(workbook, '逾期事项');
      expect(shown.get('units')).toBe(digest.units.length);
      expect(shown.get('units')).toBe(filings.length);
      expect(shown.get('hazards.ledger')).toBe(digest.ledgerCount);
      expect(shown.get('hazards.ledger')).toBe(ledger.length);
      expect(shown.get('hazards.open')).toBe(digest.stillOpen.count);
      expect(shown.get('hazards.open')).toBe(ledger.filter((r) => r[6] !== '已销号').length);
      expect(shown.get('hazards.overdueMajors')).toBe(digest.overdueMajors.length);
      const overdueMajorRows = overdue.filter((r) => r[0] === '重大隐患逾期');
      expect(shown.get('hazards.overdueMajors')).toBe(overdueMajorRows.length);
      expect(shown.get('hazards.openMajors')).toBe(
        ledger.filter((r) => r[5] === '重大事故隐患' && r[6] !== '已销号').length,
      );

      // Each overdue major's days: the page's list = the overdue sheet.
      for (const r of overdueMajorRows) {
        const id = String(r[4]).split(' ')[0] as string;
        const row = new RegExp(`data-hazard="${id}">[\\s\\S]*?逾期 (\\d+) 天`).exec(page);
        expect(Number(row?.[1])).toBe(r[6]);
      }

      // Each overdue deliverable's days: the matrix cells = the overdue sheet.
      const overdueCells = [...page.matchAll(/<tr data-unit="([^"]+)">([\s\S]*?)<\/tr>/g)].flatMap((m) =>
        [...(m[2] as string).matchAll(/逾期未报(\d+)天/g)].map((c) => `${m[1]}:${c[1]}`),
      );
      const overdueSheet = overdue.filter((r) => r[0] === '材料逾期').map((r) => `${r[2]}:${r[6]}`);
      expect(overdueCells.sort()).toEqual(overdueSheet.sort());
      expect(overdueCells.length).toBeGreaterThan(0);
    });
  }
});

describe('dashboard page', () => {
  it('is Chinese first, scriptless, and each cell has its state in words beside its colour', async () => {
    const view = await viewOf(OFFICE);
    const page = dashboardPage({ campaign, view, lang: 'zh', selfCode: 'CITY-000', viewerName: '安稳处' });
    expect(page).toContain('<html lang="zh-CN">');
    expect(page).not.toMatch(/<script/i);
    expect(page).toMatch(
      /<td class="cell t-late" data-state="filed-late"><span class="sym" aria-hidden="true">!<\/span>逾期报送·迟2天<br><span>2018-01-21 10:00<\/span><\/td>/,
    );
    expect(page).toContain(`href="${workspaceLinks.unit('LY-101')}"`);
    expect(page).toContain(`href="${workspaceLinks.hazard('LY-102', 'LY-102-H001')}"`);
    expect(page).toContain('<form class="filters" method="get" action="/w"');
    const english = dashboardPage({
      campaign,
      view,
      lang: 'en',
      selfCode: 'CITY-000',
      viewerName: 'Safety office',
    });
    expect(english).toContain('<html lang="en">');
    expect(english).toContain('filed 2 d late');
    expect(english).toContain(`href="/w/units/LY-101?lang=en"`);
    expect(english).toContain('<input type="hidden" name="lang" value="en">');
  });

  it('escapes what schools typed, and links the ledger with the unit filters only', async () => {
    const evil: CampaignRecords = {
      ...records,
      units: records.units.map((u) =>
        u.code === 'CZ-001' ? { ...u, name: '<script>alert(1)</script>"学校' } : u,
      ),
    };
    const evilHazards = [
      hazard(
        'CZ-001-H001',
        'CZ-001',
        null,
        sampleReport({ level: 'major', title: '<img src=x onerror=alert(1)>' }),
        {
          supervision: supervised('CITY-000', '2018-01-20'),
        },
      ),
    ];
    const evilPass = await passHazards(campaign, evil.units, evilHazards, instant, await fileSpool());
    const evilSnapshot = campaignSnapshot(campaign, evil, evilPass, instant);
    const q = query({ district: 'affiliated', q: 'CZ', area: 'fire-safety', hq: 'x', page: '1' });
    const view = await dashboardOfSnapshot(evilSnapshot, OFFICE, q);
    const page = dashboardPage({ campaign, view, lang: 'zh', selfCode: 'CITY-000', viewerName: '安稳处' });
    expect(page).not.toContain('<script>alert');
    expect(page).not.toContain('<img src=x');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot;学校');
    const ledger = /<a href="(\/w\/ledger\.xlsx[^"]*)" download>/.exec(page)?.[1]?.replaceAll('&amp;', '&');
    expect(Object.fromEntries(new URL(ledger ?? '', 'http://x').searchParams)).toEqual({
      district: 'affiliated',
      q: 'CZ',
    });
    expect(page).toMatch(
      /<form class="filters" method="get" action="\/w\/ledger\.xlsx">[\s\S]*?name="day" required max="2018-01-22"/,
    );
  });

  it('a bureau sees only its district: no district filter, no other district’s unit or hazard', async () => {
    const view = await viewOf(LIYANG);
    const page = dashboardPage({
      campaign,
      view,
      lang: 'zh',
      selfCode: 'LY-000',
      viewerName: '溧阳市教育局',
    });
    expect(page).not.toContain('name="district"');
    expect(page).not.toMatch(/JT-1|CZ-00/);
    // Its own row is not a link (no unit supervises itself).
    expect(page).not.toContain('href="/w/units/LY-000"');
    expect(page).toContain('href="/w/units/LY-101"');
  });

  it('pages keep the filters in their links', async () => {
    const many: CampaignRecords = {
      ...records,
      units: [
        ...records.units,
        ...Array.from({ length: 60 }, (_, i) =>
          sampleUnit('LY-101', { code: `LY-${String(200 + i)}`, name: `溧阳市示例学校${i}` }),
        ),
      ],
    };
    const manyPass = await passHazards(campaign, many.units, [], instant, await fileSpool());
    const big = campaignSnapshot(campaign, many, manyPass, instant);
    const q = query({ district: 'liyang', state: 'overdue', q: '示例', page: '1' });
    const view = await dashboardOfSnapshot(big, OFFICE, q);
    expect(view.matrix).toMatchObject({ total: 61, pages: 2, page: 1 });
    const page = dashboardPage({ campaign, view, lang: 'en', selfCode: 'CITY-000', viewerName: 'office' });
    const next = /<a href="([^"]+)#units" rel="next">/.exec(page)?.[1]?.replaceAll('&amp;', '&');
    expect(next).toBeDefined();
    const params = new URL(next ?? '', 'http://x').searchParams;
    expect(Object.fromEntries(params)).toEqual({
      district: 'liyang',
      state: 'overdue',
      q: '示例',
      page: '2',
      lang: 'en',
    });
    const second = await dashboardOfSnapshot(big, OFFICE, query(Object.fromEntries(params)));
    expect(second.matrix.rows).toHaveLength(11);
    expect(
      dashboardPage({ campaign, view: second, lang: 'en', selfCode: 'CITY-000', viewerName: 'office' }),
    ).toMatch(/rel="prev"/);
  });
});

describe('svg charts', () => {
  it('draws a line chart with its title, description, target and last value as text', () => {
    const svg = lineChart({
      id: 'c1',
      title: '累计报送',
      description: '已报 3 个，应报 5 个',
      xLabels: ['01-10', '01-11', '01-12'],
      values: [0, 1, 3],
      target: { value: 5, label: '应报 5' },
      marker: { index: 1, label: '截止 01-11' },
    }).toString();
    expect(svg).toMatch(/^<svg class="chart" id="c1" role="img" aria-labelledby="c1-title c1-desc"/);
    expect(svg).toContain('<title id="c1-title">累计报送</title>');
    expect(svg).toContain('<desc id="c1-desc">已报 3 个，应报 5 个</desc>');
    expect(svg).toContain('>应报 5</text>');
    expect(svg).toContain('>截止 01-11</text>');
    expect(svg).toMatch(/class="last"[^>]*>3<\/text>/);
    expect(svg).toContain('<polyline class="series" points="');
  });

  it('draws stacked bars with every figure in words and escapes labels', () => {
    const svg = stackedBarChart({
      id: 'c2',
      title: 'by area',
      description: 'd',
      segments: [
        { name: 'open', colour: '#a50e0e' },
        { name: 'closed', colour: '#137333' },
      ],
      bars: [
        { label: '<消防>', values: [2, 1], text: 'open 2, closed 1' },
        { label: 'empty', values: [0, 0], text: 'none' },
      ],
    }).toString();
    expect(svg).toContain('&lt;消防&gt;');
    expect(svg).toContain('>open 2, closed 1</text>');
    expect(svg.match(/<rect /g)).toHaveLength(4); // two legend keys, two segments; nothing drawn for zero
  });
});

/** The records above behind the readers `loadSnapshot` takes, as the repositories would give them. */
function readersOf(recs: CampaignRecords, hz: readonly HazardRecord[]): CampaignReaders {
  return {
    units: {
      all: async function* () {
        yield* recs.units;
      },
    },
    submissions: {
      allFilers: async function* (id: string) {
        yield* recs.pointers.filter((p) => p.deliverableId === id);
      },
    },
    hazards: {
      all: async function* () {
        yield* hz;
      },
    },
    zeroReports: {
      all: async function* () {
        yield* recs.zeroReports;
      },
    },
    bounces: {
      all: async function* () {
        yield* recs.bounces;
      },
    },
    sanctions: {
      all: async function* () {
        yield* recs.sanctions;
      },
    },
  };
}

describe('ledger download', () => {
  const now = at;

  it('stands now, at an ISO instant, or at a past day’s daily check; never in the future', () => {
    expect(ledgerInstant({}, campaign, now)).toEqual({ at: now, past: false });
    expect(ledgerInstant({ at: '2018-01-20T08:00:00+08:00' }, campaign, now)).toEqual({
      at: new Date('2018-01-20T00:00:00Z'),
      past: true,
    });
    expect(ledgerInstant({ day: '2018-01-20' }, campaign, now).at.toISOString()).toBe(
      '2018-01-20T00:00:00.000Z',
    );
    for (const params of [
      { at: '2018-01-20T08:00' },
      { at: 'yesterday' },
      { day: '2018-02-30' },
      { day: '20.1.2018' },
      { day: '2018-01-23' },
    ]) {
      try {
        ledgerInstant(params, campaign, now);
        expect.unreachable(JSON.stringify(params));
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        const [issue] = (error as ValidationError).issues;
        expect(issue?.path).toBe(Object.keys(params)[0]);
        expect(issue?.zh).toContain(Object.values(params)[0]);
        expect(issue?.en).toContain(Object.values(params)[0]);
      }
    }
  });

  it('takes a hazard back to where it stood: unborn, reopened, or not yet awaiting acceptance', () => {
    const closedLate = hazards.find((h) => h.id === 'LY-103-H001') as HazardRecord;
    const before = new Date('2018-01-20T00:00:00Z');
    expect(hazardAsOf(closedLate, before)).toMatchObject({
      status: 'rectifying',
      supervision: { deadline: '2018-01-25' },
    });
    expect(hazardAsOf(closedLate, before)?.closedAt).toBeUndefined();
    expect(hazardAsOf(closedLate, before)?.supervision?.delistedOn).toBeUndefined();
    expect(hazardAsOf(closedLate, new Date('2018-01-21T00:00:00Z'))).toBe(closedLate);
    expect(hazardAsOf(closedLate, new Date('2018-01-14T00:00:00Z'))).toBeNull();
    const asked = { ...closedLate, rectification: { note: '已整改', at: '2018-01-19T01:00:00.000Z' } };
    expect(hazardAsOf(asked, before)?.status).toBe('awaiting-acceptance');
    const waiting = { ...asked, status: 'awaiting-acceptance' as const, closedAt: undefined };
    expect(hazardAsOf(waiting, new Date('2018-01-18T00:00:00Z'))?.status).toBe('rectifying');
  });

  it('covers exactly the units the filters select: every sheet agrees', async () => {
    const q = query({ state: 'overdue', deliverable: PLAN });
    const spool = await fileSpool();
    const filtered = await loadFilteredSnapshot(
      campaign,
      readersOf(records, hazards),
      instant,
      spool,
      OFFICE,
      q,
    );
    const digest = buildDigest(filtered, OFFICE);
    const expected = matrixRows(campaign, figuresOfSnapshot(snapshot, OFFICE), q).map((r) => r.unit.code);
    expect(digest.units.map((u) => u.unit.code).sort()).toEqual([...expected].sort());
    expect(expected.sort()).toEqual(['CZ-001', 'CZ-002', 'JT-101', 'JT-102', 'LY-103']);
    expect(digest.ledgerCount).toBe(3);
    expect(digest.progress[0]).toMatchObject({ required: 5, onTime: 0, late: 0, overdue: 5 });
    const file = await digestWorkbookFile(campaign, digest, spool.rows('office'));
    const workbook = new ExcelJS.Workbook();
    const bytes = await file.bytes();
    await workbook.xlsx.load(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
    );
    await file.dispose();
    expect(
      dataRows(workbook, '隐患台账')
        .map((r) => r[0])
        .sort(),
    ).toEqual(['JT-101-H001', 'JT-102-H001', 'LY-103-H001']);
    expect(
      dataRows(workbook, '报送情况')
        .map((r) => r[1])
        .sort(),
    ).toEqual(expected.sort());
    await spool.dispose();
  });

  it('a bureau’s ledger holds only its district, whatever the filters', async () => {
    const spool = await fileSpool();
    const filtered = await loadFilteredSnapshot(
      campaign,
      readersOf(records, hazards),
      instant,
      spool,
      LIYANG,
      query({}, LIYANG),
    );
    const digest = buildDigest(filtered, LIYANG);
    expect(digest.units.map((u) => u.unit.code).sort()).toEqual(['LY-000', 'LY-101', 'LY-102', 'LY-103']);
    const rows = [];
    for await (const row of spool.rows('district:liyang')) rows.push(row.id);
    expect(rows.sort()).toEqual(['LY-101-H001', 'LY-102-H001', 'LY-103-H001']);
    await spool.dispose();
  });

  it('as of a past day: later filings and hazards left out, later closures reopened', async () => {
    const past = ledgerInstant({ day: '2018-01-20' }, campaign, now);
    const then = campaignInstant(campaign, past.at);
    const spool = await fileSpool();
    const later = [
      ...hazards,
      hazard('CZ-001-H001', 'CZ-001', null, sampleReport({ foundOn: '2018-01-21' }), {
        createdAt: '2018-01-21T01:00:00.000Z',
      }),
    ];
    const filtered = await loadFilteredSnapshot(
      campaign,
      readersAsOf(readersOf(records, later), past.at),
      then,
      spool,
      OFFICE,
      query(),
    );
    const digest = buildDigest(filtered, OFFICE);
    expect(digest.day).toBe('2018-01-20');
    // LY-102 filed on 01-21: on 01-20 it was one day overdue.
    const ly102 = digest.units.find((u) => u.unit.code === 'LY-102');
    expect(ly102?.deliverables[0]?.state).toEqual({ kind: 'overdue', days: 1 });
    expect(digest.progress[0]).toMatchObject({ onTime: 3, late: 0 });
    // CZ-001's hazard came later; LY-103's major (closed 01-20 11:00) and JT-102's (closed 01-21) were open.
    expect(digest.ledgerCount).toBe(5);
    expect(digest.stillOpen.count).toBe(5);
    const fire = digest.areas.find((a) => a.area === 'fire-safety');
    expect(fire?.open).toEqual({ general: 2, major: 1 });
    expect(fire?.closed).toEqual({ general: 0, major: 0 });
    await spool.dispose();
  });
});
