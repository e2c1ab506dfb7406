import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { Campaign } from '../../schemas/campaign.ts';
import { sweepEnd } from './daily-check-schedule.ts';
import { arnRef } from './nag-refs.ts';
import { ResourceGroup } from './resource-group.ts';

export interface OutboxSweepScheduleProps {
  campaign: Campaign;
  /** When the stack is deployed: an end already past gives a disabled schedule without one. */
  deployedAt: Date;
  outboxSweep: IFunction;
  /** Where an invocation the scheduler could not deliver is kept. */
  deadLetterQueue: IQueue;
}

/**
 * The outbox sweep every minute until `sweepEnd` (90 days after the campaign's last date), then
 * every hour: a hazard notice a request could not send after its commit goes out within the next
 * minute while the campaign is on, and within the hour after it (supervisors still act on hazards
 * then), without a run every minute for ever. A missed invocation is not retried (the next one
 * sends the same); one the scheduler could not deliver at all lands in the queue, which alarms.
 */
export class OutboxSweepSchedule extends ResourceGroup {
  constructor(scope: Construct, id: string, props: OutboxSweepScheduleProps) {
    super(scope, id);
    const end = sweepEnd(props.campaign);
    const endsLater = end.getTime() > props.deployedAt.getTime() + 10 * 60 * 1000;
    const target = (maxEventAge: Duration) =>
      new LambdaInvoke(props.outboxSweep, {
        retryAttempts: 0,
        maxEventAge,
        deadLetterQueue: props.deadLetterQueue,
      });
    const schedule = new Schedule(this, 'OutboxSweepSchedule', {
      description: `${props.campaign.id}: the hazard notices still owed, every minute`,
      schedule: ScheduleExpression.rate(Duration.minutes(1)),
      enabled: endsLater,
      ...(endsLater ? { end } : {}),
      target: target(Duration.minutes(1)),
    });
    new Schedule(this, 'OutboxSweepAfterCampaign', {
      description: `${props.campaign.id}: the hazard notices still owed, hourly after the campaign`,
      schedule: ScheduleExpression.rate(Duration.hours(1)),
      ...(endsLater ? { start: end } : {}),
      target: target(Duration.hours(1)),
    });
    Validations.of(Stack.of(this)).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::${arnRef(props.outboxSweep)}:*]`,
      reason: `The scheduler's role may invoke the outbox-sweep function and its versions (${schedule.node.id}); nothing else.`,
    });
  }
}
