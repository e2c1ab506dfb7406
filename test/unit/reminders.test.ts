import { describe, expect, it } from 'vitest';
import {
  addDays,
  atLocalTime,
  type LocalDate,
  parseInstant,
} from '../../functions/shared/domain/calendar/calendar.ts';
import { createHazard } from '../../functions/shared/domain/hazards/hazard-lifecycle.ts';
import { campaignState } from '../../functions/shared/domain/report/campaign-state.ts';
import { hazardFacts } from '../../functions/shared/domain/report/hazard-pass.ts';
import { campaignInstant } from '../../functions/shared/domain/report/instant.ts';
import type { UnitInputs } from '../../functions/shared/domain/report/model.ts';
import { type Gap, reminderFor } from '../../functions/shared/domain/report/reminders.ts';
import type { HazardRecord, SubmissionPointer, UnitRecord } from '../../schemas/records.ts';
import { demoCampaign, sampleReport, sampleUnit } from '../support/fixtures.ts';

/**
 * A whole campaign on the pure model: a check at 08:00 Asia/Shanghai every day from 2018-01-10 to
 * 2018-04-05 over schools that file early, on time, late or never, and one with a major hazard
 * left open past its deadline. The exact reminder days per school are asserted.
 */
const campaign = demoCampaign();
const t = (iso: string) => parseInstant(iso) as Date;

/** The simulation's schools: fictional codes, all in one district. */
function school(code: string): UnitRecord {
  return sampleUnit('LY-101', {
    code,
    name: `${code} 示例学校`,
    email: `${code.toLowerCase()}@schools.czedu.example`,
  });
}

function filed(unit: string, deliverableId: string, at: string): SubmissionPointer {
  const iso = t(at).toISOString();
  return {
    unitCode: unit,
    district: 'liyang',
    deliverableId,
    currentVersion: 1,
    firstReceivedAt: iso,
    currentReceivedAt: iso,
    firstOnTime: true,
  };
}

/** Schools and when they file (ISO times with offsets). */
const plans: Record<string, { plan?: string; summary?: string }> = {
  EARLY: { plan: '2018-01-11T10:00:00+08:00', summary: '2018-03-01T10:00:00+08:00' },
  ONTIME: { plan: '2018-01-19T23:00:00+08:00', summary: '2018-03-31T20:00:00+08:00' },
  LATE: { plan: '2018-01-24T12:00:00+08:00', summary: '2018-04-03T09:00:00+08:00' },
  NEVER: {},
};

function inputsOn(at: Date, hazards: Record<string, HazardRecord[]>): UnitInputs[] {
  return [...Object.keys(plans), 'HAZARD'].map((code) => {
    const filings = plans[code] ?? {
      plan: '2018-01-11T10:00:00+08:00',
      summary: '2018-03-01T10:00:00+08:00',
    };
    const pointers = new Map<string, SubmissionPointer>();
    for (const [deliverableId, when] of [
      ['implementation-plan', filings.plan],
      ['work-summary', filings.summary],
    ] as const) {
      if (when && t(when).getTime() <= at.getTime())
        pointers.set(deliverableId, filed(code, deliverableId, when));
    }
    return {
      unit: school(code),
      pointers,
      hazards: hazardFacts(hazards[code] ?? [], campaignInstant(campaign, at)),
      zeroReport: null,
    };
  });
}

function simulate(): Map<string, { day: LocalDate; gaps: Gap[] }[]> {
  const major = createHazard({
    campaign,
    unit: school('HAZARD'),
    report: sampleReport({
      level: 'major',
      five: {
        ...(sampleReport().five as NonNullable<ReturnType<typeof sampleReport>['five']>),
        deadline: '2018-02-28',
      },
    }),
    supervisorUnit: 'LY-000',
    seq: 1,
    now: t('2018-01-15T10:00:00+08:00'),
  }).hazard;
  const sent = new Map<string, { day: LocalDate; gaps: Gap[] }[]>();
  for (let day: LocalDate = '2018-01-10'; day <= '2018-04-05'; day = addDays(day, 1)) {
    const at = atLocalTime(day, campaign.reminders.dailyCheckTime, campaign.timeZone);
    const hazards: Record<string, HazardRecord[]> =
      at.getTime() >= t('2018-01-15T10:00:00+08:00').getTime() ? { HAZARD: [major] } : {};
    const state = campaignState(campaign, inputsOn(at, hazards), campaignInstant(campaign, at));
    for (const unit of state.units) {
      const gaps = reminderFor(campaign, unit, state.day);
      if (gaps) sent.set(unit.unit.code, [...(sent.get(unit.unit.code) ?? []), { day: state.day, gaps }]);
    }
  }
  return sent;
}

