/** The source of "now". Injected everywhere; domain code never calls `Date.now()` itself. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export function fixedClock(at: Date): Clock {
  return { now: () => new Date(at.getTime()) };
}

/**
 * A clock that starts at `start` and then runs `speed` times as fast as real time: the local demo
 * uses it to live in January 2018 (and, sped up, to watch the deadlines pass). `realNow` is
 * injectable so the drift can be tested.
 */
export function simulatedClock(start: Date, realNow: () => number = Date.now, speed = 1): Clock {
  const origin = realNow();
  return { now: () => new Date(start.getTime() + (realNow() - origin) * speed) };
}
