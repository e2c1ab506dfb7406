import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../functions/shared/domain/errors.ts';
import { CIRCULAR_MAX_UNITS, circularUnitCodes } from '../../functions/shared/domain/sanctions/circular.ts';
import {
  newSanctionFormKey,
  parseSanctionForm,
  sanctionDates,
} from '../../functions/shared/domain/sanctions/sanctions.ts';
import { demoCampaign } from '../support/fixtures.ts';

/** The decision form's rules and the circular's unit picking, as plain functions. */
const campaign = demoCampaign();

function issuesOf(run: () => unknown) {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error.issues.map((i) => [i.path, i.code, i.value]);
    throw error;
  }
  throw new Error('accepted');
}

describe('summons and circular forms', () => {
  const formKey = newSanctionFormKey();

  it('dates a decision from the opening day to 90 days after the campaign’s last day', () => {
    expect(sanctionDates(campaign)).toEqual({ from: '2018-01-10', to: '2018-06-29' });
    const ok = { kind: 'summons', reason: '  逾期未报  ', formKey };
    expect(parseSanctionForm(campaign, { ...ok, date: '2018-01-10' })).toEqual({
      kind: 'summons',
      date: '2018-01-10',
      reason: '逾期未报',
      formKey,
    });
    expect(parseSanctionForm(campaign, { ...ok, date: '2018-06-29' }).date).toBe('2018-06-29');
    expect(issuesOf(() => parseSanctionForm(campaign, { ...ok, date: '2018-06-30' }))).toEqual([
      ['date', 'sanction-date', '2018-06-30'],
    ]);
    expect(issuesOf(() => parseSanctionForm(campaign, { ...ok, date: '2018-02-29' }))).toEqual([
      ['date', 'local-date', '2018-02-29'],
    ]);
  });

  it('takes a reason of 1 to 500 characters (counted as characters, not UTF-16 units), lines allowed', () => {
    const base = { kind: 'circular', date: '2018-02-01', formKey };
    expect(parseSanctionForm(campaign, { ...base, reason: '𠀀'.repeat(500) }).reason).toHaveLength(1000);
    expect(parseSanctionForm(campaign, { ...base, reason: '第一行\n第二行' }).reason).toBe('第一行\n第二行');
    for (const reason of ['', '   ', 'x'.repeat(501), 'a\u0007b', null])
      expect(issuesOf(() => parseSanctionForm(campaign, { ...base, reason }))[0]?.[0]).toBe('reason');
  });

  it('names every bad field at once, and refuses a form without a proper one-time key', () => {
    expect(
      issuesOf(() =>
        parseSanctionForm(campaign, { kind: 'warning', date: 'tomorrow', reason: '', formKey: 'aaaa' }),
      ).map(([path]) => path),
    ).toEqual(['kind', 'date', 'reason', 'formKey']);
    expect(
      issuesOf(() =>
        parseSanctionForm(campaign, {
          kind: 'summons',
          date: '2018-02-01',
          reason: 'x',
          formKey: 'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz',
        }),
      ),
    ).toEqual([['formKey', 'form-key', 'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz']]);
  });

  it('picks circular units from repeated or comma-joined parameters, once each, up to the limit', () => {
    expect(circularUnitCodes(['ly-101', 'WJ-101,LY-102', ' LY-101 ', ''])).toEqual([
      'LY-101',
      'WJ-101',
      'LY-102',
    ]);
    expect(circularUnitCodes(['LY-101，LY-102、CZ-001 WJ-000'])).toEqual([
      'LY-101',
      'LY-102',
      'CZ-001',
      'WJ-000',
    ]);
    expect(issuesOf(() => circularUnitCodes([]))).toEqual([['unit', 'circular-units', '']]);
    expect(issuesOf(() => circularUnitCodes([', ,']))[0]?.[0]).toBe('unit');
    const many = Array.from({ length: CIRCULAR_MAX_UNITS + 1 }, (_, i) => `LY-${i}`);
    expect(circularUnitCodes(many.slice(0, CIRCULAR_MAX_UNITS))).toHaveLength(CIRCULAR_MAX_UNITS);
    expect(issuesOf(() => circularUnitCodes(many))[0]?.[0]).toBe('unit');
  });
});
