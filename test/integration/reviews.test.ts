import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { fileSpool } from '../../functions/shared/adapters/fs/ledger-spool.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../functions/shared/domain/errors.ts';
import {
  type ReviewActor,
  type ReviewDeps,
  reviewVersion,
} from '../../functions/shared/domain/filing/reviews.ts';
import { buildDigest } from '../../functions/shared/domain/report/digest.ts';
import { campaignInstant } from '../../functions/shared/domain/report/instant.ts';
import { loadSnapshot } from '../../functions/shared/domain/report/snapshot.ts';
import { reviewMail } from '../../functions/shared/mail/review-mail.ts';
import type { Mailer } from '../../functions/shared/ports.ts';
import { manualClock, type TestApp, testApp } from '../support/local-app.ts';

/**
 * Issue 13, "Decisions: Send back", against the embedded servers: a supervisor sends a filed
 * version back with a reason or accepts it; the school sees it on its page and gets one mail;
 * the digest counts it as not accepted until the school files again; every decision is kept.
 */
const PLAN = 'implementation-plan';
const pdf = (text: string) => new TextEncoder().encode(`%PDF-1.7\n% ${text}\n`);
const unescapeHtml = (s: string) =>
  s.replaceAll('&amp;', '&').replaceAll('&quot;', '"').replaceAll('&#39;', "'");

