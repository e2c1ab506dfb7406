import { describe, expect, it } from 'vitest';
import { parseInstant } from '../../functions/shared/domain/calendar/calendar.ts';
import { ConflictError, ForbiddenError, ValidationError } from '../../functions/shared/domain/errors.ts';
import {
  applyHazardAction,
  createHazard,
  type HazardAction,
  type HazardActor,
  isOpenHazard,
  listsForSupervision,
} from '../../functions/shared/domain/hazards/hazard-lifecycle.ts';
import { hazardFacts } from '../../functions/shared/domain/report/hazard-pass.ts';
import type { HazardRecord, UnitRecord } from '../../schemas/records.ts';
import { demoCampaign, sampleReport, sampleUnit } from '../support/fixtures.ts';

/** Edit, withdraw and reclassify in the state machine: who may, when, and what the history and counters get. */
const campaign = demoCampaign();
const t = (iso: string) => parseInstant(iso) as Date;
const now = t('2018-01-15T10:00:00+08:00');
const later = t('2018-01-16T09:00:00+08:00');
const school: UnitRecord = sampleUnit('LY-101', { updatedAt: now.toISOString() });
const owner: HazardActor = { unitCode: 'LY-101', role: 'owner' };
const bureau: HazardActor = { unitCode: 'LY-000', role: 'supervisor' };
const otherBureau: HazardActor = { unitCode: 'WJ-000', role: 'supervisor' };

function created(level: 'general' | 'major' = 'general'): HazardRecord {
  return createHazard({
    campaign,
    unit: school,
    report: sampleReport({ level }),
    supervisorUnit: level === 'major' ? 'LY-000' : null,
    seq: 1,
    now,
  }).hazard;
}

const apply = (hazard: HazardRecord, action: HazardAction, actor: HazardActor, supervisorUnit?: string) =>
  applyHazardAction(hazard, action, actor, {
    campaign,
    now: later,
    ...(supervisorUnit ? { supervisorUnit } : {}),
  });

describe('edit', () => {
  it('replaces the report while registered, with each changed field old → new in the history', () => {
    const hazard = created();
    const report = sampleReport({ title: '消防通道被占用', location: '教学楼西侧' });
    const change = apply(hazard, { kind: 'edit', report }, owner);
    expect(change.hazard).toMatchObject({ title: '消防通道被占用', version: 2, status: 'registered' });
    expect(change.hazard.report.location).toBe('教学楼西侧');
    expect(change.entry.action).toBe('edit');
    expect(change.entry.changes).toEqual(
      expect.arrayContaining([
        { field: 'title', from: '消防通道堵塞', to: '消防通道被占用' },
        { field: 'report.title', from: '消防通道堵塞', to: '消防通道被占用' },
        { field: 'report.location', from: '教学楼东侧', to: '教学楼西侧' },
      ]),
    );
    expect(change.entry.changes.map((c) => c.field)).not.toContain('report');
    expect(change.delta).toEqual({});
  });

  it('moves the area, and raising the level lists it for supervision and moves the counters', () => {
    const hazard = created();
    const report = sampleReport({ level: 'major', area: 'school-buildings' });
    expect(listsForSupervision(hazard, { kind: 'edit', report })).toBe(true);
    expect(() => apply(hazard, { kind: 'edit', report }, owner)).toThrow(/no supervising unit/);
    const change = apply(hazard, { kind: 'edit', report }, owner, 'LY-000');
    expect(change.hazard).toMatchObject({ level: 'major', area: 'school-buildings' });
    expect(change.hazard.supervision).toEqual({
      supervisorUnit: 'LY-000',
      listedOn: '2018-01-16',
      deadline: '2018-01-31',
      extensions: [],
    });
    expect(change.delta).toEqual({
      openGeneral: -1,
      openMajor: 1,
      tally: { 'h#school-buildings#major#open': 1, 'od#2018-01-31': 1, 'h#fire-safety#general#open': -1 },
    });
  });

  it('may not lower a major hazard to general: only the supervisor delists', () => {
    const hazard = created('major');
    expect(() => apply(hazard, { kind: 'edit', report: sampleReport() }, owner)).toThrow(ForbiddenError);
  });

  it('of a major hazard moves the listed deadline with the corrected one', () => {
    const hazard = created('major');
    const five = sampleReport().five;
    if (!five) throw new Error('sample has five');
    const report = sampleReport({ level: 'major', five: { ...five, deadline: '2018-02-10' } });
    const change = apply(hazard, { kind: 'edit', report }, owner);
    expect(change.hazard.supervision?.deadline).toBe('2018-02-10');
    expect(change.entry.changes).toContainEqual({
      field: 'supervision.deadline',
      from: '2018-01-31',
      to: '2018-02-10',
    });
  });

  it('corrected to a general fix on the spot, it is closed out at once', () => {
    const report = sampleReport({ fixedOnSpot: true, fixNote: '已当场清理', five: undefined });
    const change = apply(created(), { kind: 'edit', report }, owner);
    expect(change.hazard).toMatchObject({ status: 'closed', closedAt: later.toISOString() });
    expect(change.delta).toEqual({
      openGeneral: -1,
      tally: { 'h#fire-safety#general#closed': 1, 'h#fire-safety#general#open': -1 },
    });
  });

  it('is refused once rectification started, for anyone but the reporting unit, and when nothing changed', () => {
    const hazard = created();
    const rectifying = apply(hazard, { kind: 'start-rectifying' }, owner).hazard;
    const edit: HazardAction = { kind: 'edit', report: sampleReport({ title: '新标题' }) };
    expect(() => apply(rectifying, edit, owner)).toThrow(ConflictError);
    expect(() => apply(rectifying, edit, owner)).toThrow(
      expect.objectContaining({ zh: expect.stringMatching(/整改中.*不能「修改上报内容」/) }),
    );
    expect(() => apply(hazard, edit, bureau)).toThrow(ForbiddenError);
    expect(() => apply(hazard, { kind: 'edit', report: hazard.report }, owner)).toThrow(ValidationError);
  });
});

