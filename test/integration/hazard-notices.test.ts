import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeHandler as makeSweepHandler } from '../../functions/outbox-sweep/handler.ts';
import { type NoticeDeps, sweepOutbox } from '../../functions/shared/domain/hazards/hazard-notices.ts';
import { actOnHazard, reportHazard } from '../../functions/shared/domain/hazards/hazard-service.ts';
import { hazardNoticeMail } from '../../functions/shared/mail/hazard-mail.ts';
import type { Mailer, OutboundMail } from '../../functions/shared/ports.ts';
import { localContext } from '../../infra/local/http-bridge.ts';
import { sampleReport } from '../support/fixtures.ts';
import { manualClock, type TestApp, testApp } from '../support/local-app.ts';
import { hazardRow, hazardWorkbook } from '../support/workbooks.ts';

/**
 * Immediate hazard notices through the real local servers: a receipt for every report, a notice
 * to the supervisor of a major hazard (reported, or reclassified as major), each once across
 * replays, a crash after the commit, a crash after the send, and concurrent sweeps.
 */
const clock = manualClock('2018-01-15T10:00:00+08:00');
let app: TestApp;

/** Records every send; `fail` makes the next sends throw, as a mail server that is down. */
class RecordingMailer implements Mailer {
  sent: OutboundMail[] = [];
  failing = false;
  async send(mail: OutboundMail) {
    if (this.failing) throw new Error('mail server unavailable');
    this.sent.push(mail);
    return { messageId: `local-${this.sent.length}` };
  }
}
const mailer = new RecordingMailer();

beforeAll(async () => {
  app = await testApp({ clock });
  // The HTTP handler reads its mailer from the adapters at each request.
  app.adapters.mailer = mailer;
});
afterAll(() => app.cleanup());
beforeEach(() => {
  mailer.sent = [];
  mailer.failing = false;
});

const notices = (): NoticeDeps => ({ ...app.adapters, renderNotice: hazardNoticeMail });
const email = async (unit: string) => (await app.adapters.units.get(unit))?.email ?? '';
const pending = async () => (await app.adapters.outbox.pending()).items;
const mailsTo = (address: string) => mailer.sent.filter((m) => m.to.includes(address));

const FIELDS = {
  area: 'school-buildings',
  level: 'major',
  title: '教学楼外墙瓷砖脱落',
  description: '北侧外墙瓷砖松动脱落',
  location: '教学楼北侧',
  foundOn: '2018-01-15',
  source: 'self-check',
  fixedOnSpot: 'no',
  'five.owner.name': '王主任',
  'five.owner.role': '总务主任',
  'five.owner.phone': '0519-00001001',
  'five.measures': '设置隔离区，聘请施工单位修复',
  'five.funds.amountYuan': '30000',
  'five.funds.source': '专项经费',
  'five.deadline': '2018-02-10',
  'five.contingency': '设置警戒线，专人看护',
};