describe('sending back and accepting filed versions', () => {
  const clock = manualClock('2018-01-18T09:00:00+08:00');
  let app: TestApp;
  let deps: ReviewDeps;

  const file = (unit: string, bytes: Uint8Array) => app.file(unit, PLAN, '实施方案.pdf', bytes);

  const body = async (code: string): Promise<ReviewActor> => ({
    body: (await app.adapters.units.get(code)) ?? expect.fail(`no unit ${code}`),
    reviewer: null,
    actor: code,
  });
  const reviewer = async (id: string, name: string): Promise<ReviewActor> => ({
    body: (await app.adapters.units.get('CITY-000')) ?? expect.fail('no city office'),
    reviewer: { id, name },
    actor: `reviewer:${id}`,
  });
  /** The error `reviewVersion` throws when the body `as` decides on version `version` of `unit`'s plan. */
  const refusal = async (as: string, unit: string, version: string, verdict: string, reason: string) =>
    reviewVersion(deps, await body(as), unit, PLAN, version, verdict, reason).catch((e: unknown) => e);
  const schoolPage = async (unit: string, lang = '') =>
    unescapeHtml((await app.http('GET', `/f/${app.links[unit]}${lang}`)).body);

  /** The review mails the local SES holds that carry `marker` (each test's reasons are unique). */
  async function mailsWith(marker: string) {
    const store = (await (await fetch(`${inject('endpoints').sesv2}/store`)).json()) as {
      emails: { from: string; subject: string; destination: { to: string[] }; body: { text: string } }[];
    };
    return store.emails.filter((m) => m.body.text.includes(marker));
  }

  async function digestProgress() {
    const spool = await fileSpool();
    try {
      const snapshot = await loadSnapshot(
        app.adapters.campaign,
        app.adapters,
        campaignInstant(app.adapters.campaign, clock.now()),
        spool,
      );
      const digest = buildDigest(snapshot, { kind: 'district', district: 'liyang' });
      return {
        progress: digest.progress.find((p) => p.deliverableId === PLAN),
        state: snapshot.state.units
          .find((u) => u.unit.code === 'LY-101')
          ?.deliverables.find((d) => d.deliverableId === PLAN)?.state,
      };
    } finally {
      await spool.dispose();
    }
  }

  const reviewActions = async () =>
    (await app.adapters.audit.listDay('2018-01-18', { limit: 500 })).items.filter((e) =>
      e.action.startsWith('review-'),
    );

  beforeAll(async () => {
    app = await testApp({ clock });
    deps = { ...app.adapters, reviewMail };
    await file('LY-101', pdf('first draft'));
    await file('LY-102', pdf('ly-102 plan'));
  });
  afterAll(() => app.cleanup());

  it('a send-back shows on the school page with its reason, mails once, and counts as not accepted', async () => {
    const reason = `缺少应急疏散预案 ${randomUUID()}\n请补充第三章`;
    const before = await digestProgress();
    expect(before.progress).toMatchObject({ onTime: 2, sentBack: 0 });

    const bureau = await body('LY-000');
    const result = await reviewVersion(deps, bureau, 'LY-101', PLAN, '1', 'needs-changes', reason);
    expect(result).toMatchObject({ recorded: true, mail: 'sent' });
    expect(result.decision).toMatchObject({ seq: 1, version: 1, verdict: 'needs-changes', by: 'LY-000' });

    const page = await schoolPage('LY-101');
    expect(page).toContain('退回修改 · 待重新报送');
    expect(page).toContain('第 1 版被退回修改');
    expect(page).toContain(reason.split('\n')[0]);
    expect(page).toContain('<br>请补充第三章');
    expect(await schoolPage('LY-101', '?lang=en')).toContain('Version 1 was sent back for changes');

    const mails = await mailsWith(reason.split('\n')[0] ?? '');
    expect(mails).toHaveLength(1);
    expect(mails[0]?.destination.to).toEqual(['ly-101@schools.czedu.example']);
    expect(mails[0]?.subject).toMatch(/^【退回修改】/);

    // The same decision again: nothing written, no second mail.
    const again = await reviewVersion(deps, bureau, 'LY-101', PLAN, 1, 'needs-changes', `  ${reason}\r\n`);
    expect(again).toMatchObject({ recorded: false, mail: 'skipped', decision: result.decision });
    expect(await mailsWith(reason.split('\n')[0] ?? '')).toHaveLength(1);
    expect(await app.adapters.submissions.decisions('LY-101', PLAN)).toMatchObject({ items: [{ seq: 1 }] });

    const audit = await reviewActions();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actor: 'LY-000',
      action: 'review-needs-changes',
      subject: 'LY-101',
      detail: { deliverable: PLAN, version: 1, reason: reason.replace('\r\n', '\n') },
    });

    const after = await digestProgress();
    expect(after.progress).toMatchObject({ onTime: 1, sentBack: 1 });
    expect(after.state).toMatchObject({ kind: 'sent-back', version: 1, since: '2018-01-18' });
  });

  it('a decision on the version in hand is refused once the school files again; the history stays', async () => {
    await file('LY-101', pdf('second draft'));
    const stale = reviewVersion(deps, await body('LY-000'), 'LY-101', PLAN, '1', 'accepted', '');
    await expect(stale).rejects.toBeInstanceOf(ConflictError);
    await expect(stale).rejects.toMatchObject({
      zh: expect.stringContaining('第 1 版已被第 2 版取代'),
      en: expect.stringContaining('superseded by version 2'),
    });

    const page = await schoolPage('LY-101');
    expect(page).toContain('已按时报送');
    expect(page).not.toContain('退回修改 · 待重新报送');
    // Version 1's decision is still listed under version 1.
    expect(page).toMatch(/第 1 版[\s\S]*<ul class="decisions"><li><span class="tag bad">退回修改<\/span>/);
    expect((await digestProgress()).progress).toMatchObject({ onTime: 2, sentBack: 0 });

    // Later the same day: the audit trail lists the two decisions in the order they were made.
    clock.set('2018-01-18T10:00:00+08:00');
    const note = `格式规范 ${randomUUID()}`;
    const accepted = await reviewVersion(
      deps,
      await reviewer('wang', '王审核'),
      'LY-101',
      PLAN,
      '2',
      'accepted',
      note,
      { basis: 1 },
    );
    expect(accepted.decision).toMatchObject({ seq: 2, version: 2, by: 'reviewer:wang', byName: '王审核' });
    expect(await schoolPage('LY-101')).toContain('审核通过');
    expect(await mailsWith(note)).toHaveLength(1);
    expect((await digestProgress()).progress).toMatchObject({ onTime: 2, accepted: 1, sentBack: 0 });
    const history = await app.adapters.submissions.decisions('LY-101', PLAN);
    expect(history.items.map((d) => [d.version, d.verdict])).toEqual([
      [1, 'needs-changes'],
      [2, 'accepted'],
    ]);
    expect((await reviewActions()).map((e) => [e.actor, e.action])).toEqual([
      ['LY-000', 'review-needs-changes'],
      ['reviewer:wang', 'review-accepted'],
    ]);
  });

  it('a bureau out of scope, and a school, get the same 404 as for an unknown unit, and nothing is written', async () => {
    const unknown = await refusal('WJ-000', 'LY-999', '1', 'accepted', '');
    expect(unknown).toBeInstanceOf(NotFoundError);
    for (const code of ['WJ-000', 'LY-102']) {
      const error = await refusal(code, 'LY-101', '2', 'needs-changes', 'x');
      expect(error).toBeInstanceOf(NotFoundError);
      expect(error).toMatchObject({ zh: (unknown as NotFoundError).zh, en: (unknown as NotFoundError).en });
    }
    const missing = reviewVersion(deps, await body('LY-000'), 'LY-101', PLAN, '9', 'accepted', '');
    await expect(missing).rejects.toBeInstanceOf(NotFoundError);
    expect((await app.adapters.submissions.decisions('LY-101', PLAN)).items).toHaveLength(2);
  });

  it('refuses a send-back without a reason, naming the field, and writes nothing', async () => {
    const error = await refusal('LY-000', 'LY-102', '1', 'needs-changes', ' ');
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toMatchObject([{ path: 'reason' }]);
    expect((await app.adapters.submissions.pointer('LY-102', PLAN))?.review).toBeUndefined();
  });

  it('a double submit at once records one decision and sends one mail', async () => {
    const reason = `双击 ${randomUUID()}`;
    const bureau = await body('LY-000');
    const results = await Promise.all(
      Array.from({ length: 4 }, () =>
        reviewVersion(deps, bureau, 'LY-102', PLAN, '1', 'needs-changes', reason),
      ),
    );
    expect(results.filter((r) => r.recorded)).toHaveLength(1);
    expect(new Set(results.map((r) => r.decision.seq))).toEqual(new Set([1]));
    expect((await app.adapters.submissions.decisions('LY-102', PLAN)).items).toHaveLength(1);
    expect(await mailsWith(reason)).toHaveLength(1);
  });

  it('two reviewers deciding differently at once: one wins, the other gets a clear conflict', async () => {
    const outcomes = await Promise.allSettled([
      reviewVersion(deps, await reviewer('li', '李审核'), 'LY-102', PLAN, '1', 'accepted', '', {
        basis: 1,
      }),
      reviewVersion(
        deps,
        await reviewer('zhao', '赵审核'),
        'LY-102',
        PLAN,
        '1',
        'needs-changes',
        `再改 ${randomUUID()}`,
        {
          basis: 1,
        },
      ),
    ]);
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    const lost = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason] : []));
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]).toBeInstanceOf(ConflictError);
    expect((lost[0] as ConflictError).zh).toContain('刚刚对这一版作出了新的决定');
    expect((await app.adapters.submissions.decisions('LY-102', PLAN)).items).toHaveLength(2);
    // A page that still shows the first decision only (basis 1) is refused too.
    const late = reviewVersion(deps, await body('CITY-000'), 'LY-102', PLAN, '1', 'accepted', '不同意见', {
      basis: 1,
    });
    await expect(late).rejects.toBeInstanceOf(ConflictError);
  });

  it('a mail that failed after the decision was written is sent by the repeat, once', async () => {
    const reason = `邮件失败 ${randomUUID()}`;
    let failures = 1;
    const flaky: Mailer = {
      send: async (mail) => {
        if (failures-- > 0) throw new Error('injected: SES unavailable');
        return app.adapters.mailer.send(mail);
      },
    };
    const flakyDeps = { ...deps, mailer: flaky };
    const unit = (await app.adapters.units.get('LY-101')) ?? expect.fail();
    expect(unit.code).toBe('LY-101');
    const first = await reviewVersion(
      flakyDeps,
      await body('LY-000'),
      'LY-101',
      PLAN,
      '2',
      'needs-changes',
      reason,
      {
        basis: 2,
      },
    );
    expect(first).toMatchObject({ recorded: true, mail: 'failed' });
    expect(await mailsWith(reason)).toHaveLength(0);
    const retry = await reviewVersion(
      flakyDeps,
      await body('LY-000'),
      'LY-101',
      PLAN,
      '2',
      'needs-changes',
      reason,
    );
    expect(retry).toMatchObject({ recorded: false, mail: 'sent' });
    const third = await reviewVersion(
      flakyDeps,
      await body('LY-000'),
      'LY-101',
      PLAN,
      '2',
      'needs-changes',
      reason,
    );
    expect(third).toMatchObject({ recorded: false, mail: 'skipped' });
    expect(await mailsWith(reason)).toHaveLength(1);
  });
});

