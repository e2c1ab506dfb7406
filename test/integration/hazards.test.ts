import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError } from '../../functions/shared/domain/errors.ts';
import { FIVE_FORM, REPORT_FORM } from '../support/fixtures.ts';
import { manualClock, type TestApp, testApp } from '../support/local-app.ts';

/**
 * Hazards through the same HTTP handler Lambda runs (forms as a browser without script posts
 * them), with real adapters on DynamoDB Local and a clock the test moves.
 */
const clock = manualClock('2018-01-15T10:00:00+08:00');
let app: TestApp;

beforeAll(async () => {
  app = await testApp({ clock });
});
afterAll(() => app.cleanup());

function reportForm(fields: Record<string, string>): string {
  return new URLSearchParams({ formKey: randomUUID(), ...REPORT_FORM, ...fields }).toString();
}

const form = { 'content-type': 'application/x-www-form-urlencoded' };
const page = async (unit: string, path = '') => (await app.http('GET', `/f/${app.links[unit]}${path}`)).body;

async function report(unit: string, fields: Record<string, string> = {}): Promise<string> {
  const response = await app.http('POST', `/f/${app.links[unit]}/hazards`, {
    body: reportForm(fields),
    headers: form,
  });
  expect(response.statusCode).toBe(303);
  const location = response.headers.location ?? '';
  return location.slice(location.lastIndexOf('/') + 1);
}

/** Posts an action as the hazard page's form does: with the version the page showed (the current one). */
async function act(asUnit: string, hazardUnit: string, id: string, fields: Record<string, string>) {
  const version = String((await app.adapters.hazards.get(hazardUnit, id))?.version ?? 0);
  return app.http('POST', `/f/${app.links[asUnit]}/hazards/${hazardUnit}/${id}/actions`, {
    body: new URLSearchParams({ version, ...fields }).toString(),
    headers: form,
  });
}

describe('a general hazard', () => {
  it('is reported, rectified and closed out by the school itself, with every step in its history', async () => {
    const id = await report('LY-102');
    expect(id).toBe('LY-102-H001');
    expect((await app.adapters.units.get('LY-102'))?.openGeneral).toBe(1);
    const steps: Record<string, string>[] = [
      { action: 'start-rectifying' },
      { action: 'submit-for-acceptance', note: '杂物已清理，张贴禁停标志' },
      { action: 'accept', note: '自行验收合格' },
    ];
    for (const fields of steps) {
      expect((await act('LY-102', 'LY-102', id, fields)).statusCode).toBe(303);
    }
    const hazard = await app.adapters.hazards.get('LY-102', id);
    expect(hazard).toMatchObject({ status: 'closed', version: 4 });
    expect((await app.adapters.units.get('LY-102'))?.openGeneral).toBe(0);
    const history = (await app.adapters.hazards.history('LY-102', id)).items;
    expect(history.map((e) => [e.seq, e.action, e.byUnit])).toEqual([
      [1, 'report', 'LY-102'],
      [2, 'start-rectifying', 'LY-102'],
      [3, 'submit-for-acceptance', 'LY-102'],
      [4, 'accept', 'LY-102'],
    ]);
    const html = await page('LY-102', `/hazards/LY-102/${id}`);
    expect(html).toContain('已销号');
    expect(html).toContain('杂物已清理，张贴禁停标志');
  });

  it('fixed on the spot, it is closed out at once with its note', async () => {
    const fields = Object.fromEntries(Object.keys(FIVE_FORM).map((k) => [k, '']));
    const id = await report('LY-102', {
      ...fields,
      fixedOnSpot: 'yes',
      fixNote: '当场清理完毕',
      title: '灭火器过期',
    });
    expect(await app.adapters.hazards.get('LY-102', id)).toMatchObject({ status: 'closed' });
    expect((await app.adapters.units.get('LY-102'))?.openGeneral).toBe(0);
  });

  it('a bad report comes back filled in with each error in place, and stores nothing', async () => {
    const before = await app.adapters.units.get('WJ-101');
    const response = await app.http('POST', `/f/${app.links['WJ-101']}/hazards`, {
      body: reportForm({
        title: '',
        'five.deadline': '',
        'five.funds.amountYuan': '-5',
        location: '<script>x</script>',
      }),
      headers: form,
    });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('请改正标出的项目');
    expect(response.body).toContain('value="&lt;script&gt;x&lt;/script&gt;"');
    expect(response.body).toContain(
      'name="title" value=""><span class="error">必填 <span class="muted">is required</span></span>',
    );
    expect(response.body).toContain('<span class="error">金额请只写数字（元），例如 2000 或 1500.50');
    expect(response.body).toContain('value="-5"');
    expect(await app.adapters.units.get('WJ-101')).toEqual(before);
    const none = await app.http('POST', `/f/${app.links['WJ-101']}/hazards`, {
      body: reportForm(Object.fromEntries(Object.keys(FIVE_FORM).map((k) => [k, '']))),
      headers: form,
    });
    expect(none.body).toContain('必须落实责任、措施、资金、时限和预案');
  });
});

