import { addDays, atLocalTime, localDateOf } from '../../functions/shared/domain/calendar/calendar.ts';
import type { Clock } from '../../functions/shared/domain/calendar/clock.ts';

/** What `run` may answer: `again` when the day is not done and should be tried later (held by another run, or stopped). */
export type ScheduledRunResult = 'again' | undefined;

/**
 * The local stand-in for EventBridge Scheduler: calls `run` with the scheduled instant each time
 * the campaign clock passes the daily check time in the campaign's zone. It polls, so it follows
 * a simulated clock at any speed; runs never overlap. At start it catches up the current day's
 * run if its time has passed (a rerun sends nothing twice, so a restart is harmless). A run that
 * answers `again` (the day is held by a run that died, until its lease runs out) is tried again
 * after `retryMs` of real time, as Scheduler's retries would.
 */
export function startDailyScheduler(options: {
  clock: Clock;
  timeZone: string;
  time: string;
  run: (scheduledAt: Date) => Promise<ScheduledRunResult | unknown>;
  onError: (error: unknown, scheduledAt: Date) => void;
  pollMs?: number;
  retryMs?: number;
}): {
  /** Starts no new run; the running one goes on (`idle()` waits for it). */
  close(): void;
  idle(): Promise<void>;
  stop(): Promise<void>;
} {
  const { clock, timeZone, time } = options;
  const today = localDateOf(clock.now(), timeZone);
  let next = atLocalTime(today, time, timeZone);
  let notBefore = 0;
  let stopped = false;
  let running: Promise<void> = Promise.resolve();

  const tick = async () => {
    while (!stopped && Date.now() >= notBefore && clock.now().getTime() >= next.getTime()) {
      const due = next;
      next = atLocalTime(addDays(localDateOf(due, timeZone), 1), time, timeZone);
      try {
        if ((await options.run(due)) === 'again' && !stopped) {
          next = due;
          notBefore = Date.now() + (options.retryMs ?? 15_000);
        }
      } catch (error) {
        options.onError(error, due);
      }
    }
  };
  const timer = setInterval(() => {
    running = running.then(tick);
  }, options.pollMs ?? 1000);
  running = running.then(tick);
  const close = () => {
    stopped = true;
    clearInterval(timer);
  };
  return {
    close,
    idle: () => running,
    async stop() {
      close();
      await running;
    },
  };
}
