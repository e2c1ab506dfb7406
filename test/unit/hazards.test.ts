import { describe, expect, it } from 'vitest';
import { parseInstant } from '../../functions/shared/domain/calendar/calendar.ts';
import { ConflictError, ForbiddenError, ValidationError } from '../../functions/shared/domain/errors.ts';
import {
  applyHazardAction,
  createHazard,
  type HazardAction,
  type HazardActor,
  isOverdueMajor,
} from '../../functions/shared/domain/hazards/hazard-lifecycle.ts';
import { HazardReportSchema, hazardReportInputSchema } from '../../schemas/hazards.ts';
import type { HazardRecord, UnitRecord } from '../../schemas/records.ts';
import { HAZARD_MESSAGE_KEYS, parseWith } from '../../schemas/validation.ts';
import { demoCampaign, sampleReport, sampleUnit } from '../support/fixtures.ts';

const campaign = demoCampaign();
const t = (iso: string) => parseInstant(iso) as Date;
const now = t('2018-01-15T10:00:00+08:00');

const school: UnitRecord = sampleUnit('LY-101', { updatedAt: now.toISOString() });

const five = sampleReport().five;
const report = sampleReport;

const owner: HazardActor = { unitCode: 'LY-101', role: 'owner' };
const bureau: HazardActor = { unitCode: 'LY-000', role: 'supervisor' };
const otherBureau: HazardActor = { unitCode: 'WJ-000', role: 'supervisor' };

function major(): HazardRecord {
  return createHazard({
    campaign,
    unit: school,
    report: report({ level: 'major' }),
    supervisorUnit: 'LY-000',
    seq: 1,
    now,
  }).hazard;
}

function run(hazard: HazardRecord, steps: [HazardAction, HazardActor][], at = now): HazardRecord {
  return steps.reduce(
    (h, [action, actor]) => applyHazardAction(h, action, actor, { campaign, now: at }).hazard,
    hazard,
  );
}

