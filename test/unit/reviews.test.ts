import { describe, expect, it } from 'vitest';
import { stateTag } from '../../functions/http/pages.ts';
import { fileSpool } from '../../functions/shared/adapters/fs/ledger-spool.ts';
import { deliverableStateText } from '../../functions/shared/adapters/xlsx/digest-workbook.ts';
import { atLocalTime, parseInstant } from '../../functions/shared/domain/calendar/calendar.ts';
import { deliverableState } from '../../functions/shared/domain/calendar/deadlines.ts';
import { ValidationError } from '../../functions/shared/domain/errors.ts';
import {
  checkDecision,
  currentDecision,
  reviewMailKey,
} from '../../functions/shared/domain/filing/reviews.ts';
import { buildDigest } from '../../functions/shared/domain/report/digest.ts';
import { passHazards } from '../../functions/shared/domain/report/hazard-pass.ts';
import { campaignInstant } from '../../functions/shared/domain/report/instant.ts';
import type { CampaignRecords } from '../../functions/shared/domain/report/model.ts';
import { reminderFor } from '../../functions/shared/domain/report/reminders.ts';
import { campaignSnapshot } from '../../functions/shared/domain/report/snapshot.ts';
import { reminderMail } from '../../functions/shared/mail/reminder-mail.ts';
import { reviewMail } from '../../functions/shared/mail/review-mail.ts';
import type { ReviewDecision, SubmissionPointer } from '../../schemas/records.ts';
import { demoCampaign, sampleUnit } from '../support/fixtures.ts';

const campaign = demoCampaign();
const SH = 'Asia/Shanghai';
const plan = campaign.deliverables[0] as (typeof campaign.deliverables)[number];
const t = (iso: string) => parseInstant(iso) as Date;

function decision(overrides: Partial<ReviewDecision> = {}): ReviewDecision {
  return {
    unitCode: 'LY-101',
    deliverableId: plan.id,
    seq: 1,
    version: 1,
    verdict: 'needs-changes',
    reason: '缺少应急预案章节',
    by: 'LY-000',
    byName: '溧阳市教育局（示例）',
    body: 'LY-000',
    at: t('2018-01-20T10:00:00+08:00').toISOString(),
    ...overrides,
  };
}

function pointer(overrides: Partial<SubmissionPointer> = {}): SubmissionPointer {
  const at = t('2018-01-18T09:00:00+08:00').toISOString();
  return {
    unitCode: 'LY-101',
    district: 'liyang',
    deliverableId: plan.id,
    currentVersion: 1,
    firstReceivedAt: at,
    currentReceivedAt: at,
    firstOnTime: true,
    ...overrides,
  };
}

describe('the state of a reviewed deliverable', () => {
  const now = t('2018-01-22T08:00:00+08:00');

  it('is sent back while the decision names the current version, with the reason and the decision day', () => {
    expect(deliverableState(plan, pointer({ review: decision() }), now, SH)).toEqual({
      kind: 'sent-back',
      filedAt: pointer().firstReceivedAt,
      onTime: true,
      version: 1,
      reason: '缺少应急预案章节',
      at: decision().at,
      since: '2018-01-20',
    });
  });

  it('is filed again, on time as first filed, once a newer version makes the decision stale', () => {
    const refiled = pointer({ currentVersion: 2, review: decision() });
    expect(deliverableState(plan, refiled, now, SH)).toEqual({
      kind: 'filed-on-time',
      filedAt: pointer().firstReceivedAt,
    });
    expect(currentDecision(refiled)).toBeNull();
  });

  it('carries the acceptance of the current version, and only of it', () => {
    const accepted = decision({ verdict: 'accepted', reason: '', version: 2, seq: 2 });
    expect(deliverableState(plan, pointer({ currentVersion: 2, review: accepted }), now, SH)).toEqual({
      kind: 'filed-on-time',
      filedAt: pointer().firstReceivedAt,
      accepted: { version: 2, at: accepted.at },
    });
    expect(
      deliverableState(plan, pointer({ currentVersion: 3, review: accepted }), now, SH),
    ).not.toHaveProperty('accepted');
  });

  it('keeps a late first filing late when accepted', () => {
    const late = pointer({
      firstReceivedAt: t('2018-01-21T09:00:00+08:00').toISOString(),
      firstOnTime: false,
    });
    const accepted = decision({ verdict: 'accepted', reason: '' });
    expect(deliverableState(plan, { ...late, review: accepted }, now, SH)).toMatchObject({
      kind: 'filed-late',
      days: 2,
      accepted: { version: 1 },
    });
  });

  it('is named on the page and in the workbook, in both languages', () => {
    const state = deliverableState(plan, pointer({ review: decision() }), now, SH);
    expect(stateTag(state, 'zh', SH).toString()).toContain('退回修改');
    expect(stateTag(state, 'en', SH).toString()).toContain('sent back for changes');
    expect(deliverableStateText(state)).toBe('退回修改(第1版)');
    const accepted = deliverableState(plan, pointer({ review: decision({ verdict: 'accepted' }) }), now, SH);
    expect(stateTag(accepted, 'zh', SH).toString()).toContain('审核通过');
    expect(deliverableStateText(accepted)).toBe('按时报送·审核通过');
  });
});