describe('the decision form in the supervisors workspace', () => {
  const clock = manualClock('2018-01-18T09:00:00+08:00');
  let app: TestApp;
  const ACTION = `/w/units/LY-101/files/${PLAN}/1/review`;

  const file = (unit: string, bytes: Uint8Array) => app.file(unit, PLAN, '实施方案.pdf', bytes);
  const decisions = async () => (await app.adapters.submissions.decisions('LY-101', PLAN)).items;

  beforeAll(async () => {
    app = await testApp({ clock });
    await file('LY-101', pdf('workspace first'));
  });
  afterAll(() => app.cleanup());

  it('each current version has a POST form with the CSRF token and the latest decision it shows', async () => {
    const city = await app.workspace(`/f/${app.links['CITY-000']}/workspace`);
    const page = unescapeHtml((await city.get('/w/units/LY-101')).body);
    expect(page).toContain(`<form class="action review" method="post" action="${ACTION}">`);
    expect(page).toMatch(
      /<input type="hidden" name="csrf" value="[^"]+"><input type="hidden" name="basis" value="0">/,
    );
    expect(page).toContain('name="verdict" value="needs-changes"');
    expect(page).toContain('<textarea name="reason" rows="3" maxlength="500">');
    const english = await city.get('/w/units/LY-101?lang=en');
    expect(english.body).toContain(`action="${ACTION}?lang=en"`);
  });

  it('a refused form changes nothing: no CSRF token (403), no reason (400, naming the field), another district (404)', async () => {
    const city = await app.workspace(`/f/${app.links['CITY-000']}/workspace`);
    await city.get('/w/units/LY-101');
    const forged = await city.post(ACTION, {
      csrf: 'forged',
      verdict: 'needs-changes',
      reason: 'x',
      basis: '0',
    });
    expect(forged.statusCode).toBe(403);
    const empty = await city.post(ACTION, { verdict: 'needs-changes', reason: '', basis: '0' });
    expect(empty.statusCode).toBe(400);
    // The unit's page again, the form as posted, the refusal in it, in both languages.
    expect(empty.body).toMatch(
      /<form class="action review"[\s\S]*?role="alert">退回修改必须填写理由[\s\S]*?sending a version back needs a reason[\s\S]*?value="needs-changes"[^>]*checked/,
    );
    const wujin = await app.workspace(`/f/${app.links['WJ-000']}/workspace`);
    expect((await wujin.get('/w/units/WJ-101')).statusCode).toBe(200);
    const foreign = await wujin.post(ACTION, { verdict: 'accepted', reason: '', basis: '0' });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.body).toContain('没有这个单位');
    expect(await decisions()).toEqual([]);
  });

  it('a decision refused because another came first comes back with the reason as typed', async () => {
    const reason = `请补充应急预案 ${randomUUID()}`;
    await file('LY-102', pdf('LY-102 plan'));
    const action = `/w/units/LY-102/files/${PLAN}/1/review`;
    const city = await app.workspace(`/f/${app.links['CITY-000']}/workspace`);
    const bureau = await app.workspace(`/f/${app.links['LY-000']}/workspace`);
    const shown = (await city.get('/w/units/LY-102')).body;
    const basis = /name="basis" value="(\d+)"/.exec(shown)?.[1] ?? '0';
    await bureau.get('/w/units/LY-102');
    expect((await bureau.post(action, { verdict: 'accepted', reason: '', basis })).statusCode).toBe(303);
    const late = await city.post(action, { verdict: 'needs-changes', reason, basis });
    expect(late.statusCode).toBe(409);
    const page = unescapeHtml(late.body);
    expect(page).toContain('刚刚对这一版作出了新的决定');
    expect(page).toContain(`>${reason}</textarea>`);
    // The form now follows the decision it did not see, so posting it again is a conscious choice.
    expect(page).toContain(`name="basis" value="${Number(basis) + 1}"`);
  });

  it('a send-back posted twice at once is one decision and one mail; the page says so; a refiled version takes the next form', async () => {
    const reason = `请补充值班安排 ${randomUUID()}`;
    const city = await app.workspace(`/f/${app.links['CITY-000']}/workspace`);
    await city.get('/w/units/LY-101');
    const [a, b] = await Promise.all([
      city.post(ACTION, { verdict: 'needs-changes', reason, basis: '0' }),
      city.post(ACTION, { verdict: 'needs-changes', reason, basis: '0' }),
    ]);
    expect([a?.statusCode, b?.statusCode]).toEqual([303, 303]);
    expect([a?.headers.location, b?.headers.location].sort()).toEqual([
      `/w/units/LY-101?review=recorded#${PLAN}`,
      `/w/units/LY-101?review=repeat#${PLAN}`,
    ]);
    expect(await decisions()).toHaveLength(1);
    const store = (await (await fetch(`${inject('endpoints').sesv2}/store`)).json()) as {
      emails: { body: { text: string } }[];
    };
    expect(store.emails.filter((m) => m.body.text.includes(reason))).toHaveLength(1);

    const after = unescapeHtml((await city.get('/w/units/LY-101?review=recorded')).body);
    expect(after).toContain('审核决定已记录');
    expect(after).toContain('退回修改 · 待重新报送');
    expect(after).toContain(reason);
    expect(after).toContain('name="basis" value="1"');
    const audit = (await app.adapters.audit.listDay('2018-01-18', { limit: 500 })).items;
    expect(audit.filter((e) => e.action === 'review-needs-changes')).toMatchObject([
      { actor: 'CITY-000', subject: 'LY-101', detail: { deliverable: PLAN, version: 1, reason } },
    ]);

    await file('LY-101', pdf('workspace second'));
    const stale = await city.post(ACTION, { verdict: 'accepted', reason: '', basis: '1' });
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain('第 1 版已被第 2 版取代');
    const refiled = unescapeHtml((await city.get('/w/units/LY-101')).body);
    expect(refiled).toContain(`action="/w/units/LY-101/files/${PLAN}/2/review"`);
    expect(refiled).not.toContain(`action="${ACTION}"`);
    const accepted = await city.post(`/w/units/LY-101/files/${PLAN}/2/review`, {
      verdict: 'accepted',
      reason: '',
      basis: '1',
    });
    expect(accepted.headers.location).toBe(`/w/units/LY-101?review=recorded#${PLAN}`);
    const school = unescapeHtml((await app.http('GET', `/f/${app.links['LY-101']}`)).body);
    expect(school).toContain('审核通过');
    expect(school).toContain(reason);
  });
});