describe('the hazard report form', () => {
  const issuesOf = (input: unknown) => {
    const result = parseWith(HazardReportSchema, input);
    return result.ok ? [] : result.issues;
  };

  it('requires the five implementations exactly when not fixed on the spot, or major', () => {
    const { five: _omit, ...bare } = report();
    expect(issuesOf({ ...bare, fixedOnSpot: false }).map((i) => i.code)).toEqual(['five-required']);
    expect(
      issuesOf({ ...bare, level: 'major', fixedOnSpot: true, fixNote: '已清理' }).map((i) => i.code),
    ).toEqual(['five-required']);
    expect(issuesOf({ ...bare, fixedOnSpot: true, fixNote: '已当场清理' })).toEqual([]);
    expect(issuesOf(report())).toEqual([]);
  });

  it('requires a note for a fix on the spot', () => {
    const issues = issuesOf({ ...report(), fixedOnSpot: true });
    expect(issues.map((i) => [i.path, i.code])).toEqual([['fixNote', 'fix-note-required']]);
    expect(issues[0]?.zh).toBe('当场整改的隐患须说明整改情况');
  });

  it('names each bad field in Chinese and English', () => {
    const issues = issuesOf({
      ...report(),
      area: 'volcano',
      five: { ...five, funds: { amountYuan: -1, source: '' } },
    });
    expect(issues.map((i) => i.path)).toEqual(['area', 'five.funds.amountYuan', 'five.funds.source']);
    expect(issues.every((i) => i.zh && i.en)).toBe(true);
  });

  const context = { today: '2018-01-20', earliest: '2017-01-01' };
  const inputIssuesOf = (input: unknown) => {
    const result = parseWith(hazardReportInputSchema(context), input);
    return result.ok ? [] : result.issues;
  };
  const withFive = (change: Partial<NonNullable<typeof five>>) =>
    five ? report({ five: { ...five, ...change } }) : report();

  it('refuses, as new input, a date found after today or before the year before the campaign, and a deadline before it', () => {
    expect(inputIssuesOf(report({ foundOn: '2018-01-20' }))).toEqual([]);
    expect(inputIssuesOf(report({ foundOn: '2099-01-01' })).map((i) => [i.path, i.code])).toEqual([
      ['foundOn', 'found-after-today'],
      ['five.deadline', 'deadline-before-found'],
    ]);
    expect(inputIssuesOf(report({ foundOn: '1900-01-01' })).map((i) => [i.path, i.code])).toEqual([
      ['foundOn', 'found-too-early'],
    ]);
    const early = inputIssuesOf(withFive({ deadline: '2018-01-14' }));
    expect(early.map((i) => [i.path, i.code])).toEqual([['five.deadline', 'deadline-before-found']]);
    expect(early[0]?.zh).toBe('整改时限 2018-01-14 早于发现日期 2018-01-15');
    // A stored record is read as it was stored.
    expect(issuesOf(withFive({ deadline: '2018-01-14' }))).toEqual([]);
  });

  it('takes amounts as plain decimals only, never coerced', () => {
    const amount = (value: unknown) =>
      inputIssuesOf(withFive({ funds: { amountYuan: value as number, source: '公用经费' } }));
    expect(amount('2000')).toEqual([]);
    expect(amount('1500.50')).toEqual([]);
    expect(amount(2000)).toEqual([]);
    for (const bad of ['0x10', '1e3', 'Infinity', '  12abc', '-5', '1,000', '', '١٢']) {
      expect(amount(bad).map((i) => [i.path, i.code, i.value])).toEqual([
        ['five.funds.amountYuan', 'yuan', bad],
      ]);
    }
  });

  it('refuses control characters in any text, naming the field; tab and line breaks only in multi-line text', () => {
    const issue = inputIssuesOf(report({ title: '消防\u0000通道' }));
    expect(issue.map((i) => [i.path, i.code])).toEqual([['title', 'control-character-removed']]);
    expect(issue[0]?.zh).toContain('U+0000');
    expect(issue[0]?.en).toContain('U+0000 at character 3');
    expect(inputIssuesOf(report({ description: '第一行\r\n第二行\t备注' }))).toEqual([]);
    expect(inputIssuesOf(report({ location: '东侧\n二楼' })).map((i) => i.path)).toEqual(['location']);
    expect(inputIssuesOf(report({ description: 'a\u001bb' })).map((i) => i.path)).toEqual(['description']);
    expect(inputIssuesOf(report({ description: 'abc\u202Edef' })).map((i) => i.path)).toEqual([
      'description',
    ]);
    expect(inputIssuesOf(withFive({ measures: 'x\u007fy' })).map((i) => i.path)).toEqual(['five.measures']);
  });

  it('covers its catalogue messages', () => {
    const seen = new Set([
      ...issuesOf({ ...report(), five: undefined }).map((i) => i.code),
      ...issuesOf({ ...report(), fixedOnSpot: true }).map((i) => i.code),
      ...inputIssuesOf(report({ title: '\u0000', foundOn: '2099-01-01' })).map((i) => i.code),
      ...inputIssuesOf(report({ foundOn: '1999-01-01' })).map((i) => i.code),
      ...inputIssuesOf(
        withFive({ deadline: '2018-01-01', funds: { amountYuan: '0x10' as never, source: 's' } }),
      ).map((i) => i.code),
    ]);
    expect(HAZARD_MESSAGE_KEYS.filter((key) => !seen.has(key))).toEqual([]);
  });
});

