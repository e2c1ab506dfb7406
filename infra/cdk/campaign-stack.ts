import {
  type CfnElement,
  CfnOutput,
  Duration,
  RemovalPolicy,
  SecretValue,
  Stack,
  type StackProps,
  TimeZone,
  Validations,
} from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, type HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Alarm, ComparisonOperator, type IMetric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { AttributeType, Billing, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { SnsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  EventType,
  HttpMethods,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import {
  ContextAttribute,
  Schedule,
  ScheduleExpression,
  ScheduleTargetInput,
} from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import {
  ConfigurationSet,
  EmailIdentity,
  EmailSendingEvent,
  EventDestination,
  Identity,
} from 'aws-cdk-lib/aws-ses';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { HTTP_ROUTES } from '../../functions/http/routes.ts';
import { CAMPAIGN_TABLE } from '../../functions/shared/adapters/dynamo/table.ts';
import { addDays, atLocalTime } from '../../functions/shared/domain/calendar/calendar.ts';
import { type Campaign, mailTransport } from '../../schemas/campaign.ts';
import { CampaignFunction } from './campaign-function.ts';

export type Partition = 'aws' | 'aws-cn';

export interface CampaignStackProps extends StackProps {
  campaign: Campaign;
  /** `aws-cn`: no SES (the config's SMTP relay is used), no X-Ray. */
  partition: Partition;
  /**
   * When the stack is deployed. EventBridge Scheduler refuses a start or an end in the past, so
   * those are left out when already past, and a campaign that has ended gets a disabled schedule.
   */
  deployedAt: Date;
}

/** Reminders for work still missing go on for this long after the last due date or the drive's close. */
export const SCHEDULE_TAIL_DAYS = 14;

/** When the daily check runs: from the campaign's first day to two weeks after its last date. */
export function scheduleWindow(campaign: Campaign): { start: Date; end: Date } {
  const time = campaign.reminders.dailyCheckTime;
  const last = [campaign.hazardDrive.closesOn, ...campaign.deliverables.map((d) => d.dueDate)].sort().at(-1);
  return {
    start: atLocalTime(campaign.opensOn, time, campaign.timeZone),
    end: atLocalTime(addDays(last ?? campaign.opensOn, SCHEDULE_TAIL_DAYS), '23:59', campaign.timeZone),
  };
}

/**
 * One campaign year: its table, its bucket, the functions, the HTTP API, the schedule,
 * and the alarms. Deleting the stack keeps the table and the buckets (a year is archived by
 * deleting its stack).
 */
export class CampaignStack extends Stack {
  constructor(scope: Construct, id: string, props: CampaignStackProps) {
    super(scope, id, props);
    const { campaign } = props;
    const china = props.partition === 'aws-cn';
    const transport = mailTransport(campaign.mail, !china);
    if (!transport)
      throw new Error(
        `campaign ${campaign.id}: the ${props.partition} partition has no SES; add mail.smtp (host, port, secure) to the config`,
      );

    // Storage. The key design lives with CAMPAIGN_TABLE; this only instantiates it.
    const key = (name: string) => ({ name, type: AttributeType.STRING });
    const table = new TableV2(this, 'Table', {
      partitionKey: key(CAMPAIGN_TABLE.partitionKey),
      sortKey: key(CAMPAIGN_TABLE.sortKey),
      globalSecondaryIndexes: CAMPAIGN_TABLE.globalSecondaryIndexes.map((index) => ({
        indexName: index.indexName,
        partitionKey: key(index.partitionKey),
        sortKey: key(index.sortKey),
      })),
      timeToLiveAttribute: CAMPAIGN_TABLE.timeToLiveAttribute,
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const logs = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(400) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const bucket = new Bucket(this, 'Documents', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: logs,
      serverAccessLogsPrefix: 'documents/',
      // Browsers POST files straight here with a presigned policy that pins key, type and size;
      // the policy, not the origin, is what authorises an upload.
      cors: [
        { allowedMethods: [HttpMethods.POST], allowedOrigins: ['*'], allowedHeaders: ['*'], maxAge: 3600 },
      ],
      lifecycleRules: [
        { id: 'quarantine', prefix: 'quarantine/', expiration: Duration.days(90) },
        // No expiry on incoming/: versions filed before filed copies existed (under files/) are
        // still served from their incoming/ keys. Expire it only after copying those to files/.
        { id: 'digests', prefix: 'digests/', expiration: Duration.days(30) },
        { id: 'old-versions', noncurrentVersionExpiration: Duration.days(90) },
        { id: 'incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Two secrets, so that each function holds only what it uses. The link key (generated here)
    // can mint any unit's form link: only the daily check reads it. The SMTP credentials, where
    // the campaign sends through SMTP, are filled in by the admin after the first deploy.
    const linkKeySecret = new Secret(this, 'LinkKey', {
      description: `Form-link key of campaign ${campaign.id}`,
      generateSecretString: {
        secretStringTemplate: '{}',
        generateStringKey: 'linkKey',
        passwordLength: 64,
        excludePunctuation: true,
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const smtpSecret =
      transport.kind === 'smtp'
        ? new Secret(this, 'SmtpCredentials', {
            description: `SMTP user and password of campaign ${campaign.id} (${transport.host})`,
            secretObjectValue: {
              smtpUser: SecretValue.unsafePlainText(''),
              smtpPassword: SecretValue.unsafePlainText(''),
            },
            removalPolicy: RemovalPolicy.RETAIN,
          })
        : null;

    const tracing = !china;
    const roleOf = (fn: IFunction): Construct => {
      if (!fn.role) throw new Error(`${fn.node.path} has no role`);
      return fn.role;
    };
    const ref = (construct: Construct): string => {
      const cfn = construct.node.defaultChild as CfnElement;
      return `<${this.resolve(cfn.logicalId) as string}.Arn>`;
    };
    /** Object permissions under one key prefix: the prefix's wildcard is the whole point. */
    const grantObjects = (fn: IFunction, actions: string[], pattern: string) => {
      fn.addToRolePolicy(new PolicyStatement({ actions, resources: [bucket.arnForObjects(pattern)] }));
      Validations.of(roleOf(fn)).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::${ref(bucket)}/${pattern}]`,
        reason: `Object keys are generated under ${pattern.replace('/*', '/')}; the grant covers that prefix only.`,
      });
    };
    /**
     * What the repositories call: GetItem, Query (table and indexes), PutItem, UpdateItem and
     * TransactWriteItems (which needs the item actions it bundles). No Scan, no deletes, no batch writes.
     */
    const grantTable = (fn: IFunction) =>
      table.grant(
        fn,
        'dynamodb:GetItem',
        'dynamodb:Query',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:ConditionCheckItem',
      );
    const acknowledgeIndexes = (fn: IFunction) =>
      Validations.of(roleOf(fn)).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::${ref(table)}/index/*]`,
        reason:
          "Queries on the table's own sparse indexes (gsi1, gsi2), as the grant for the table gives them.",
      });
    const base = { TABLE_NAME: table.tableName, BUCKET_NAME: bucket.bucketName };
    // Where mail goes through SES, every mail is sent with a configuration set whose event
    // destination publishes bounces and complaints to a topic the mail-events function reads.
    // (Through SMTP, the sending functions record a refused recipient at send time.)
    const configurationSet =
      transport.kind === 'ses' ? new ConfigurationSet(this, 'MailConfigurationSet') : null;
    const mailEventsTopic = configurationSet
      ? new Topic(this, 'MailEvents', {
          enforceSSL: true,
          displayName: `${campaign.id} SES bounces and complaints`,
        })
      : null;
    if (configurationSet && mailEventsTopic)
      configurationSet.addEventDestination('BouncesAndComplaints', {
        destination: EventDestination.snsTopic(mailEventsTopic),
        events: [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT],
      });
    const mailEnv: Record<string, string> = {
      MAIL_TRANSPORT: transport.kind,
      ...(smtpSecret ? { SMTP_SECRET_ARN: smtpSecret.secretArn } : {}),
      ...(configurationSet ? { SES_CONFIGURATION_SET: configurationSet.configurationSetName } : {}),
    };
    const identity =
      transport.kind === 'ses'
        ? new EmailIdentity(this, 'Sender', {
            identity: Identity.email(campaign.mail.from),
            // Also the identity's default, so no mail from it escapes the bounce reports.
            ...(configurationSet ? { configurationSet } : {}),
          })
        : null;
    /** Sending with a configuration set is authorised on the set as well as on the identity. */
    const grantSend = (fn: IFunction) => {
      if (!identity) return;
      identity.grantSendEmail(fn);
      if (configurationSet)
        fn.addToRolePolicy(
          new PolicyStatement({
            actions: ['ses:SendEmail', 'ses:SendRawEmail'],
            resources: [
              this.formatArn({
                service: 'ses',
                resource: 'configuration-set',
                resourceName: configurationSet.configurationSetName,
              }),
            ],
          }),
        );
    };

    const http = new CampaignFunction(this, 'Http', {
      name: 'http',
      description: `${campaign.id}: form pages, uploads and hazards`,
      memorySize: 1024,
      tracing,
      environment: base,
    }).fn;
    grantTable(http);
    // Signs upload forms (PutObject) and downloads (GetObject) under incoming/; nothing else.
    grantObjects(http, ['s3:PutObject', 's3:GetObject'], 'incoming/*');
    // Downloads of filed versions and photos: the copies under files/ (see receive-upload.ts).
    grantObjects(http, ['s3:GetObject'], 'files/*');
    // Download links in digests (`/d/<token>`) are signed here, when they are followed.
    grantObjects(http, ['s3:GetObject'], 'digests/*');

    const uploadReceived = new CampaignFunction(this, 'UploadReceived', {
      name: 'upload-received',
      description: `${campaign.id}: checks each uploaded file, records it, sends the receipt`,
      memorySize: 1024,
      // Large imports run thousands of DynamoDB transactions; a few at a time is plenty.
      reservedConcurrency: 5,
      tracing,
      environment: { ...base, ...mailEnv },
    }).fn;
    grantTable(uploadReceived);
    // Reads each upload, moves a refused one to quarantine/ (copy, then delete), and may list the
    // bucket: without s3:ListBucket, S3 answers a HEAD of a missing object (one already moved)
    // with 403 instead of 404. A prefix condition would not help: a HEAD carries no s3:prefix.
    // It reads the exact version its event names (the bucket is versioned), and a refused one is
    // removed by that version only, so a later object on the same key stays.
    grantObjects(
      uploadReceived,
      ['s3:GetObject', 's3:GetObjectVersion', 's3:DeleteObject', 's3:DeleteObjectVersion'],
      'incoming/*',
    );
    grantObjects(uploadReceived, ['s3:PutObject'], 'quarantine/*');
    // Accepted bytes are copied, once (If-None-Match), to files/: the immutable filed copy.
    grantObjects(uploadReceived, ['s3:PutObject'], 'files/*');
    uploadReceived.addToRolePolicy(
      new PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
    );
    smtpSecret?.grantRead(uploadReceived);
    grantSend(uploadReceived);
    bucket.addEventNotification(EventType.OBJECT_CREATED, new LambdaDestination(uploadReceived), {
      prefix: 'incoming/',
    });
    // CDK's own function that writes the bucket's notification configuration at deploy time.
    const notifications = this.node.children.find((child) =>
      child.node.id.startsWith('BucketNotificationsHandler'),
    );
    if (notifications)
      Validations.of(notifications).acknowledge({
        id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason:
          "CDK's bucket-notifications handler, run once per deployment; its role is CDK's and only writes logs beyond s3:PutBucketNotification.",
      });

    // The HTTP API, one route per route key, so the access log names the route, never the token.
    const api = new HttpApi(this, 'Api', { createDefaultStage: false, description: campaign.name.en });
    const integration = new HttpLambdaIntegration('Pages', http);
    for (const routeKey of HTTP_ROUTES) {
      const [method, path] = routeKey.split(' ') as [string, string];
      api.addRoutes({ path, methods: [method as HttpMethod], integration });
    }
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const stage = new HttpStage(this, 'Stage', {
      httpApi: api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: 50, burstLimit: 100 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            integrationError: '$context.integrationErrorMessage',
            responseBytes: '$context.responseLength',
          }),
        ),
      },
    });
    const appUrl = campaign.web?.publicUrl ?? stage.url;
    Validations.of(api).acknowledge({
      id: 'AwsSolutions::AwsSolutions-APIG4',
      reason:
        "Schools have no accounts: the form link's 256-bit token in the path is the authorisation. It is stored only as a hash, checked on every route, and bad tokens are rate-limited per source.",
    });

    const dailyCheck = new CampaignFunction(this, 'DailyCheck', {
      name: 'daily-check',
      description: `${campaign.id}: reminders, digests and the closing report`,
      memorySize: 2048,
      // The ledger is spooled to /tmp, once for the office and once per district: about 780 bytes
      // a hazard each, so 600 MB for a province's 400,000 hazards (bench/RESULTS.md).
      ephemeralStorageMiB: 2048,
      // One run at a time: two would race for the same mails (the mail log makes it safe, not fast).
      reservedConcurrency: 1,
      tracing,
      environment: { ...base, ...mailEnv, APP_URL: appUrl, LINK_KEY_SECRET_ARN: linkKeySecret.secretArn },
    }).fn;
    // Reads the whole campaign (Query only) and writes the mail log.
    grantTable(dailyCheck);
    // Stores a spreadsheet too large to attach (the HTTP function signs its downloads).
    // A large one goes up in parts; a failed upload is aborted (the lifecycle rule is the backstop).
    grantObjects(dailyCheck, ['s3:PutObject', 's3:AbortMultipartUpload'], 'digests/*');
    linkKeySecret.grantRead(dailyCheck);
    smtpSecret?.grantRead(dailyCheck);
    grantSend(dailyCheck);

    // Failures: asynchronous functions retry twice, then land in a queue; queues and errors alarm.
    const alarms: ITopic = campaign.alarms
      ? Topic.fromTopicArn(this, 'Alarms', campaign.alarms.topicArn)
      : new Topic(this, 'Alarms', { enforceSSL: true, displayName: `${campaign.id} alarms` });
    const failureQueue = (id: string) =>
      new Queue(this, id, {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
    const failed: Record<string, Queue> = {
      UploadReceivedFailures: failureQueue('UploadReceivedFailures'),
      DailyCheckFailures: failureQueue('DailyCheckFailures'),
      ScheduleFailures: failureQueue('ScheduleFailures'),
      ...(mailEventsTopic
        ? {
            MailEventsFailures: failureQueue('MailEventsFailures'),
            MailEventsUndelivered: failureQueue('MailEventsUndelivered'),
          }
        : {}),
    };
    // S3 invokes asynchronously: two retries, and an event older than 6 hours (throttled behind
    // the reserved concurrency) is given up; either way it lands in the failure queue, which
    // alarms, and `campaign reconcile` feeds the object again.
    uploadReceived.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new SqsDestination(failed.UploadReceivedFailures as Queue),
    });
    dailyCheck.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new SqsDestination(failed.DailyCheckFailures as Queue),
    });

    // Bounces and complaints (SES only): SNS invokes the function asynchronously; a notification
    // it cannot record is retried twice, then kept in a queue that alarms. One SNS could not
    // deliver at all is kept in the subscription's own dead-letter queue.
    const mailEvents = mailEventsTopic
      ? new CampaignFunction(this, 'MailEventsFunction', {
          name: 'mail-events',
          description: `${campaign.id}: records SES bounces and complaints against the recipient address`,
          memorySize: 256,
          tracing,
          environment: base,
        }).fn
      : null;
    if (mailEvents && mailEventsTopic) {
      // Reads the campaign config at start, writes the address's bounce record.
      grantTable(mailEvents);
      mailEvents.addEventSource(
        new SnsEventSource(mailEventsTopic, { deadLetterQueue: failed.MailEventsUndelivered }),
      );
      mailEvents.configureAsyncInvoke({
        retryAttempts: 2,
        maxEventAge: Duration.hours(6),
        onFailure: new SqsDestination(failed.MailEventsFailures as Queue),
      });
    }

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
        deadLetterQueue: failed.ScheduleFailures,
      }),
    });

    Validations.of(this).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::${ref(dailyCheck)}:*]`,
      reason: `The scheduler's role may invoke the daily-check function and its versions (${schedule.node.id}); nothing else.`,
    });

    // Every alarm fires on the first occurrence within five minutes.
    const action = new SnsAction(alarms);
    const alarmOnAny = (id: string, description: string, metric: IMetric) =>
      new Alarm(this, id, {
        alarmDescription: `${campaign.id}: ${description}`,
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }).addAlarmAction(action);
    const period = Duration.minutes(5);
    for (const [id, queue] of Object.entries(failed))
      alarmOnAny(
        `${id}Alarm`,
        `a message in ${id}`,
        queue.metricApproximateNumberOfMessagesVisible({ period }),
      );
    const functions: Record<string, IFunction> = {
      Http: http,
      UploadReceived: uploadReceived,
      DailyCheck: dailyCheck,
      ...(mailEvents ? { MailEvents: mailEvents } : {}),
    };
    for (const [id, fn] of Object.entries(functions))
      alarmOnAny(`${id}ErrorsAlarm`, `errors in the ${id} function`, fn.metricErrors({ period }));

    const all = [http, uploadReceived, dailyCheck, ...(mailEvents ? [mailEvents] : [])];
    for (const fn of all) acknowledgeIndexes(fn);
    Validations.of(http).acknowledge({
      id: 'Serverless::Serverless-LambdaDLQ',
      reason:
        'Invoked synchronously by API Gateway: a failure is the HTTP response; there is nothing to re-drive.',
    });
    for (const fn of [uploadReceived, dailyCheck, ...(mailEvents ? [mailEvents] : [])])
      Validations.of(fn).acknowledge({
        id: 'Serverless::Serverless-LambdaDLQ',
        reason:
          'Asynchronous failures go to an SQS on-failure destination (EventInvokeConfig), which supersedes a DLQ.',
      });
    for (const queue of Object.values(failed))
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
    Validations.of(linkKeySecret).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SMG4',
      reason:
        "The link key must not rotate on a timer: every unit's form link derives from it. Links rotate per unit instead (a new link version).",
    });
    if (smtpSecret)
      Validations.of(smtpSecret).acknowledge({
        id: 'AwsSolutions::AwsSolutions-SMG4',
        reason:
          "The SMTP password belongs to the organisation's relay and changes when the relay's owner changes it; the admin then updates this secret.",
      });

    new CfnOutput(this, 'ApiUrl', { value: stage.url });
    new CfnOutput(this, 'PublicUrl', { value: appUrl });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'BucketName', { value: bucket.bucketName });
    new CfnOutput(this, 'StackName', { value: this.stackName });
    new CfnOutput(this, 'LinkKeySecretArn', { value: linkKeySecret.secretArn });
    if (smtpSecret) new CfnOutput(this, 'SmtpSecretArn', { value: smtpSecret.secretArn });
    new CfnOutput(this, 'AlarmTopicArn', { value: alarms.topicArn });
  }
}