describe('a major hazard under listed supervision', () => {
  let id: string;
  beforeAll(async () => {
    id = await report('LY-101', { level: 'major', title: '教学楼外墙脱落' });
  });

  it('is listed with the district bureau, which sees it; another district’s bureau cannot reach it', async () => {
    const hazard = await app.adapters.hazards.get('LY-101', id);
    expect(hazard?.supervision).toEqual({
      supervisorUnit: 'LY-000',
      listedOn: '2018-01-15',
      deadline: '2018-01-31',
      extensions: [],
    });
    expect(await page('LY-000')).toContain('教学楼外墙脱落');
    expect(await page('WJ-000')).not.toContain('教学楼外墙脱落');
    expect((await app.http('GET', `/f/${app.links['WJ-000']}/hazards/LY-101/${id}`)).statusCode).toBe(404);
    expect((await act('WJ-000', 'LY-101', id, { action: 'start-rectifying' })).statusCode).toBe(404);
    // Its own bureau sees it, but cannot act as the school.
    expect((await act('LY-000', 'LY-101', id, { action: 'start-rectifying' })).statusCode).toBe(403);
    expect((await app.http('GET', `/f/${app.links['LY-102']}/hazards/LY-101/${id}`)).statusCode).toBe(404);
  });

  it('is overdue after its deadline on both sides, and an extension the bureau grants moves the deadline', async () => {
    clock.set('2018-01-31T23:59:00+08:00');
    expect(await page('LY-101')).not.toContain('督办逾期');
    clock.set('2018-02-01T00:00:00+08:00');
    expect(await page('LY-101')).toContain('督办逾期');
    expect(await page('LY-000')).toContain('督办逾期');

    expect(
      (
        await act('LY-101', 'LY-101', id, {
          action: 'request-extension',
          newDeadline: '2018-02-28',
          reason: '需招标施工',
        })
      ).statusCode,
    ).toBe(303);
    expect((await act('LY-101', 'LY-101', id, { action: 'decide-extension', grant: 'yes' })).statusCode).toBe(
      403,
    );
    expect(
      (await act('LY-000', 'LY-101', id, { action: 'decide-extension', grant: 'yes', note: '同意' }))
        .statusCode,
    ).toBe(303);
    expect((await app.adapters.hazards.get('LY-101', id))?.supervision?.deadline).toBe('2018-02-28');
    expect(await page('LY-101')).not.toContain('督办逾期');
  });

  it('only the bureau accepts; a refusal keeps it on the books with the reason; then it is delisted and closed out', async () => {
    await act('LY-101', 'LY-101', id, { action: 'start-rectifying' });
    await act('LY-101', 'LY-101', id, { action: 'submit-for-acceptance', note: '外墙已修复' });
    const bySchool = await act('LY-101', 'LY-101', id, { action: 'accept' });
    expect(bySchool.statusCode).toBe(403);
    expect(bySchool.body).toContain('重大隐患由督办单位验收');

    expect((await act('LY-000', 'LY-101', id, { action: 'refuse', reason: '仍有空鼓' })).statusCode).toBe(
      303,
    );
    expect(await page('LY-101', `/hazards/LY-101/${id}`)).toContain('验收未通过，继续挂账：仍有空鼓');
    const illegal = await act('LY-000', 'LY-101', id, { action: 'accept' });
    expect(illegal.statusCode).toBe(409);
    expect(illegal.body).toContain('当前为「整改中」，不能「验收通过（销号）」');

    await act('LY-101', 'LY-101', id, { action: 'submit-for-acceptance', note: '空鼓已处理' });
    expect((await act('LY-000', 'LY-101', id, { action: 'accept', note: '验收合格' })).statusCode).toBe(303);
    const hazard = await app.adapters.hazards.get('LY-101', id);
    expect(hazard).toMatchObject({ status: 'closed', supervision: { delistedOn: '2018-02-01' } });
    expect((await app.adapters.units.get('LY-101'))?.openMajor).toBe(0);
    const history = (await app.adapters.hazards.history('LY-101', id)).items;
    expect(history.filter((e) => e.byUnit === 'LY-000').map((e) => e.action)).toEqual([
      'decide-extension',
      'refuse',
      'accept',
    ]);
  });

  it('history is never rewritten: a write over an existing entry is refused and the entry stays', async () => {
    const hazard = await app.adapters.hazards.get('LY-101', id);
    const history = (await app.adapters.hazards.history('LY-101', id)).items;
    const last = history.at(-1);
    if (!hazard || !last) throw new Error('setup');
    // Even with the right next version, an entry under an existing sequence number is refused.
    const forged = { ...hazard, title: '改写', version: hazard.version + 1 };
    await expect(
      app.adapters.hazards.update(forged, { ...last, note: '改写历史', changes: [] }, {}),
    ).rejects.toBeInstanceOf(ConflictError);
    const stale = { ...hazard, title: '改写', version: hazard.version };
    await expect(
      app.adapters.hazards.update(stale, { ...last, seq: hazard.version + 1, note: '过期版本' }, {}),
    ).rejects.toBeInstanceOf(ConflictError);
    expect((await app.adapters.hazards.history('LY-101', id)).items).toEqual(history);
    expect(await app.adapters.hazards.get('LY-101', id)).toEqual(hazard);
  });
});

