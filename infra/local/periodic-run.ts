/**
 * The local stand-in for an EventBridge schedule at a fixed rate (the outbox sweep's and the
 * export jobs', every minute): calls `run` at start and then every `everyMs` of real time (like
 * the schedule, not the campaign clock), one run at a time: a run still going when the next is
 * due is not doubled.
 */
export function startPeriodicRun(options: {
  run: () => Promise<unknown>;
  everyMs: number;
  onError: (error: unknown) => void;
}): { close(): void; idle(): Promise<void> } {
  let running: Promise<void> | null = null;
  let closed = false;
  const tick = () => {
    if (closed || running) return;
    running = options
      .run()
      .then(() => undefined, options.onError)
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, options.everyMs);
  timer.unref();
  tick();
  return {
    close() {
      closed = true;
      clearInterval(timer);
    },
    idle: () => running ?? Promise.resolve(),
  };
}