describe('withdraw', () => {
  it('is terminal, keeps the record with its reason, leaves every open count and delists a major hazard', () => {
    const hazard = created('major');
    const change = apply(hazard, { kind: 'withdraw', reason: '重复上报' }, owner);
    expect(change.hazard).toMatchObject({
      status: 'withdrawn',
      withdrawal: { reason: '重复上报', by: 'LY-101', at: later.toISOString() },
      supervision: { supervisorUnit: 'LY-000', delistedOn: '2018-01-16' },
    });
    expect(isOpenHazard(change.hazard)).toBe(false);
    expect(change.delta).toEqual({
      openMajor: -1,
      tally: { 'h#fire-safety#major#open': -1, 'od#2018-01-31': -1 },
    });
    expect(change.entry).toMatchObject({ action: 'withdraw', note: '重复上报' });
    expect(change.entry.changes).toContainEqual({ field: 'status', from: 'registered', to: 'withdrawn' });
    const instant = {
      at: later,
      timeZone: campaign.timeZone,
      iso: later.toISOString(),
      today: '2018-01-16',
      yesterday: '2018-01-15',
    };
    expect(hazardFacts([change.hazard], instant).open).toEqual({ general: 0, major: 0 });
    for (const action of [
      { kind: 'start-rectifying' },
      { kind: 'withdraw', reason: '再撤' },
      { kind: 'edit', report: sampleReport({ level: 'major', title: '改' }) },
      { kind: 'reclassify', level: 'general', area: 'fire-safety', reason: '降级' },
      { kind: 'request-extension', reason: '延期', newDeadline: '2018-03-01' },
    ] as HazardAction[]) {
      expect(() => apply(change.hazard, action, action.kind === 'reclassify' ? bureau : owner)).toThrow(
        ConflictError,
      );
    }
  });

  it('needs a reason, the reporting unit, and a registered hazard', () => {
    const hazard = created();
    expect(() => apply(hazard, { kind: 'withdraw', reason: '  ' }, owner)).toThrow(ValidationError);
    expect(() => apply(hazard, { kind: 'withdraw', reason: '误报' }, bureau)).toThrow(ForbiddenError);
    const rectifying = apply(hazard, { kind: 'start-rectifying' }, owner).hazard;
    expect(() => apply(rectifying, { kind: 'withdraw', reason: '误报' }, owner)).toThrow(ConflictError);
  });
});

