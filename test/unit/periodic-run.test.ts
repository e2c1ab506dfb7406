import { describe, expect, it } from 'vitest';
import { startPeriodicRun } from '../../infra/local/periodic-run.ts';

/** The local schedule of the outbox sweep and the export jobs: at start, then on its interval, never two runs at once. */
describe('the local periodic run (outbox sweep, export jobs)', () => {
  it('runs at start and on each tick, skips a tick while a run is still going, and stops on close', async () => {
    let runs = 0;
    let active = 0;
    let most = 0;
    let release: () => void = () => undefined;
    const sweeper = startPeriodicRun({
      everyMs: 5,
      onError: () => undefined,
      run: async () => {
        runs += 1;
        active += 1;
        most = Math.max(most, active);
        // The first run is slow: several ticks pass while it holds.
        if (runs === 1) await new Promise<void>((resolve) => (release = resolve));
        active -= 1;
      },
    });
    expect(runs).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(runs).toBe(1);
    release();
    await sweeper.idle();
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(runs).toBeGreaterThan(2);
    sweeper.close();
    await sweeper.idle();
    const after = runs;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(runs).toBe(after);
    expect(most).toBe(1);
  });

  it('reports a failed run and goes on', async () => {
    const errors: unknown[] = [];
    let runs = 0;
    const sweeper = startPeriodicRun({
      everyMs: 5,
      onError: (error) => errors.push(error),
      run: async () => {
        runs += 1;
        if (runs === 1) throw new Error('DynamoDB unavailable');
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 30));
    sweeper.close();
    await sweeper.idle();
    expect(errors).toEqual([new Error('DynamoDB unavailable')]);
    expect(runs).toBeGreaterThan(1);
  });
});