describe('the city safety office', () => {
  it('supervises the major hazards of directly affiliated units, and marks changes after the drive closed', async () => {
    clock.set('2018-03-20T09:00:00+08:00');
    const id = await report('CZ-001', {
      level: 'major',
      title: '锅炉压力表失效',
      area: 'special-equipment',
      'five.deadline': '2018-04-15',
    });
    expect((await app.adapters.hazards.get('CZ-001', id))?.supervision?.supervisorUnit).toBe('CITY-000');
    expect(await page('CITY-000')).toContain('锅炉压力表失效');
    expect(await page('LY-000')).not.toContain('锅炉压力表失效');

    clock.set('2018-04-02T09:00:00+08:00');
    await act('CZ-001', 'CZ-001', id, { action: 'start-rectifying' });
    const history = (await app.adapters.hazards.history('CZ-001', id)).items;
    expect(history.map((e) => e.afterClose)).toEqual([false, true]);
    expect(await page('CITY-000', `/hazards/CZ-001/${id}`)).toContain('行动结束后');
  });
});

describe('a zero report (零报告)', () => {
  it('is recorded unlike silence, and withdrawn when a hazard is reported after all', async () => {
    clock.set('2018-01-20T09:00:00+08:00');
    expect(await page('WJ-101')).toContain('尚未上报隐患，也未提交零报告');
    const zero = (fields: Record<string, string>) =>
      app.http('POST', `/f/${app.links['WJ-101']}/zero-report`, {
        body: new URLSearchParams(fields).toString(),
        headers: form,
      });

    const future = await zero({ action: 'confirm', checkedOn: '2018-01-21' });
    expect(future.statusCode).toBe(400);
    expect(future.body).toContain('请填写自查日期（不晚于今天 2018-01-20）');
    expect(await app.adapters.zeroReports.get('WJ-101')).toBeNull();

    expect((await zero({ action: 'confirm', checkedOn: '2018-01-19' })).statusCode).toBe(303);
    const filed = await page('WJ-101');
    expect(filed).toContain('已提交零报告');
    expect(filed).toContain('2018-01-19 自查未发现隐患');
    expect(filed).not.toContain('尚未上报隐患');

    const id = await report('WJ-101', { title: '食堂燃气报警器失灵', area: 'food-safety' });
    expect(await app.adapters.zeroReports.get('WJ-101')).toMatchObject({
      checkedOn: '2018-01-19',
      withdrawnFor: id,
    });
    expect(await page('WJ-101')).toContain(`零报告（2018-01-19 自查）已撤回：已上报隐患 ${id}`);

    const whileOpen = await zero({ action: 'confirm', checkedOn: '2018-01-20' });
    expect(whileOpen.statusCode).toBe(409);
    expect(whileOpen.body).toContain('还有 1 条未销号的隐患');
    const audit = (await app.adapters.audit.listDay('2018-01-20')).items.filter((e) => e.actor === 'WJ-101');
    expect(audit.map((e) => e.action)).toEqual(['zero-report']);
  });
});

