import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEMPLATE_COLUMNS } from '../../functions/shared/domain/hazards/hazard-import.ts';
import { allPages } from '../../functions/shared/domain/pages.ts';
import { manualClock, type TestApp, testApp } from '../support/local-app.ts';
import { EXAMPLE_ROW, hazardWorkbook } from '../support/workbooks.ts';

/** Bulk import through the real path: presigned form, object in S3, S3 event, xlsx read, DynamoDB. */
const clock = manualClock('2018-01-25T10:00:00+08:00');
let app: TestApp;
beforeAll(async () => {
  app = await testApp({ clock });
});
afterAll(() => app.cleanup());

const workbook = hazardWorkbook;
const example = [...EXAMPLE_ROW];
const upload = (unit: string, bytes: Uint8Array, fileName: string) =>
  app.importHazards(unit, bytes, fileName);

async function hazardCount(unit: string): Promise<number> {
  return (await allPages((page) => app.adapters.hazards.listForUnit(unit, page), 500)).length;
}

describe('bulk import of hazards', () => {
  it('imports 2,000 rows, numbered and counted, and the same file again imports nothing', {
    timeout: 180_000,
  }, async () => {
    const rows = Array.from({ length: 2000 }, (_, i) => {
      const row = [...example];
      row[2] = `隐患 ${i + 1}`;
      if (i % 10 === 0) row[1] = '重大事故隐患';
      return row;
    });
    const bytes = await workbook(rows);
    expect(await upload('LY-101', bytes, '全校隐患清单.xlsx')).toEqual([
      { outcome: 'imported', status: 'imported', rows: 2000 },
    ]);
    expect(await hazardCount('LY-101')).toBe(2000);
    expect(await app.adapters.units.get('LY-101')).toMatchObject({
      hazardSeq: 2000,
      openGeneral: 1800,
      openMajor: 200,
    });
    const last = await app.adapters.hazards.get('LY-101', 'LY-101-H2000');
    expect(last).toMatchObject({ title: '隐患 2000', status: 'registered' });
    expect((await app.adapters.hazards.get('LY-101', 'LY-101-H001'))?.supervision?.supervisorUnit).toBe(
      'LY-000',
    );
    expect((await app.adapters.hazards.history('LY-101', 'LY-101-H2000')).items[0]).toMatchObject({
      action: 'import',
      note: '全校隐患清单.xlsx',
    });

    expect(await upload('LY-101', bytes, '全校隐患清单（再传一次）.xlsx')).toEqual([
      { outcome: 'imported', status: 'imported', rows: 2000 },
    ]);
    expect(await hazardCount('LY-101')).toBe(2000);
    expect((await app.adapters.units.get('LY-101'))?.hazardSeq).toBe(2000);
  });

  it('imports nothing when one row is bad, and the page lists every error by row and column', async () => {
    const bad = [...example];
    bad[1] = '特大';
    bad[13] = '很多';
    const bytes = await workbook([example, bad, example]);
    expect(await upload('LY-102', bytes, '有错的清单.xlsx')).toEqual([
      { outcome: 'imported', status: 'rejected', rows: 3 },
    ]);
    expect(await hazardCount('LY-102')).toBe(0);
    expect((await app.adapters.units.get('LY-102'))?.hazardSeq).toBe(0);
    const page = (await app.http('GET', `/f/${app.links['LY-102']}`)).body;
    expect(page).toContain('有错的清单.xlsx');
    expect(page).toContain('未导入：有错误，整批未导入');
    expect(page).toMatch(/<td>3<\/td><td>隐患等级<\/td><td>只能是以下之一/);
    expect(page).toMatch(/<td>3<\/td><td>整改资金（元）<\/td>/);

    // A file that only looks like a workbook is refused as a whole, with the reason on the page.
    const broken = new Uint8Array(Buffer.from('PK\u0003\u0004 saved by a broken converter'));
    expect(await upload('LY-102', broken, '损坏的清单.xlsx')).toEqual([
      { outcome: 'imported', status: 'rejected', rows: 0 },
    ]);
    const brokenPage = (await app.http('GET', `/f/${app.links['LY-102']}`)).body;
    expect(brokenPage).toContain('损坏的清单.xlsx');
    expect(brokenPage).toContain('<td></td><td></td><td>无法读取：文件不是有效的 Excel 工作簿（.xlsx）');

    // Fixed and uploaded again, it goes in.
    const fixed = await workbook([example, example, example]);
    expect(await upload('LY-102', fixed, '改正后的清单.xlsx')).toEqual([
      { outcome: 'imported', status: 'imported', rows: 3 },
    ]);
    expect(await hazardCount('LY-102')).toBe(3);
  });

  it('an import cut short is finished by its retry, with no duplicates and the counters moved once', async () => {
    const { importHazards } = await import('../../functions/shared/domain/hazards/hazard-import-service.ts');
    const { validateImport } = await import('../../functions/shared/domain/hazards/hazard-import.ts');
    const rows = Array.from({ length: 30 }, (_, i) => ({
      row: i + 2,
      cells: Object.fromEntries(TEMPLATE_COLUMNS.map((c, j) => [c.field, j === 2 ? `重试 ${i}` : c.example])),
    }));
    expect(
      validateImport(app.adapters.campaign, rows, { today: '2018-01-25', earliest: '2017-01-01' }).ok,
    ).toBe(true);
    const unit = await app.adapters.units.get('WJ-101');
    if (!unit) throw new Error('setup');
    let failOnce = true;
    const flaky = Object.assign(Object.create(app.adapters.imports), {
      complete: (...args: Parameters<typeof app.adapters.imports.complete>) => {
        if (failOnce) {
          failOnce = false;
          return Promise.reject(new Error('Lambda timed out'));
        }
        return app.adapters.imports.complete(...args);
      },
    });
    const input = { unit, etag: 'retry-etag', fileName: 'retry.xlsx', rows, now: clock.now() };
    await expect(importHazards({ ...app.adapters, imports: flaky }, input)).rejects.toThrow(
      'Lambda timed out',
    );
    expect((await importHazards({ ...app.adapters, imports: flaky }, input)).status).toBe('imported');
    expect(await hazardCount('WJ-101')).toBe(30);
    expect(await app.adapters.units.get('WJ-101')).toMatchObject({ hazardSeq: 30, openGeneral: 30 });
    expect((await importHazards(app.adapters, input)).status).toBe('imported');
    expect(await app.adapters.units.get('WJ-101')).toMatchObject({ hazardSeq: 30, openGeneral: 30 });
  });

  it('hands out the template and refuses a non-xlsx upload', async () => {
    const template = await app.http('GET', `/f/${app.links['WJ-101']}/hazards/template.xlsx`);
    expect(template.statusCode).toBe(200);
    expect(template.headers['content-disposition']).toContain("filename*=UTF-8''%E9%9A%90%E6%82%A3");
    expect(Buffer.from(template.body, 'base64').subarray(0, 4)).toEqual(
      Buffer.from([0x50, 0x4b, 0x03, 0x04]),
    );
    const csv = await app.http('POST', `/f/${app.links['WJ-101']}/imports`, {
      body: JSON.stringify({ fileName: '清单.csv', size: 10 }),
    });
    expect(csv.statusCode).toBe(400);
    expect(JSON.parse(csv.body).issues[0].zh).toBe('不接受 .csv 文件；可接受：XLSX');
  });
});