describe('the closed loop', () => {
  it('a general hazard: registered → rectifying → awaiting acceptance → closed out by the school', () => {
    const created = createHazard({
      campaign,
      unit: school,
      report: report(),
      supervisorUnit: null,
      seq: 7,
      now,
    });
    expect(created.hazard).toMatchObject({
      id: 'LY-101-H007',
      status: 'registered',
      supervision: null,
      version: 1,
    });
    expect(created.delta).toEqual({ openGeneral: 1, tally: { 'h#fire-safety#general#open': 1 } });
    const rectifying = applyHazardAction(created.hazard, { kind: 'start-rectifying' }, owner, {
      campaign,
      now,
    });
    expect(rectifying.hazard.status).toBe('rectifying');
    const waiting = applyHazardAction(
      rectifying.hazard,
      { kind: 'submit-for-acceptance', note: '已清理完毕' },
      owner,
      {
        campaign,
        now,
      },
    );
    expect(waiting.hazard).toMatchObject({
      status: 'awaiting-acceptance',
      rectification: { note: '已清理完毕' },
    });
    const closed = applyHazardAction(waiting.hazard, { kind: 'accept' }, owner, { campaign, now });
    expect(closed.hazard).toMatchObject({ status: 'closed', version: 4, closedAt: now.toISOString() });
    expect(closed.delta).toEqual({
      openGeneral: -1,
      tally: { 'h#fire-safety#general#closed': 1, 'h#fire-safety#general#open': -1, aa: -1 },
    });
    expect(closed.entry).toMatchObject({ seq: 4, byUnit: 'LY-101', action: 'accept', afterClose: false });
    expect(closed.entry.changes.map((c) => c.field).sort()).toEqual(['closedAt', 'status']);
  });

  it('a fix on the spot is closed out at once and counts as never open', () => {
    const created = createHazard({
      campaign,
      unit: school,
      report: report({ fixedOnSpot: true, fixNote: '当场清理', five: undefined }),
      supervisorUnit: null,
      seq: 1,
      now,
    });
    expect(created.hazard.status).toBe('closed');
    expect(created.delta).toEqual({ tally: { 'h#fire-safety#general#closed': 1 } });
    expect(created.entry.note).toBe('当场清理');
  });

  it('a major hazard is listed for supervision and only its supervisor accepts or refuses', () => {
    const hazard = major();
    expect(hazard.supervision).toEqual({
      supervisorUnit: 'LY-000',
      listedOn: '2018-01-15',
      deadline: '2018-01-31',
      extensions: [],
    });
    const waiting = run(hazard, [
      [{ kind: 'start-rectifying' }, owner],
      [{ kind: 'submit-for-acceptance', note: '已完成整改' }, owner],
    ]);
    expect(() => applyHazardAction(waiting, { kind: 'accept' }, owner, { campaign, now })).toThrow(
      ForbiddenError,
    );
    expect(() => applyHazardAction(waiting, { kind: 'accept' }, otherBureau, { campaign, now })).toThrow(
      ForbiddenError,
    );

    const refused = applyHazardAction(waiting, { kind: 'refuse', reason: '通道仍有杂物' }, bureau, {
      campaign,
      now,
    });
    expect(refused.hazard).toMatchObject({
      status: 'rectifying',
      refusal: { reason: '通道仍有杂物', by: 'LY-000' },
    });
    expect(refused.entry).toMatchObject({ byUnit: 'LY-000', action: 'refuse', note: '通道仍有杂物' });
    expect(refused.delta).toEqual({ tally: { aa: -1 } });

    const closed = run(refused.hazard, [
      [{ kind: 'submit-for-acceptance', note: '再次整改完成' }, owner],
      [{ kind: 'accept' }, bureau],
    ]);
    expect(closed).toMatchObject({ status: 'closed', supervision: { delistedOn: '2018-01-15' } });
  });

  it.each([
    ['registered', [] as [HazardAction, HazardActor][], ['submit-for-acceptance', 'accept', 'refuse']],
    [
      'rectifying',
      [[{ kind: 'start-rectifying' }, owner]] as [HazardAction, HazardActor][],
      ['start-rectifying', 'accept', 'refuse'],
    ],
  ])('refuses illegal transitions from %s with a clear message', (_status, steps, refused) => {
    const hazard = run(major(), steps);
    for (const kind of refused) {
      const action = { kind, note: 'x', reason: 'x' } as HazardAction;
      const actor = kind === 'accept' || kind === 'refuse' ? bureau : owner;
      expect(() => applyHazardAction(hazard, action, actor, { campaign, now })).toThrow(ConflictError);
    }
    try {
      applyHazardAction(hazard, { kind: 'accept' }, bureau, { campaign, now });
    } catch (error) {
      expect((error as ConflictError).zh).toMatch(/当前为「(已登记|整改中)」，不能「验收通过（销号）」/);
    }
  });

  it('refuses everything but photos once closed out', () => {
    const closed = run(major(), [
      [{ kind: 'start-rectifying' }, owner],
      [{ kind: 'submit-for-acceptance', note: 'done' }, owner],
      [{ kind: 'accept' }, bureau],
    ]);
    for (const action of [
      { kind: 'start-rectifying' },
      { kind: 'submit-for-acceptance', note: 'x' },
      { kind: 'refuse', reason: 'x' },
      { kind: 'request-extension', reason: 'x', newDeadline: '2018-03-01' },
    ] as HazardAction[]) {
      expect(() => applyHazardAction(closed, action, owner, { campaign, now })).toThrow(ConflictError);
    }
    const photo = {
      key: 'incoming/LY-101/p',
      kind: 'after' as const,
      displayName: '整改后.jpg',
      contentType: 'image/jpeg',
      addedAt: now.toISOString(),
    };
    expect(
      applyHazardAction(closed, { kind: 'add-photo', photo }, owner, { campaign, now }).hazard.photos,
    ).toEqual([photo]);
  });

  it('requires a reason to refuse and a note to ask for acceptance', () => {
    const waiting = run(major(), [
      [{ kind: 'start-rectifying' }, owner],
      [{ kind: 'submit-for-acceptance', note: 'done' }, owner],
    ]);
    expect(() =>
      applyHazardAction(waiting, { kind: 'refuse', reason: '  ' }, bureau, { campaign, now }),
    ).toThrow(ValidationError);
    const rectifying = run(major(), [[{ kind: 'start-rectifying' }, owner]]);
    expect(() =>
      applyHazardAction(rectifying, { kind: 'submit-for-acceptance', note: '' }, owner, { campaign, now }),
    ).toThrow(ValidationError);
  });

  it('marks changes made after the drive closed', () => {
    const late = t('2018-04-01T00:00:00+08:00');
    const change = applyHazardAction(major(), { kind: 'start-rectifying' }, owner, { campaign, now: late });
    expect(change.entry.afterClose).toBe(true);
    const onTheLastDay = applyHazardAction(major(), { kind: 'start-rectifying' }, owner, {
      campaign,
      now: t('2018-03-31T23:59:59+08:00'),
    });
    expect(onTheLastDay.entry.afterClose).toBe(false);
  });
});