describe('photos of a hazard', () => {
  it('are images uploaded as documents are, added through the history once, and visible to the supervisor', async () => {
    clock.set('2018-01-22T09:00:00+08:00');
    const id = await report('LY-101', { level: 'major', title: '围墙倾斜' });
    const ask = (unit: string, body: Record<string, unknown>) =>
      app.http('POST', `/f/${app.links[unit]}/hazards/LY-101/${id}/photos`, { body: JSON.stringify(body) });

    const refused = await ask('LY-101', { photoKind: 'before', fileName: '现场.pdf', size: 100 });
    expect(refused.statusCode).toBe(400);
    expect(JSON.parse(refused.body).issues[0].zh).toBe('不接受 .pdf 文件；可接受：JPG, PNG');
    expect((await ask('LY-000', { photoKind: 'before', fileName: 'a.jpg', size: 100 })).statusCode).toBe(403);

    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
    const asked = await ask('LY-101', { photoKind: 'before', fileName: '围墙现场.png', size: png.length });
    expect(asked.statusCode).toBe(200);
    const { key } = JSON.parse(asked.body) as { key: string };
    const { PutObjectCommand } = await import('@aws-sdk/client-s3');
    const { testClients } = await import('../support/tables.ts');
    const put = await testClients().s3.send(
      new PutObjectCommand({ Bucket: app.adapters.documents.bucket, Key: key, Body: png }),
    );
    const etag = (put.ETag ?? '').replaceAll('"', '');
    expect(await app.s3Created(key, etag, clock.now())).toEqual([{ outcome: 'accepted', version: 2 }]);
    expect(await app.s3Created(key, etag, clock.now())).toEqual([{ outcome: 'duplicate' }]);

    const hazard = await app.adapters.hazards.get('LY-101', id);
    // The photo is filed apart from incoming/, under its upload and the SHA-256 of its bytes.
    const { createHash } = await import('node:crypto');
    const sha256 = createHash('sha256').update(png).digest('hex');
    expect(hazard?.photos).toEqual([
      {
        key: `files/LY-101/${id}/${key.split('/').at(-1)}/${sha256}`,
        kind: 'before',
        displayName: '围墙现场.png',
        contentType: 'image/png',
        addedAt: clock.now().toISOString(),
      },
    ]);
    expect((await app.adapters.hazards.history('LY-101', id)).items.map((e) => e.action)).toEqual([
      'report',
      'add-photo',
    ]);
    expect(await page('LY-000', `/hazards/LY-101/${id}`)).toContain('围墙现场.png');
    expect(
      (await app.http('GET', `/f/${app.links['LY-000']}/hazards/LY-101/${id}/photos/0`)).statusCode,
    ).toBe(302);
    expect(
      (await app.http('GET', `/f/${app.links['WJ-000']}/hazards/LY-101/${id}/photos/0`)).statusCode,
    ).toBe(404);
  });
});

