import { Duration, Stack, TimeZone, Validations } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import {
  ContextAttribute,
  Schedule,
  ScheduleExpression,
  ScheduleTargetInput,
} from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { addDays, atLocalTime } from '../../functions/shared/domain/calendar/calendar.ts';
import type { Campaign } from '../../schemas/campaign.ts';
import { arnRef } from './nag-refs.ts';
import { ResourceGroup } from './resource-group.ts';

/** Reminders for work still missing go on for this long after the last due date or the drive's close. */
export const SCHEDULE_TAIL_DAYS = 14;

/** When the daily check runs: from the campaign's first day to two weeks after its last date. */
export function scheduleWindow(campaign: Campaign): { start: Date; end: Date } {
  const time = campaign.reminders.dailyCheckTime;
  return {
    start: atLocalTime(campaign.opensOn, time, campaign.timeZone),
    end: atLocalTime(addDays(lastDate(campaign), SCHEDULE_TAIL_DAYS), '23:59', campaign.timeZone),
  };
}

/** How long after the campaign's last date the outbox sweep runs every minute (then hourly). */
export const SWEEP_TAIL_DAYS = 90;

/** The last date of the campaign: the latest due date or the drive's close. */
function lastDate(campaign: Campaign): string {
  return (
    [campaign.hazardDrive.closesOn, ...campaign.deliverables.map((d) => d.dueDate)].sort().at(-1) ??
    campaign.opensOn
  );
}

/**
 * When the outbox sweep goes from every minute to hourly: `SWEEP_TAIL_DAYS` after the last date.
 * Supervisors act on hazards well after the drive, so it never stops.
 */
export function sweepEnd(campaign: Campaign): Date {
  return atLocalTime(addDays(lastDate(campaign), SWEEP_TAIL_DAYS), '23:59', campaign.timeZone);
}

export interface DailyCheckScheduleProps {
  campaign: Campaign;
  /**
   * When the stack is deployed. EventBridge Scheduler refuses a start or an end in the past, so
   * those are left out when already past, and a campaign that has ended gets a disabled schedule.
   */
  deployedAt: Date;
  dailyCheck: IFunction;
  /** Where an invocation the scheduler could not deliver after its retries is kept. */
  deadLetterQueue: IQueue;
}

/** The daily check, at the campaign's `dailyCheckTime` in its time zone, over `scheduleWindow`. */
export class DailyCheckSchedule extends ResourceGroup {
  constructor(scope: Construct, id: string, props: DailyCheckScheduleProps) {
    super(scope, id);
    const { campaign, dailyCheck } = props;
    const window = scheduleWindow(campaign);
    const deployed = props.deployedAt.getTime();
    // The handler itself does nothing before the campaign opens, so a start already past can go.
    const startsLater = window.start.getTime() > deployed + 10 * 60 * 1000;
    const endsLater = window.end.getTime() > deployed + 10 * 60 * 1000;
    const [hour, minute] = campaign.reminders.dailyCheckTime.split(':');
    const schedule = new Schedule(this, 'DailyCheckSchedule', {
      description: `${campaign.id}: the daily check at ${campaign.reminders.dailyCheckTime} ${campaign.timeZone}`,
      schedule: ScheduleExpression.cron({
        minute: String(Number(minute)),
        hour: String(Number(hour)),
        timeZone: TimeZone.of(campaign.timeZone),
      }),
      enabled: endsLater,
      ...(startsLater ? { start: window.start } : {}),
      ...(endsLater ? { end: window.end } : {}),
      target: new LambdaInvoke(dailyCheck, {
        input: ScheduleTargetInput.fromObject({ scheduledTime: ContextAttribute.scheduledTime }),
        retryAttempts: 3,
        maxEventAge: Duration.hours(6),
        deadLetterQueue: props.deadLetterQueue,
      }),
    });
    // The target's role is a singleton of the stack, so its finding is reported there.
    Validations.of(Stack.of(this)).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::${arnRef(dailyCheck)}:*]`,
      reason: `The scheduler's role may invoke the daily-check function and its versions (${schedule.node.id}); nothing else.`,
    });
  }
}