describe('who may do what', () => {
  const waitingMajor = () =>
    run(major(), [
      [{ kind: 'start-rectifying' }, owner],
      [{ kind: 'submit-for-acceptance', note: 'done' }, owner],
    ]);

  it('a supervisor never acts as the owner', () => {
    for (const action of [
      { kind: 'start-rectifying' },
      { kind: 'request-extension', reason: 'x', newDeadline: '2018-03-01' },
      {
        kind: 'add-photo',
        photo: {
          key: 'k',
          kind: 'before',
          displayName: 'a.jpg',
          contentType: 'image/jpeg',
          addedAt: now.toISOString(),
        },
      },
    ] as HazardAction[]) {
      expect(() => applyHazardAction(major(), action, bureau, { campaign, now })).toThrow(ForbiddenError);
    }
    const rectifying = run(major(), [[{ kind: 'start-rectifying' }, owner]]);
    expect(() =>
      applyHazardAction(rectifying, { kind: 'submit-for-acceptance', note: 'x' }, bureau, { campaign, now }),
    ).toThrow(ForbiddenError);
  });

  it('a unit that supervises its own hazard still cannot accept it', () => {
    const own = {
      ...waitingMajor(),
      supervision: {
        ...(major().supervision as NonNullable<HazardRecord['supervision']>),
        supervisorUnit: 'LY-101',
      },
    };
    expect(() =>
      applyHazardAction(own, { kind: 'accept' }, { unitCode: 'LY-101', role: 'owner' }, { campaign, now }),
    ).toThrow(ForbiddenError);
  });

  it('a general hazard is decided by its school, not by a bureau', () => {
    const general = run(
      createHazard({ campaign, unit: school, report: report(), supervisorUnit: null, seq: 3, now }).hazard,
      [
        [{ kind: 'start-rectifying' }, owner],
        [{ kind: 'submit-for-acceptance', note: 'done' }, owner],
      ],
    );
    expect(() => applyHazardAction(general, { kind: 'accept' }, bureau, { campaign, now })).toThrow(
      ForbiddenError,
    );
    expect(() =>
      applyHazardAction(
        general,
        { kind: 'request-extension', reason: 'x', newDeadline: '2018-03-01' },
        owner,
        { campaign, now },
      ),
    ).toThrow(ConflictError);
  });

  it('from awaiting acceptance only a decision moves it; no extension decision without a request', () => {
    const waiting = waitingMajor();
    expect(() =>
      applyHazardAction(waiting, { kind: 'submit-for-acceptance', note: 'again' }, owner, { campaign, now }),
    ).toThrow(ConflictError);
    expect(() => applyHazardAction(waiting, { kind: 'start-rectifying' }, owner, { campaign, now })).toThrow(
      ConflictError,
    );
    expect(() =>
      applyHazardAction(waiting, { kind: 'decide-extension', grant: true }, bureau, { campaign, now }),
    ).toThrow(ConflictError);
  });

  it('rectification waits for the contingency plan when it was left for a document', () => {
    const noPlan = createHazard({
      campaign,
      unit: school,
      report: report({
        level: 'major',
        five: { ...(five as NonNullable<typeof five>), contingency: undefined },
      }),
      supervisorUnit: 'LY-000',
      seq: 4,
      now,
    }).hazard;
    expect(() => applyHazardAction(noPlan, { kind: 'start-rectifying' }, owner, { campaign, now })).toThrow(
      ValidationError,
    );
    const plan = {
      key: 'k',
      kind: 'plan' as const,
      displayName: '预案.pdf',
      contentType: 'application/pdf',
      addedAt: now.toISOString(),
    };
    const withPlan = run(noPlan, [[{ kind: 'add-photo', photo: plan }, owner]]);
    expect(
      applyHazardAction(withPlan, { kind: 'start-rectifying' }, owner, { campaign, now }).hazard.status,
    ).toBe('rectifying');
  });

  it('lists a major hazard on the campaign day, not the UTC day', () => {
    const early = t('2018-01-16T07:00:00+08:00');
    const listed = createHazard({
      campaign,
      unit: school,
      report: report({ level: 'major' }),
      supervisorUnit: 'LY-000',
      seq: 5,
      now: early,
    });
    expect(listed.hazard.supervision?.listedOn).toBe('2018-01-16');
  });
});

