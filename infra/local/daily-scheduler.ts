import { addDays, atLocalTime, localDateOf } from '../../functions/shared/domain/calendar.ts';
import type { Clock } from '../../functions/shared/domain/clock.ts';

/**
 * The local stand-in for EventBridge Scheduler: calls `run` with the scheduled instant each time
 * the campaign clock passes the daily check time in the campaign's zone. It polls, so it follows
 * a simulated clock at any speed; runs never overlap. At start it catches up the current day's
 * run if its time has passed (a rerun sends nothing twice, so a restart is harmless).
 */
export function startDailyScheduler(options: {
  clock: Clock;
  timeZone: string;
  time: string;
  run: (scheduledAt: Date) => Promise<unknown>;
  onError: (error: unknown, scheduledAt: Date) => void;
  pollMs?: number;
}): { stop(): Promise<void> } {
  const { clock, timeZone, time } = options;
  const today = localDateOf(clock.now(), timeZone);
  let next = atLocalTime(today, time, timeZone);
  let stopped = false;
  let running: Promise<void> = Promise.resolve();

  const tick = async () => {
    while (!stopped && clock.now().getTime() >= next.getTime()) {
      const due = next;
      next = atLocalTime(addDays(localDateOf(due, timeZone), 1), time, timeZone);
      try {
        await options.run(due);
      } catch (error) {
        options.onError(error, due);
      }
    }
  };
  const timer = setInterval(() => {
    running = running.then(tick);
  }, options.pollMs ?? 1000);
  running = running.then(tick);
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