const everyOtherDay = (from: LocalDate, to: LocalDate) => {
  const days: LocalDate[] = [];
  for (let d = from; d <= to; d = addDays(d, 2)) days.push(d);
  return days;
};

describe('a whole campaign of reminders', () => {
  const sent = simulate();
  const days = (code: string) => (sent.get(code) ?? []).map((r) => r.day);

  it('a school that files early is never reminded', () => {
    expect(days('EARLY')).toEqual([]);
  });

  it('a school that files on its due days is reminded 7, 3, 1 and 0 days before each', () => {
    expect(days('ONTIME')).toEqual([
      '2018-01-12',
      '2018-01-16',
      '2018-01-18',
      '2018-01-19',
      '2018-03-24',
      '2018-03-28',
      '2018-03-30',
      '2018-03-31',
    ]);
  });

  it('a late school is also reminded every 2 days while overdue, until it files', () => {
    expect(days('LATE')).toEqual([
      '2018-01-12',
      '2018-01-16',
      '2018-01-18',
      '2018-01-19',
      '2018-01-21',
      '2018-01-23',
      '2018-03-24',
      '2018-03-28',
      '2018-03-30',
      '2018-03-31',
      '2018-04-02',
    ]);
  });

  it('a school that never files gets one mail a day at most, listing every gap', () => {
    const expected = [
      '2018-01-12',
      '2018-01-16',
      '2018-01-18',
      '2018-01-19',
      ...everyOtherDay('2018-01-21', '2018-04-05'),
      '2018-03-31',
      '2018-04-02',
      '2018-04-04',
    ].sort();
    expect(days('NEVER')).toEqual(expected);
    expect(new Set(days('NEVER')).size).toBe(days('NEVER').length);
    const both = sent.get('NEVER')?.find((r) => r.day === '2018-03-24');
    expect(both?.gaps).toEqual([
      {
        kind: 'deliverable-overdue',
        deliverableId: 'implementation-plan',
        dueDate: '2018-01-19',
        daysOverdue: 64,
      },
      { kind: 'deliverable-due', deliverableId: 'work-summary', dueDate: '2018-03-31', daysLeft: 7 },
    ]);
  });

  it('an open major hazard past its deadline brings reminders every 2 days from its deadline', () => {
    expect(days('HAZARD')).toEqual(everyOtherDay('2018-03-02', '2018-04-05'));
    const first = sent.get('HAZARD')?.[0];
    expect(first?.gaps).toEqual([{ kind: 'major-hazards-overdue', hazardIds: ['HAZARD-H001'] }]);
  });
});

describe('the campaign model on one day', () => {
  it('counts open hazards by level, overdue majors, missing five implementations, waiting acceptances and zero reports', () => {
    const at = t('2018-03-05T08:00:00+08:00');
    const unit = school('X');
    const make = (seq: number, overrides: Parameters<typeof sampleReport>[0]) =>
      createHazard({
        campaign,
        unit,
        report: sampleReport(overrides),
        supervisorUnit: 'LY-000',
        seq,
        now: t('2018-01-20T10:00:00+08:00'),
      }).hazard;
    const noPlan = sampleReport().five as NonNullable<ReturnType<typeof sampleReport>['five']>;
    const hazards = [
      make(1, { level: 'major', five: { ...noPlan, deadline: '2018-03-04' } }),
      make(2, { level: 'major', five: { ...noPlan, deadline: '2018-03-05' } }),
      make(3, { level: 'general', five: { ...noPlan, contingency: undefined } }),
      { ...make(4, { level: 'general' }), status: 'awaiting-acceptance' as const },
      make(5, { level: 'general', fixedOnSpot: true, fixNote: '当场', five: undefined }),
    ];
    const instant = campaignInstant(campaign, at);
    const state = campaignState(
      campaign,
      [{ unit, pointers: new Map(), hazards: hazardFacts(hazards, instant), zeroReport: null }],
      instant,
    );
    expect(state.day).toBe('2018-03-05');
    expect(state.drive).toEqual({ closesOn: '2018-03-31', daysLeft: 26, closed: false });
    const [x] = state.units;
    expect(x?.openHazards).toEqual({ general: 2, major: 2 });
    expect(x?.overdueMajors).toEqual(['X-H001']);
    expect(x?.overdueMajorsSince).toBe('2018-03-04');
    expect(x?.missingFive).toEqual(['X-H003']);
    expect(x?.awaitingAcceptance).toEqual(['X-H004']);
    expect(x?.zeroReport).toBe('none');
    expect(x?.deliverables.map((d) => d.state.kind)).toEqual(['overdue', 'due']);
    const closed = campaignState(campaign, [], campaignInstant(campaign, t('2018-04-01T08:00:00+08:00')));
    expect(closed.drive).toEqual({ closesOn: '2018-03-31', daysLeft: -1, closed: true });
  });
});