describe('listed supervision', () => {
  it('is overdue from the first instant after its deadline, and not after close-out', () => {
    const hazard = major();
    expect(isOverdueMajor(hazard, t('2018-01-31T23:59:59+08:00'), 'Asia/Shanghai')).toBe(false);
    expect(isOverdueMajor(hazard, t('2018-02-01T00:00:00+08:00'), 'Asia/Shanghai')).toBe(true);
    const closed = run(hazard, [
      [{ kind: 'start-rectifying' }, owner],
      [{ kind: 'submit-for-acceptance', note: 'done' }, owner],
      [{ kind: 'accept' }, bureau],
    ]);
    expect(isOverdueMajor(closed, t('2018-02-02T00:00:00+08:00'), 'Asia/Shanghai')).toBe(false);
    const general = createHazard({
      campaign,
      unit: school,
      report: report(),
      supervisorUnit: null,
      seq: 2,
      now,
    }).hazard;
    expect(isOverdueMajor(general, t('2018-03-01T00:00:00+08:00'), 'Asia/Shanghai')).toBe(false);
  });

  it('extends the deadline only when the supervisor grants a request with a later date and a reason', () => {
    const hazard = major();
    let earlier: unknown;
    try {
      applyHazardAction(
        hazard,
        { kind: 'request-extension', reason: '材料未到', newDeadline: '2018-01-20' },
        owner,
        {
          campaign,
          now,
        },
      );
    } catch (error) {
      earlier = error;
    }
    expect(earlier).toBeInstanceOf(ValidationError);
    expect((earlier as ValidationError).issues[0]).toMatchObject({
      path: 'newDeadline',
      zh: '新的整改期限须晚于当前期限 2018-01-31',
    });
    const requested = run(hazard, [
      [{ kind: 'request-extension', reason: '施工材料未到', newDeadline: '2018-02-28' }, owner],
    ]);
    expect(requested.supervision?.deadline).toBe('2018-01-31');
    expect(() =>
      applyHazardAction(
        requested,
        { kind: 'request-extension', reason: 'again', newDeadline: '2018-03-10' },
        owner,
        {
          campaign,
          now,
        },
      ),
    ).toThrow(ConflictError);
    expect(() =>
      applyHazardAction(requested, { kind: 'decide-extension', grant: true }, owner, { campaign, now }),
    ).toThrow(ForbiddenError);
    const granted = applyHazardAction(
      requested,
      { kind: 'decide-extension', grant: true, note: '同意' },
      bureau,
      {
        campaign,
        now,
      },
    );
    expect(granted.hazard.supervision).toMatchObject({
      deadline: '2018-02-28',
      extensions: [{ decision: 'granted', decidedBy: 'LY-000', reason: '施工材料未到', note: '同意' }],
    });
    expect(isOverdueMajor(granted.hazard, t('2018-02-15T00:00:00+08:00'), 'Asia/Shanghai')).toBe(false);
    const refusedAgain = run(granted.hazard, [
      [{ kind: 'request-extension', reason: '再次延期', newDeadline: '2018-03-31' }, owner],
      [{ kind: 'decide-extension', grant: false }, bureau],
    ]);
    expect(refusedAgain.supervision?.deadline).toBe('2018-02-28');
    expect(refusedAgain.supervision?.extensions.map((e) => e.decision)).toEqual(['granted', 'refused']);
  });
});