describe('the rules of a decision', () => {
  const issuesOf = (verdict: string, reason: string) => {
    try {
      checkDecision(verdict, reason);
      return [];
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      return (error as ValidationError).issues;
    }
  };

  it('needs a reason to send a version back, naming the field', () => {
    const [issue] = issuesOf('needs-changes', '   ');
    expect(issue).toMatchObject({ path: 'reason', code: 'reason-required' });
    expect(issue?.zh).toContain('理由');
    expect(issue?.en).toContain('reason');
  });

  it('accepts with or without a note, and keeps line breaks as LF, trimmed', () => {
    expect(checkDecision('accepted', '')).toEqual({ verdict: 'accepted', reason: '' });
    expect(checkDecision('needs-changes', '  第一条\r\n第二条  ')).toEqual({
      verdict: 'needs-changes',
      reason: '第一条\n第二条',
    });
  });

  it('refuses an unknown verdict, naming the value it got', () => {
    const [issue] = issuesOf('maybe', 'x');
    expect(issue).toMatchObject({ path: 'verdict', value: 'maybe' });
    expect(issue?.en).toContain('"maybe"');
  });

  it('refuses more than 500 characters, counted as characters, not bytes', () => {
    expect(checkDecision('needs-changes', '改'.repeat(500)).reason).toHaveLength(500);
    const [issue] = issuesOf('needs-changes', '改'.repeat(501));
    expect(issue).toMatchObject({ path: 'reason', code: 'too_big' });
    expect(issue?.zh).toContain('501');
  });

  it('refuses control characters and bidi overrides, naming the first', () => {
    expect(issuesOf('needs-changes', 'a\u0000b')[0]).toMatchObject({
      path: 'reason',
      code: 'control-character',
    });
    const [bidi] = issuesOf('accepted', 'ok\u202Eevil');
    expect(bidi?.en).toContain('U+202E');
    expect(bidi?.value).toBe('okevil');
  });

  it('keys the mail on unit, deliverable, version, verdict and the decision number, on the decision day', () => {
    const unit = sampleUnit('LY-101');
    expect(reviewMailKey(decision(), unit, SH)).toEqual({
      day: '2018-01-20',
      purpose: 'review:LY-101:implementation-plan:v1:needs-changes:1',
      recipient: unit.email,
    });
  });
});

describe('the mails', () => {
  it('a send-back mail gives the version, the reason and who decided, Chinese first', () => {
    const unit = sampleUnit('LY-101');
    const key = reviewMailKey(decision({ reason: '缺少应急预案\n请补充' }), unit, SH);
    const mail = reviewMail(key, {
      campaign,
      unit,
      deliverable: plan,
      decision: decision({ reason: '缺少应急预案\n请补充' }),
    });
    expect(mail.to).toEqual([unit.email]);
    expect(mail.subject).toMatch(/^【退回修改】/);
    expect(mail.text.indexOf('退回理由')).toBeLessThan(mail.text.indexOf('Reason:'));
    expect(mail.text).toContain('  缺少应急预案\n  请补充');
    expect(mail.text).toContain('溧阳市教育局（示例）');
    expect(mail.headers['X-Campaign-Mail-Key']).toContain(
      'review:LY-101:implementation-plan:v1:needs-changes:1',
    );
  });

  it('an acceptance mail says so', () => {
    const unit = sampleUnit('LY-101');
    const accepted = decision({ verdict: 'accepted', reason: '' });
    const mail = reviewMail(reviewMailKey(accepted, unit, SH), {
      campaign,
      unit,
      deliverable: plan,
      decision: accepted,
    });
    expect(mail.subject).toMatch(/^【审核通过】/);
    expect(mail.text).not.toContain('理由');
  });
});

