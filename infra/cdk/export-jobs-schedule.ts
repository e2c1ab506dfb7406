import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { Campaign } from '../../schemas/campaign.ts';
import { arnRef } from './nag-refs.ts';
import { ResourceGroup } from './resource-group.ts';

export interface ExportJobsScheduleProps {
  campaign: Campaign;
  exportJobs: IFunction;
  /** Where an invocation the scheduler could not deliver is kept. */
  deadLetterQueue: IQueue;
}

/**
 * The export jobs every minute, with no end: a supervisor waits on the job's page, and archives
 * are asked for after the campaign too (to keep a year's documents). A run that finds nothing
 * ends at once (about 43,000 invocations a month, cents). A missed invocation is not retried
 * (the next one finds the same jobs); one the scheduler could not deliver lands in the queue.
 */
export class ExportJobsSchedule extends ResourceGroup {
  constructor(scope: Construct, id: string, props: ExportJobsScheduleProps) {
    super(scope, id);
    const schedule = new Schedule(this, 'ExportJobsSchedule', {
      description: `${props.campaign.id}: the supervisors' documents archives asked for, every minute`,
      schedule: ScheduleExpression.rate(Duration.minutes(1)),
      target: new LambdaInvoke(props.exportJobs, {
        retryAttempts: 0,
        maxEventAge: Duration.minutes(1),
        deadLetterQueue: props.deadLetterQueue,
      }),
    });
    Validations.of(Stack.of(this)).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::${arnRef(props.exportJobs)}:*]`,
      reason: `The scheduler's role may invoke the export-jobs function and its versions (${schedule.node.id}); nothing else.`,
    });
  }
}