describe('the contingency plan', () => {
  it('may be attached as a document instead of written; until then the hazard shows it missing', async () => {
    const id = await report('LY-102', { level: 'major', title: '锅炉房排风故障', 'five.contingency': '' });
    const hazardPath = `/hazards/LY-102/${id}`;
    const before = await page('LY-102', hazardPath);
    expect(before).toContain('未提供：请填写或上传应急预案');
    expect(before).toContain('上传应急预案文件');
    const { hasFiveImplementations } = await import(
      '../../functions/shared/domain/hazards/hazard-lifecycle.ts'
    );
    expect(hasFiveImplementations((await app.adapters.hazards.get('LY-102', id)) as never)).toBe(false);

    const ask = (body: Record<string, unknown>) =>
      app.http('POST', `/f/${app.links['LY-102']}/hazards/LY-102/${id}/photos`, {
        body: JSON.stringify(body),
      });
    expect((await ask({ photoKind: 'plan', fileName: '预案.exe', size: 10 })).statusCode).toBe(400);
    const pdf = new TextEncoder().encode('%PDF-1.4 plan');
    const asked = await ask({ photoKind: 'plan', fileName: '锅炉房应急预案.pdf', size: pdf.length });
    expect(asked.statusCode).toBe(200);
    const { key } = JSON.parse(asked.body) as { key: string };
    const { PutObjectCommand } = await import('@aws-sdk/client-s3');
    const { testClients } = await import('../support/tables.ts');
    const put = await testClients().s3.send(
      new PutObjectCommand({ Bucket: app.adapters.documents.bucket, Key: key, Body: pdf }),
    );
    expect(await app.s3Created(key, (put.ETag ?? '').replaceAll('"', ''), clock.now())).toMatchObject([
      { outcome: 'accepted' },
    ]);

    const after = await page('LY-102', hazardPath);
    expect(after).toContain('应急预案：<a');
    expect(after).toContain('见附件');
    expect(hasFiveImplementations((await app.adapters.hazards.get('LY-102', id)) as never)).toBe(true);
  });
});

describe('the city safety office itself', () => {
  it('supervises but reports no hazards of its own', async () => {
    const response = await app.http('POST', `/f/${app.links['CITY-000']}/hazards`, {
      body: reportForm({}),
      headers: form,
    });
    expect(response.statusCode).toBe(403);
    expect(response.body).toContain('市教育局安稳处负责督办，不上报隐患');
    expect((await app.adapters.units.get('CITY-000'))?.hazardSeq).toBe(0);
  });

  it('refuses an impossible extension date rather than storing it', async () => {
    clock.set('2018-01-22T09:00:00+08:00');
    const id = await report('WJ-000', { level: 'major', title: '办公楼电梯异响' });
    const response = await act('WJ-000', 'WJ-000', id, {
      action: 'request-extension',
      newDeadline: '2018-02-30',
      reason: 'x',
    });
    expect(response.statusCode).toBe(400);
    expect((await app.adapters.hazards.get('WJ-000', id))?.supervision?.extensions).toEqual([]);
  });
});
