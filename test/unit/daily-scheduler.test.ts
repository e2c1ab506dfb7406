import { describe, expect, it } from 'vitest';
import { parseInstant } from '../../functions/shared/domain/calendar/calendar.ts';
import { startDailyScheduler } from '../../infra/local/daily-scheduler.ts';
import { manualClock } from '../support/local-app.ts';

const at = (iso: string) => parseInstant(iso) as Date;

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i += 1) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('the local daily scheduler on the campaign clock', () => {
  it("runs at the check time in the campaign's zone, each day once, catching up days a fast clock skipped", async () => {
    const clock = manualClock('2018-01-09T23:59:00Z'); // 07:59 in Shanghai
    const runs: string[] = [];
    const scheduler = startDailyScheduler({
      clock,
      timeZone: 'Asia/Shanghai',
      time: '08:00',
      run: async (scheduledAt) => {
        runs.push(scheduledAt.toISOString());
      },
      onError: () => undefined,
      pollMs: 2,
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(runs).toEqual([]);
    clock.set('2018-01-10T00:00:01Z');
    await until(() => runs.length === 1);
    expect(runs).toEqual(['2018-01-10T00:00:00.000Z']);
    clock.set('2018-01-12T12:00:00Z');
    await until(() => runs.length === 3);
    await scheduler.stop();
    expect(runs).toEqual([
      '2018-01-10T00:00:00.000Z',
      '2018-01-11T00:00:00.000Z',
      '2018-01-12T00:00:00.000Z',
    ]);
  });

  it("runs the current day's check at once when started after its time, and reports failures", async () => {
    const clock = manualClock(at('2018-01-19T10:30:00+08:00').toISOString());
    const errors: string[] = [];
    const scheduler = startDailyScheduler({
      clock,
      timeZone: 'Asia/Shanghai',
      time: '08:00',
      run: async () => {
        throw new Error('SES down');
      },
      onError: (error, scheduledAt) =>
        errors.push(`${scheduledAt.toISOString()} ${(error as Error).message}`),
      pollMs: 2,
    });
    await until(() => errors.length === 1);
    await scheduler.stop();
    expect(errors).toEqual(['2018-01-19T00:00:00.000Z SES down']);
  });

  it('tries a day again, after a pause in real time, while its run answers "again" (held by a run that died)', async () => {
    const clock = manualClock(at('2018-01-19T10:30:00+08:00').toISOString());
    const runs: string[] = [];
    const scheduler = startDailyScheduler({
      clock,
      timeZone: 'Asia/Shanghai',
      time: '08:00',
      run: async (scheduledAt) => {
        runs.push(scheduledAt.toISOString());
        return runs.length < 3 ? 'again' : undefined;
      },
      onError: () => undefined,
      pollMs: 2,
      retryMs: 20,
    });
    await until(() => runs.length === 3);
    await new Promise((resolve) => setTimeout(resolve, 60));
    scheduler.close();
    await scheduler.idle();
    expect(runs).toEqual(Array(3).fill('2018-01-19T00:00:00.000Z'));
  });
});
