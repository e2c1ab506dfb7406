import type { MetricName } from '../../functions/shared/metrics.ts';
import type { MetricCounter } from '../../functions/shared/telemetry.ts';

/** A metrics dependency a test reads: what a handler counted since the last `take()`. */
export class RecordingMetrics implements MetricCounter {
  counted: Partial<Record<MetricName, number>> = {};
  count(name: MetricName, value = 1) {
    this.counted[name] = (this.counted[name] ?? 0) + value;
  }
  take() {
    const counted = this.counted;
    this.counted = {};
    return counted;
  }
}