function post(unit: string, body: Record<string, string>) {
  return app.http('POST', `/f/${app.links[unit]}/hazards`, {
    body: new URLSearchParams(body).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
}

describe('a new major hazard', () => {
  it('mails its supervisor and its unit at once, with title, unit, level, area and deadline; the replay mails nothing', async () => {
    const form = { formKey: randomUUID(), ...FIELDS };
    const response = await post('LY-101', form);
    expect(response.statusCode).toBe(303);
    const [bureau, school] = [await email('LY-000'), await email('LY-101')];
    expect(mailer.sent).toHaveLength(2);
    const [notice] = mailsTo(bureau);
    expect(notice?.subject).toContain('【重大隐患督办】');
    expect(notice?.subject).toContain('LY-101-H001');
    const text = notice?.text ?? '';
    for (const fact of ['教学楼外墙瓷砖脱落', 'LY-101', '重大事故隐患', '校舍', '2018-02-10', 'Major hazard'])
      expect(text).toContain(fact);
    expect(text.indexOf('隐患名称')).toBeLessThan(text.indexOf('Title:'));
    const [receipt] = mailsTo(school);
    expect(receipt?.subject).toContain('【回执】隐患 LY-101-H001 已登记');
    expect(receipt?.text).toContain('2018-02-10');
    expect(await pending()).toEqual([]);

    // The same form again (a double click, a replay): the same hazard, no mail.
    expect((await post('LY-101', form)).statusCode).toBe(303);
    expect(mailer.sent).toHaveLength(2);
    expect(await sweepOutbox(notices())).toMatchObject({ found: 0, sent: 0 });
    expect(mailer.sent).toHaveLength(2);
  });

  it('a general report gets its receipt only', async () => {
    const response = await post('LY-102', {
      formKey: randomUUID(),
      ...FIELDS,
      level: 'general',
      title: '门卫室灭火器过期',
    });
    expect(response.statusCode).toBe(303);
    expect(mailer.sent.map((m) => m.to)).toEqual([[await email('LY-102')]]);
    expect(mailer.sent[0]?.text).toContain('门卫室灭火器过期');
  });
});

describe('a crash between storing the hazard and sending', () => {
  it('loses no mail: the sweep sends what the dead request owed, once, and a second sweep nothing', async () => {
    // The request stored the hazard and died before sending (no `notify`): only the outbox holds the mails.
    const unit = await app.adapters.units.get('WJ-101');
    if (!unit) throw new Error('WJ-101 missing');
    const hazard = await reportHazard(
      app.adapters,
      unit,
      sampleReport({ level: 'major', title: '实验楼配电箱漏电' }),
      randomUUID(),
    );
    expect(mailer.sent).toEqual([]);
    expect((await pending()).map((i) => i.kind).sort()).toEqual(['hazard-receipt', 'major-hazard']);

    expect(await sweepOutbox(notices())).toEqual({ found: 2, sent: 2, refused: 0, left: 0 });
    expect(mailsTo(await email('WJ-000')).map((m) => m.subject)).toEqual([
      expect.stringContaining(hazard.id),
    ]);
    expect(mailsTo(await email('WJ-101'))).toHaveLength(1);
    expect(await sweepOutbox(notices())).toEqual({ found: 0, sent: 0, refused: 0, left: 0 });
    expect(mailer.sent).toHaveLength(2);
    const item = await app.adapters.outbox.get('WJ-101', `major-hazard#${hazard.id}#v1`);
    expect(item).toMatchObject({ outcome: 'sent', doneAt: expect.any(String) });
  });

  it('a major-hazard notice left to the sweep is dropped if the report was withdrawn meanwhile; the receipt still goes', async () => {
    const unit = await app.adapters.units.get('WJ-101');
    if (!unit) throw new Error('WJ-101 missing');
    const hazard = await reportHazard(
      app.adapters,
      unit,
      sampleReport({ level: 'major', title: '误报：食堂燃气泄漏' }),
      randomUUID(),
    );
    await actOnHazard(
      app.adapters,
      unit,
      'WJ-101',
      hazard.id,
      { kind: 'withdraw', reason: '误报，已核实无泄漏' },
      hazard.version,
    );
    expect(await sweepOutbox(notices())).toEqual({ found: 2, sent: 1, refused: 1, left: 0 });
    expect(mailsTo(await email('WJ-000'))).toEqual([]);
    expect(mailsTo(await email('WJ-101'))).toHaveLength(1);
    expect(await app.adapters.outbox.get('WJ-101', `major-hazard#${hazard.id}#v1`)).toMatchObject({
      outcome: 'refused',
    });
  });

  it('a mail server down at the report leaves the mails owed; the sweep sends them when it is back', async () => {
    mailer.failing = true;
    const response = await post('LY-101', { formKey: randomUUID(), ...FIELDS, title: '围墙倾斜' });
    expect(response.statusCode).toBe(303);
    expect(await pending()).toHaveLength(2);
    // The scheduled function itself, as EventBridge Scheduler invokes it every minute.
    const scheduled = makeSweepHandler(app.adapters);
    expect(await scheduled({}, localContext('outbox-sweep'))).toMatchObject({ found: 2, sent: 0, left: 2 });
    mailer.failing = false;
    expect(await scheduled({}, localContext('outbox-sweep'))).toMatchObject({ found: 2, sent: 2, left: 0 });
    expect(mailer.sent.map((m) => m.subject).filter((s) => s.includes('重大隐患督办'))).toHaveLength(1);
    expect(mailer.sent).toHaveLength(2);
  });

  it('a crash after the send, before the outbox was marked, sends nothing again', async () => {
    // The send went out and the mail log says so, but the outbox item was never marked done.
    const deps = notices();
    const dying: NoticeDeps = {
      ...deps,
      outbox: {
        ...deps.outbox,
        pending: (page) => deps.outbox.pending(page),
        get: (u, id) => deps.outbox.get(u, id),
        markDone: async () => {
          throw new Error('killed before marking the outbox');
        },
      },
    };
    const unit = await app.adapters.units.get('LY-102');
    if (!unit) throw new Error('LY-102 missing');
    await reportHazard(app.adapters, unit, sampleReport({ title: '食堂排烟管道积油' }), randomUUID());
    expect(await sweepOutbox(dying)).toMatchObject({ found: 1, sent: 0, left: 1 });
    expect(mailer.sent).toHaveLength(1);
    expect(await sweepOutbox(deps)).toMatchObject({ found: 1, sent: 1, left: 0 });
    expect(mailer.sent).toHaveLength(1);
    expect(await pending()).toEqual([]);
  });
});

describe('concurrent sweeps', () => {
  it('send each owed mail once', async () => {
    const unit = await app.adapters.units.get('LY-102');
    if (!unit) throw new Error('LY-102 missing');
    for (const title of ['一号楼楼梯扶手松动', '二号楼楼梯扶手松动', '三号楼楼梯扶手松动']) {
      await reportHazard(app.adapters, unit, sampleReport({ title, level: 'major' }), randomUUID());
    }
    expect(await pending()).toHaveLength(6);
    const reports = await Promise.all(Array.from({ length: 5 }, () => sweepOutbox(notices())));
    expect(reports.reduce((n, r) => n + r.sent, 0)).toBeGreaterThanOrEqual(6);
    // A sweep that found a mail in flight elsewhere leaves it; the next one finds it sent and marks it.
    await sweepOutbox(notices());
    expect(await pending()).toEqual([]);
    const subjects = mailer.sent.map((m) => `${m.to.join()} ${m.subject}`);
    expect(subjects).toHaveLength(6);
    expect(new Set(subjects).size).toBe(6);
  });
});

describe('a hazard reclassified as major', () => {
  it('mails its supervisor once, naming the new level', async () => {
    const created = await post('LY-102', {
      formKey: randomUUID(),
      ...FIELDS,
      level: 'general',
      title: '化学品储存柜无锁',
    });
    const id = (created.headers.location ?? '').split('/').at(-1) ?? '';
    mailer.sent = [];
    const fields = {
      action: 'reclassify',
      version: '1',
      level: 'major',
      area: 'hazardous-chemicals',
      reason: '危化品管理，列为重大隐患',
    };
    const act = () =>
      app.http('POST', `/f/${app.links['LY-000']}/hazards/LY-102/${id}/actions`, {
        body: new URLSearchParams(fields).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
    expect((await act()).statusCode).toBe(303);
    expect((await act()).statusCode).toBe(303);
    expect(mailer.sent.map((m) => m.to)).toEqual([[await email('LY-000')]]);
    expect(mailer.sent[0]?.text).toContain('化学品储存柜无锁');
    expect(mailer.sent[0]?.text).toContain('危化品');
    expect(await sweepOutbox(notices())).toMatchObject({ found: 0 });
  });
});

describe('major hazards in a bulk import', () => {
  it('mail their supervisor once each, at once or from the sweep if the mail server is down; the same file again mails nothing', async () => {
    const rows = [
      hazardRow({ level: '重大', title: '锅炉房压力表失效', 'five.deadline': '2018-02-10' }),
      hazardRow({ title: '走廊灯不亮' }),
      hazardRow({ level: '重大', title: '围墙倾斜', 'five.deadline': '2018-02-20' }),
    ];
    const bytes = await hazardWorkbook(rows);
    const bureau = await email('LY-000');
    mailer.failing = true;
    expect(await app.importHazards('LY-101', bytes, '隐患清单.xlsx')).toMatchObject([
      { outcome: 'imported', status: 'imported', rows: 3 },
    ]);
    expect(mailer.sent).toHaveLength(0);
    expect((await pending()).map((item) => item.kind)).toEqual(['major-hazard', 'major-hazard']);

    mailer.failing = false;
    expect(await sweepOutbox(notices())).toMatchObject({ found: 2 });
    expect(mailer.sent.map((m) => m.to)).toEqual([[bureau], [bureau]]);
    expect(mailer.sent.map((m) => m.subject).join()).toMatch(
      /锅炉房压力表失效[\s\S]*围墙倾斜|围墙倾斜[\s\S]*锅炉房压力表失效/,
    );

    // The same workbook uploaded again imports nothing and owes nothing.
    expect(await app.importHazards('LY-101', bytes, '隐患清单（再传）.xlsx')).toMatchObject([
      { outcome: 'imported', status: 'imported', rows: 3 },
    ]);
    expect(await sweepOutbox(notices())).toMatchObject({ found: 0 });
    expect(mailer.sent).toHaveLength(2);
  });

  it('are mailed at once when the mail server is up', async () => {
    const bytes = await hazardWorkbook([hazardRow({ level: '重大', title: '实验楼消防栓无水' })]);
    expect(await app.importHazards('LY-102', bytes, '实验楼.xlsx')).toMatchObject([{ outcome: 'imported' }]);
    expect(mailer.sent.map((m) => m.to)).toEqual([[await email('LY-000')]]);
    expect(await pending()).toEqual([]);
  });
});
