import { Duration, Validations } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ResourceGroup } from './resource-group.ts';

export interface FailureQueuesProps {
  /** Whether the SES bounce recorder runs (not in the China partition): it has two queues of its own. */
  mailEvents: boolean;
}

/**
 * The last stop of events that failed: asynchronous invocations that exhausted their retries and
 * scheduler or SNS deliveries that never arrived. Nothing consumes them; each alarms when not empty.
 */
export class FailureQueues extends ResourceGroup {
  readonly uploadReceived: Queue;
  readonly dailyCheck: Queue;
  readonly schedule: Queue;
  /** Notifications the bounce recorder failed on, and those SNS could not deliver to it at all. */
  readonly mailEvents: { failures: Queue; undelivered: Queue } | null;
  /** Every queue, by its construct id (which names its alarm). */
  readonly all: ReadonlyMap<string, Queue>;

  constructor(scope: Construct, id: string, props: FailureQueuesProps) {
    super(scope, id);
    this.uploadReceived = this.queue('UploadReceivedFailures');
    this.dailyCheck = this.queue('DailyCheckFailures');
    this.schedule = this.queue('ScheduleFailures');
    this.mailEvents = props.mailEvents
      ? { failures: this.queue('MailEventsFailures'), undelivered: this.queue('MailEventsUndelivered') }
      : null;
    this.all = new Map(
      [
        this.uploadReceived,
        this.dailyCheck,
        this.schedule,
        ...(this.mailEvents ? [this.mailEvents.failures, this.mailEvents.undelivered] : []),
      ].map((queue) => [queue.node.id, queue]),
    );
  }

  private queue(id: string): Queue {
    const queue = new Queue(this, id, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(queue).acknowledge(
      {
        id: 'AwsSolutions::AwsSolutions-SQS3',
        reason:
          'This queue is itself the last stop for failed events (a destination or DLQ); it alarms when not empty.',
      },
      {
        id: 'Serverless::Serverless-SQSRedrivePolicy',
        reason: 'This queue is itself the last stop for failed events; nothing consumes it to re-drive.',
      },
    );
    return queue;
  }
}
