import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Full-jitter exponential backoff before the next attempt of a write that lost a race: a random
 * wait of up to 20 ms × 2^attempt, capped at 1 s, so contenders spread out instead of colliding
 * again in step.
 */
export function jitteredBackoff(attempt: number): Promise<void> {
  return sleep(Math.random() * Math.min(1000, 20 * 2 ** attempt));
}
