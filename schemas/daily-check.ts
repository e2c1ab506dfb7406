import { z } from 'zod';

/**
 * What EventBridge Scheduler delivers to the daily check. The schedule's input template is
 * `{"scheduledTime": "<aws.scheduler.scheduled-time>"}`: the time the run was due, the same on
 * every retry, so the campaign day comes from it and never from the clock at delivery.
 */
export const DailyCheckEventSchema = z.object({
  scheduledTime: z.iso.datetime({ offset: true }),
});
export type DailyCheckEvent = z.infer<typeof DailyCheckEventSchema>;
