import { describe, expect, it } from 'vitest';
import { parseInstant } from '../../functions/shared/domain/calendar/calendar.ts';
import { deliverableState } from '../../functions/shared/domain/calendar/deadlines.ts';
import type { Deliverable } from '../../schemas/campaign.ts';
import type { SubmissionPointer } from '../../schemas/records.ts';

const plan: Deliverable = {
  id: 'implementation-plan',
  name: { zh: '专项行动实施方案', en: 'Implementation plan' },
  dueDate: '2018-01-19',
  requiredOf: ['school'],
};
const SH = 'Asia/Shanghai';
const t = (iso: string) => parseInstant(iso) as Date;

function filed(at: string): SubmissionPointer {
  const iso = t(at).toISOString();
  return {
    unitCode: 'LY-101',
    district: 'liyang',
    deliverableId: plan.id,
    currentVersion: 1,
    firstReceivedAt: iso,
    currentReceivedAt: iso,
    firstOnTime: true,
  };
}

describe('deliverable state on the campaign clock', () => {
  it('counts the days left, the due day and the days overdue by campaign date', () => {
    expect(deliverableState(plan, null, t('2018-01-10T08:00:00+08:00'), SH)).toEqual({
      kind: 'due',
      days: 9,
    });
    // 23:59 on the 18th in Shanghai is still one day before, though UTC already says the 18th too.
    expect(deliverableState(plan, null, t('2018-01-18T23:59:00+08:00'), SH)).toEqual({
      kind: 'due',
      days: 1,
    });
    expect(deliverableState(plan, null, t('2018-01-19T00:00:00+08:00'), SH)).toEqual({ kind: 'due-today' });
    expect(deliverableState(plan, null, t('2018-01-19T23:59:59+08:00'), SH)).toEqual({ kind: 'due-today' });
    expect(deliverableState(plan, null, t('2018-01-20T00:00:00+08:00'), SH)).toEqual({
      kind: 'overdue',
      days: 1,
    });
    expect(deliverableState(plan, null, t('2018-02-01T08:00:00+08:00'), SH)).toEqual({
      kind: 'overdue',
      days: 13,
    });
  });

  it('tells a filing on time from one late, and by how many days', () => {
    const now = t('2018-03-01T08:00:00+08:00');
    expect(deliverableState(plan, filed('2018-01-19T23:30:00+08:00'), now, SH)).toMatchObject({
      kind: 'filed-on-time',
    });
    expect(deliverableState(plan, filed('2018-01-20T00:10:00+08:00'), now, SH)).toMatchObject({
      kind: 'filed-late',
      days: 1,
    });
    expect(deliverableState(plan, filed('2018-01-25T10:00:00+08:00'), now, SH)).toMatchObject({
      kind: 'filed-late',
      days: 6,
    });
  });
});
