import { describe, expect, it } from 'vitest';
import { supervises } from '../../functions/shared/domain/links/supervision-scope.ts';
import { sampleUnit } from '../support/fixtures.ts';

describe('who supervises whom (issue 13)', () => {
  const office = sampleUnit('CITY-000');
  const liyang = sampleUnit('LY-000');
  const wujin = sampleUnit('WJ-000');
  const school = sampleUnit('LY-101');
  const neighbour = sampleUnit('LY-102');
  const affiliated = sampleUnit('CZ-001');

  it('the city office supervises every unit but itself', () => {
    for (const unit of [liyang, wujin, school, affiliated]) expect(supervises(office, unit)).toBe(true);
    expect(supervises(office, office)).toBe(false);
  });

  it('a bureau supervises the units of its own district only', () => {
    expect(supervises(liyang, school)).toBe(true);
    expect(supervises(liyang, neighbour)).toBe(true);
    expect(supervises(wujin, school)).toBe(false);
    expect(supervises(liyang, affiliated)).toBe(false);
    expect(supervises(liyang, office)).toBe(false);
    expect(supervises(liyang, liyang)).toBe(false);
  });

  it('schools and directly affiliated units supervise nobody', () => {
    for (const viewer of [school, affiliated]) {
      for (const unit of [school, neighbour, affiliated, liyang])
        expect(supervises(viewer, unit)).toBe(false);
    }
  });

  it('nobody supervises a withdrawn unit', () => {
    const gone = { ...school, withdrawnAt: '2018-01-11T00:00:00.000Z' };
    expect(supervises(office, gone)).toBe(false);
    expect(supervises(liyang, gone)).toBe(false);
  });
});