describe('the ripple: digest and reminders', () => {
  const at = t('2018-01-22T08:00:00+08:00');
  const instant = campaignInstant(campaign, at);
  const codes = ['LY-101', 'LY-102', 'LY-103', 'LY-000'];
  const records: CampaignRecords = {
    units: codes.map((code) => sampleUnit(code)),
    pointers: [
      pointer({ unitCode: 'LY-101', review: decision() }),
      pointer({
        unitCode: 'LY-102',
        review: decision({ unitCode: 'LY-102', verdict: 'accepted', reason: '' }),
      }),
      pointer({ unitCode: 'LY-103' }),
    ],
    zeroReports: [],
    bounces: [],
    sanctions: [],
  };

  it('counts a sent-back deliverable apart, as not filed, and an accepted one among the filed', async () => {
    const pass = await passHazards(campaign, records.units, [], instant, await fileSpool());
    const digest = buildDigest(campaignSnapshot(campaign, records, pass, instant), { kind: 'office' });
    const progress = digest.progress.find((p) => p.deliverableId === plan.id);
    expect(progress).toMatchObject({ required: 4, onTime: 2, late: 0, sentBack: 1, accepted: 1, overdue: 1 });
    const closing = buildDigest(
      campaignSnapshot(campaign, records, pass, instant),
      { kind: 'office' },
      { closing: true },
    );
    expect(
      closing.neverFiled.find((n) => n.deliverableId === plan.id)?.units.map((u) => u.unit.code),
    ).toEqual(['LY-101', 'LY-000']);
  });

  it("lists a send-back made since yesterday's check among the day's changes, and not once refiled", async () => {
    const next = campaignInstant(campaign, t('2018-01-21T08:00:00+08:00'));
    const pass = await passHazards(campaign, records.units, [], next, await fileSpool());
    const digest = buildDigest(campaignSnapshot(campaign, records, pass, next), { kind: 'office' });
    expect(digest.changes.filter((c) => c.kind === 'sent-back')).toEqual([
      expect.objectContaining({
        unitCode: 'LY-101',
        subject: '专项行动实施方案（第 1 版）',
        at: decision().at,
      }),
    ]);
    const refiled: CampaignRecords = {
      ...records,
      pointers: [pointer({ currentVersion: 2, review: decision() })],
    };
    const later = buildDigest(campaignSnapshot(campaign, refiled, pass, next), { kind: 'office' });
    expect(later.changes.filter((c) => c.kind === 'sent-back')).toEqual([]);
  });

  it('reminds a sent-back deliverable every overdueEveryDays days from the decision day, listing the reason', async () => {
    const reminded: string[] = [];
    for (const day of ['2018-01-20', '2018-01-21', '2018-01-22', '2018-01-23', '2018-01-24'] as const) {
      const when = campaignInstant(campaign, atLocalTime(day, '08:00', SH));
      // The decision is made at 10:00 on the 20th: the 08:00 check that day sees no decision yet.
      const review = day === '2018-01-20' ? undefined : decision();
      const only: CampaignRecords = {
        ...records,
        units: [sampleUnit('LY-101')],
        pointers: [pointer({ ...(review ? { review } : {}) })],
      };
      const pass = await passHazards(campaign, only.units, [], when, await fileSpool());
      const unit = campaignSnapshot(campaign, only, pass, when).state.units[0];
      if (unit && reminderFor(campaign, unit, day)) reminded.push(day);
    }
    expect(reminded).toEqual(['2018-01-22', '2018-01-24']);
  });

  it("lists the send-back in the reminder mail's text", async () => {
    const pass = await passHazards(campaign, records.units, [], instant, await fileSpool());
    const state = campaignSnapshot(campaign, records, pass, instant).state.units.find(
      (u) => u.unit.code === 'LY-101',
    );
    const gaps = state ? reminderFor(campaign, state, instant.today) : null;
    expect(gaps?.map((g) => g.kind)).toEqual(['deliverable-sent-back']);
    const mail = reminderMail(
      { day: instant.today, purpose: 'reminder:LY-101', recipient: 'x@example.org' },
      { campaign, unit: sampleUnit('LY-101'), gaps: gaps ?? [], link: null },
    );
    expect(mail.text).toContain('第 1 版已于 2018-01-20 被退回修改（理由：缺少应急预案章节）');
    expect(mail.text).toContain('version 1 was sent back for changes on 2018-01-20');
  });
});