describe('reclassify', () => {
  it('general → major lists it under the supervisor with the five implementations’ deadline', () => {
    const hazard = apply(created(), { kind: 'start-rectifying' }, owner).hazard;
    const action: HazardAction = {
      kind: 'reclassify',
      level: 'major',
      area: 'fire-safety',
      reason: '涉及全校疏散通道',
    };
    const change = apply(hazard, action, bureau, 'LY-000');
    expect(change.hazard).toMatchObject({ level: 'major', status: 'rectifying', report: { level: 'major' } });
    expect(change.hazard.supervision).toMatchObject({
      supervisorUnit: 'LY-000',
      listedOn: '2018-01-16',
      deadline: '2018-01-31',
    });
    expect(change.delta).toEqual({
      openGeneral: -1,
      openMajor: 1,
      tally: { 'h#fire-safety#major#open': 1, 'od#2018-01-31': 1, 'h#fire-safety#general#open': -1 },
    });
    expect(change.entry).toMatchObject({ action: 'reclassify', byUnit: 'LY-000', note: '涉及全校疏散通道' });
    expect(change.entry.changes).toContainEqual({ field: 'level', from: 'general', to: 'major' });
  });

  it('major → general lifts the supervision; an area change alone moves only the tally’s areas', () => {
    const hazard = created('major');
    const lowered = apply(
      hazard,
      { kind: 'reclassify', level: 'general', area: 'fire-safety', reason: '经核查属一般隐患' },
      bureau,
    );
    expect(lowered.hazard.supervision).toBeNull();
    expect(lowered.delta).toEqual({
      openMajor: -1,
      openGeneral: 1,
      tally: { 'h#fire-safety#general#open': 1, 'h#fire-safety#major#open': -1, 'od#2018-01-31': -1 },
    });
    expect(lowered.entry.changes).toContainEqual({
      field: 'supervision',
      from: hazard.supervision,
      to: null,
    });
    const moved = apply(
      lowered.hazard,
      { kind: 'reclassify', level: 'general', area: 'food-safety', reason: '类别有误' },
      bureau,
    );
    expect(moved.hazard).toMatchObject({ area: 'food-safety', report: { area: 'food-safety' } });
    expect(moved.delta).toEqual({
      tally: { 'h#food-safety#general#open': 1, 'h#fire-safety#general#open': -1 },
    });
    expect(moved.entry.changes).toEqual(
      expect.arrayContaining([
        { field: 'area', from: 'fire-safety', to: 'food-safety' },
        { field: 'report.area', from: 'fire-safety', to: 'food-safety' },
      ]),
    );
  });

  it('is the supervisor’s alone, needs a reason and a change, and an open hazard', () => {
    const major = created('major');
    const action: HazardAction = {
      kind: 'reclassify',
      level: 'general',
      area: 'fire-safety',
      reason: '核查',
    };
    expect(() => apply(major, action, owner)).toThrow(ForbiddenError);
    expect(() => apply(major, action, otherBureau)).toThrow(ForbiddenError);
    expect(() => apply(major, { ...action, reason: '' }, bureau)).toThrow(ValidationError);
    expect(() => apply(major, { ...action, level: 'major' }, bureau)).toThrow(ValidationError);
    const closed = [
      { kind: 'start-rectifying' },
      { kind: 'submit-for-acceptance', note: '完成' },
      { kind: 'accept' },
    ] as HazardAction[];
    const done = closed.reduce(
      (h, a) => apply(h, a, a.kind === 'accept' ? bureau : owner).hazard,
      created('major'),
    );
    expect(() => apply(done, action, bureau)).toThrow(ConflictError);
  });
});
