import { randomUUID } from 'node:crypto';
import type { RunFence } from '../shared/ports.ts';
import type { DailyCheckDeps } from './deps.ts';
import { type DailyCheckReport, runStatus } from './run-report.ts';

/** The day as one run holds it: the fence every mail is claimed under, and whether the lease was lost. */
export interface DayHold {
  fence: RunFence;
  lost: boolean;
}

/**
 * Runs `work` while holding the day's run lease (`RunLeases`, real time, a minute), renewed by a
 * heartbeat. A day found done, or held by a live run, is reported and `work` does not run. At
 * the end the day is marked done if `work` got through and every mail went out, else the lease
 * is released for the next run (a retry, or a restart's catch-up); a run that lost the lease
 * leaves the day to its new holder.
 */
export async function holdDay(
  deps: Pick<DailyCheckDeps, 'runLeases' | 'logger'>,
  report: DailyCheckReport,
  work: (hold: DayHold) => Promise<void>,
): Promise<DailyCheckReport> {
  const { day } = report;
  const hold: DayHold = { fence: { day, holder: randomUUID() }, lost: false };
  const lease = await deps.runLeases.acquire(day, hold.fence.holder);
  if (lease.outcome === 'done') {
    deps.logger.info('daily check: the day is already done', { day });
    return { ...report, run: 'already-done' };
  }
  if (lease.outcome === 'held') {
    const heldUntil = new Date(lease.until).toISOString();
    deps.logger.info('daily check: held by a live run', { day, heldUntil });
    return { ...report, run: 'held', heldUntil };
  }
  // The heartbeat: renewed at a third of the lease, so one missed beat loses nothing. A renewal
  // refused means another run took the day (this one was paused past its lease): stop sending.
  const beat = setInterval(() => {
    deps.runLeases.renew(day, hold.fence.holder).then(
      (held) => {
        if (!held) hold.lost = true;
      },
      (error: unknown) => deps.logger.error('daily check: lease renewal failed', { day, error }),
    );
  }, deps.runLeases.leaseMs / 3);
  beat.unref();
  let completed = false;
  try {
    await work(hold);
    completed = true;
  } finally {
    clearInterval(beat);
    report.run = runStatus(report, completed, hold.lost);
    // Released at once also when the run threw before it sent anything.
    if (!hold.lost)
      await deps.runLeases
        .finish(day, hold.fence.holder, report.run === 'done')
        .catch((error: unknown) =>
          deps.logger.error('daily check: could not release the day', { day, error }),
        );
  }
  return report;
}
