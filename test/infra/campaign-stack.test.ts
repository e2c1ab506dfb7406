import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { HTTP_ROUTES } from '../../functions/http/routes.ts';
import { METRIC, METRICS_NAMESPACE } from '../../functions/shared/metrics.ts';
import { addCampaign, partitionOf, stackName } from '../../infra/cdk/campaign-app.ts';
import type { Partition } from '../../infra/cdk/campaign-stack.ts';
import { demoCampaign } from '../support/fixtures.ts';

/**
 * The synthesized 2018 stack, in the global and the China partition, as CloudFormation will get
 * it (functions bundled by esbuild, cdk-nag run as on every synth).
 */
interface Synth {
  outdir: string;
  template: Template;
  json: string;
  report: {
    pluginReports: {
      pluginName: string;
      conclusion: string;
      violations: unknown[];
      suppressedViolations: { ruleName: string; acknowledgedId: string; reason: string }[];
    }[];
  };
}

const dirs: string[] = [];
async function synth(partition: Partition): Promise<Synth> {
  const outdir = await mkdtemp(join(tmpdir(), `cdk-${partition}-`));
  dirs.push(outdir);
  const app = new App({ outdir });
  addCampaign(app, { campaign: demoCampaign(), partition, deployedAt: new Date('2018-01-02T00:00:00Z') });
  const assembly = app.synth();
  const stack = assembly.getStackByName(stackName(demoCampaign()));
  return {
    outdir,
    template: Template.fromJSON(stack.template),
    json: JSON.stringify(stack.template),
    report: JSON.parse(await readFile(join(outdir, 'validation-report.json'), 'utf8')),
  };
}

let global: Synth;
let china: Synth;
beforeAll(async () => {
  global = await synth('aws');
  china = await synth('aws-cn');
}, 240_000);
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

type Resource = { Type: string; Properties: Record<string, unknown> };
const resources = (s: Synth, type: string): Resource[] =>
  Object.values(s.template.toJSON().Resources as Record<string, Resource>).filter((r) => r.Type === type);

/** A function's environment variables, less the Powertools ones every function has alike. */
const ownVariables = (fn: Resource): string[] =>
  Object.keys((fn.Properties.Environment as { Variables: object }).Variables)
    .filter((name) => !name.startsWith('POWERTOOLS_'))
    .sort();

function functionNamed(s: Synth, description: RegExp): Resource {
  const fn = resources(s, 'AWS::Lambda::Function').find((r) =>
    description.test(String(r.Properties.Description)),
  );
  if (!fn) throw new Error(`no function ${description}`);
  return fn;
}

describe('the campaign stack', () => {
  it('passes cdk-nag (AwsSolutions and Serverless) with every acknowledgement reasoned, in both partitions', () => {
    for (const s of [global, china]) {
      expect(s.report.pluginReports.map((p) => p.pluginName)).toEqual(
        expect.arrayContaining(['AwsSolutions', 'Serverless']),
      );
      for (const plugin of s.report.pluginReports)
        expect([plugin.pluginName, plugin.conclusion, plugin.violations]).toEqual([
          plugin.pluginName,
          'success',
          [],
        ]);
      const acknowledged = s.report.pluginReports.flatMap((p) => p.suppressedViolations);
      expect(acknowledged.length).toBeGreaterThan(5);
      for (const a of acknowledged) {
        expect(a.acknowledgedId).toContain(a.ruleName);
        expect(a.reason.length).toBeGreaterThan(40);
      }
    }
  });

  it('keeps the table: on demand, point-in-time recovery, deletion protection, retained, with the shared keys', () => {
    global.template.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          Match.objectLike({
            IndexName: 'gsi1',
            KeySchema: Match.arrayWith([{ AttributeName: 'gsi1pk', KeyType: 'HASH' }]),
          }),
          Match.objectLike({
            IndexName: 'gsi2',
            KeySchema: Match.arrayWith([{ AttributeName: 'gsi2pk', KeyType: 'HASH' }]),
          }),
          Match.objectLike({
            IndexName: 'gsi3',
            KeySchema: Match.arrayWith([{ AttributeName: 'gsi3pk', KeyType: 'HASH' }]),
          }),
        ],
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
        Replicas: [
          Match.objectLike({
            DeletionProtectionEnabled: true,
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          }),
        ],
      }),
    });
    expect(resources(global, 'AWS::DynamoDB::GlobalTable')[0]?.Properties.TableName).toBeUndefined();
  });

  it('locks the document bucket down, logs access to its own bucket and expires quarantine', () => {
    const documents = resources(global, 'AWS::S3::Bucket').find((b) => b.Properties.CorsConfiguration);
    expect(documents?.Properties).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: { LogFilePrefix: 'documents/' },
      CorsConfiguration: { CorsRules: [expect.objectContaining({ AllowedMethods: ['POST'] })] },
    });
    const lifecycle = documents?.Properties.LifecycleConfiguration as { Rules: object[] } | undefined;
    const rules = lifecycle?.Rules;
    expect(rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Id: 'quarantine', Prefix: 'quarantine/', ExpirationInDays: 90 }),
        // Document archives made for supervisors are gone after a day, with their parts and versions.
        expect.objectContaining({
          Id: 'exports',
          Prefix: 'exports/',
          ExpirationInDays: 1,
          NoncurrentVersionExpiration: { NoncurrentDays: 1 },
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
        }),
      ]),
    );
    // incoming/ is never expired: versions filed before the copies under files/ are served from it.
    expect(rules?.some((rule) => JSON.stringify(rule).includes('"incoming/"'))).toBe(false);
    // Every bucket refuses plain HTTP.
    const policies = resources(global, 'AWS::S3::BucketPolicy');
    expect(policies).toHaveLength(2);
    for (const policy of policies)
      expect(JSON.stringify(policy.Properties)).toContain('"aws:SecureTransport":"false"');
  });

  it('runs Node.js 22 arm64 functions with explicit memory, timeouts and the environment they read', () => {
    const http = functionNamed(global, /form pages/);
    const upload = functionNamed(global, /uploaded file/);
    const daily = functionNamed(global, /daily check|reminders/);
    const sweep = functionNamed(global, /notices still owed/);
    const exporter = functionNamed(global, /documents archives/);
    for (const fn of [http, upload, daily, sweep, exporter]) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
      });
      expect(fn.Properties.MemorySize).toEqual(expect.any(Number));
    }
    expect([http, upload, daily, sweep, exporter].map((fn) => fn.Properties.Timeout)).toEqual([
      29, 300, 600, 60, 900,
    ]);
    expect([upload, daily, sweep].map((fn) => fn.Properties.ReservedConcurrentExecutions)).toEqual([5, 1, 1]);
    // The export jobs overlap by design (each run works the jobs it claimed): no reservation, and
    // not the outbox sweep's function, which must stay free for the notices.
    expect(exporter.Properties.ReservedConcurrentExecutions).toBeUndefined();
    expect(exporter.Properties.MemorySize).toBe(1024);
    // The daily check spools the hazard ledger to /tmp; the others keep Lambda's default.
    expect([http, upload, daily].map((fn) => fn.Properties.EphemeralStorage)).toEqual([
      undefined,
      undefined,
      { Size: 2048 },
    ]);
    const env = ownVariables;
    // Only the daily check holds the link key; with SES there are no SMTP credentials at all. The
    // HTTP function (review decisions, hazard notices) and the outbox sweep send mail too.
    for (const fn of [http, upload, sweep])
      expect(env(fn)).toEqual(['BUCKET_NAME', 'MAIL_TRANSPORT', 'SES_CONFIGURATION_SET', 'TABLE_NAME']);
    expect(env(daily)).toEqual([
      'APP_URL',
      'BUCKET_NAME',
      'LINK_KEY_SECRET_ARN',
      'MAIL_TRANSPORT',
      'SES_CONFIGURATION_SET',
      'TABLE_NAME',
    ]);
    // The bounce recorder only writes the table: no mail, no secret.
    const events = functionNamed(global, /bounces and complaints/);
    expect(events.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], Timeout: 30 });
    expect(env(events)).toEqual(['BUCKET_NAME', 'TABLE_NAME']);
    // The export jobs send no mail either.
    expect(env(exporter)).toEqual(['BUCKET_NAME', 'TABLE_NAME']);
    global.template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    expect(
      (daily.Properties.Environment as { Variables: Record<string, unknown> }).Variables.MAIL_TRANSPORT,
    ).toBe('ses');
    // Powertools names each function's metrics by the function and publishes them where the alarms read.
    for (const [fn, service] of [
      [http, 'http'],
      [upload, 'upload-received'],
      [daily, 'daily-check'],
      [events, 'mail-events'],
      [sweep, 'outbox-sweep'],
      [exporter, 'export-jobs'],
    ] as const)
      expect((fn.Properties.Environment as { Variables: object }).Variables).toMatchObject({
        POWERTOOLS_SERVICE_NAME: service,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      });
  });

  it('grants each function only what it does: no wildcard actions, objects under their own prefixes', () => {
    const statements = resources(global, 'AWS::IAM::Policy').flatMap(
      (p) =>
        (p.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] })
          .Statement,
    );
    const actions = statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    expect(actions.filter((a) => a === '*' || a.endsWith(':*'))).toEqual([]);
    expect(actions.filter((a) => a.startsWith('s3:') && a.includes('*'))).toEqual([]);
    const s3 = statements.filter(
      (s) =>
        JSON.stringify(s.Action).includes('s3:') && JSON.stringify(s.Action) !== '"s3:PutBucketNotification"',
    );
    const prefixes = s3
      .map(
        (s) =>
          JSON.stringify(s.Resource).match(/\/(incoming|quarantine|digests|files|exports)\/\*/)?.[1] ??
          'bucket',
      )
      .sort();
    expect(prefixes).toEqual([
      'bucket',
      'digests',
      'digests',
      'exports',
      'exports',
      'files',
      'files',
      'files',
      'incoming',
      'incoming',
      'incoming',
      'quarantine',
    ]);
    // Digests: the daily check writes them; the HTTP function only reads them, for download links.
    const digestActions = s3
      .filter((s) => JSON.stringify(s.Resource).includes('/digests/*'))
      .map((s) => JSON.stringify(s.Action))
      .sort();
    expect(digestActions).toEqual(['"s3:GetObject"', '["s3:PutObject","s3:AbortMultipartUpload"]']);
    // Exports: the export jobs write the supervisors' archives (in parts); the HTTP function
    // signs their downloads, and still writes the archive of GET /w/export/documents.zip.
    const exportActions = s3.filter((s) => JSON.stringify(s.Resource).includes('/exports/*'));
    expect(exportActions.map((s) => JSON.stringify(s.Action)).sort()).toEqual([
      '["s3:PutObject","s3:AbortMultipartUpload","s3:GetObject"]',
      '["s3:PutObject","s3:AbortMultipartUpload"]',
    ]);
    // SES sending is granted on the campaign's own identity, by the four functions that send
    // (HTTP: review decisions and hazard notices; upload-received: receipts; the daily check:
    // reminders, digests; the outbox sweep: hazard notices still owed), and on the configuration
    // set they send with (SES authorises a send on both).
    const ses = statements.filter((s) => JSON.stringify(s.Action).includes('ses:SendEmail'));
    expect(ses).toHaveLength(8);
    const sesResources = ses.map((s) => JSON.stringify(s.Resource));
    expect(sesResources.filter((r) => /:identity\/",\{"Ref":"Sender/.test(r))).toHaveLength(4);
    expect(
      sesResources.filter((r) => /:configuration-set\/",\{"Ref":"MailConfigurationSet/.test(r)),
    ).toHaveLength(4);
    // The table: exactly what the repositories call, on the table and its indexes.
    const dynamo = statements.filter((s) => JSON.stringify(s.Action).includes('dynamodb:'));
    expect(dynamo).toHaveLength(6);
    for (const s of dynamo)
      expect([...(s.Action as string[])].sort()).toEqual([
        'dynamodb:ConditionCheckItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
      ]);
  });

  it('schedules the daily check at 08:00 Asia/Shanghai for the campaign, with retries and a dead-letter queue', () => {
    global.template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 8 * * ? *)',
      ScheduleExpressionTimezone: 'Asia/Shanghai',
      StartDate: '2018-01-10T00:00:00.000Z',
      EndDate: '2018-04-14T15:59:00.000Z',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: Match.objectLike({
        Input: JSON.stringify({ scheduledTime: '<aws.scheduler.scheduled-time>' }),
        RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 3 }),
        DeadLetterConfig: Match.objectLike({ Arn: Match.anyValue() }),
      }),
    });
    global.template.hasResourceProperties('AWS::Scheduler::Schedule', { State: 'ENABLED' });
    // The outbox sweep every minute: a missed run is not retried, the next one sends the same.
    global.template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      // 90 days after the campaign's last date (the drive closes 2018-03-31), 23:59 in Shanghai;
      // then hourly, for good.
      EndDate: '2018-06-29T15:59:00.000Z',
      Target: Match.objectLike({
        RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 0 }),
        DeadLetterConfig: Match.objectLike({ Arn: Match.anyValue() }),
      }),
    });
    global.template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 hour)',
      State: 'ENABLED',
      StartDate: '2018-06-29T15:59:00.000Z',
    });
    // The export jobs every minute, for good (a supervisor waits on the job's page, after the
    // campaign too), invoking their own function, not the outbox sweep's.
    const exportSchedules = resources(global, 'AWS::Scheduler::Schedule').filter((r) =>
      String(r.Properties.Description).includes('documents archives'),
    );
    expect(exportSchedules).toHaveLength(1);
    expect(exportSchedules[0]?.Properties).toMatchObject({
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Target: expect.objectContaining({
        Arn: { 'Fn::GetAtt': [expect.stringMatching(/^ExportJobsFunction/), 'Arn'] },
        RetryPolicy: expect.objectContaining({ MaximumRetryAttempts: 0 }),
        DeadLetterConfig: expect.objectContaining({ Arn: expect.anything() }),
      }),
    });
    expect(exportSchedules[0]?.Properties.EndDate).toBeUndefined();
    global.template.resourceCountIs('AWS::Lambda::EventInvokeConfig', 3);
    // Every asynchronous function: two retries, events older than 6 hours given up, and either
    // way the event lands in a failure queue (which alarms).
    const invokeConfigs = resources(global, 'AWS::Lambda::EventInvokeConfig').map((r) => r.Properties);
    expect(invokeConfigs).toHaveLength(3);
    for (const config of invokeConfigs)
      expect(config).toEqual(
        expect.objectContaining({
          MaximumRetryAttempts: 2,
          MaximumEventAgeInSeconds: 6 * 3600,
          DestinationConfig: { OnFailure: { Destination: expect.anything() } },
        }),
      );
  });

  it('declares every route key, throttles, and logs the route key, never the path', () => {
    const routes = resources(global, 'AWS::ApiGatewayV2::Route')
      .map((r) => r.Properties.RouteKey)
      .sort();
    expect(routes).toEqual([...HTTP_ROUTES].sort());
    const stage = resources(global, 'AWS::ApiGatewayV2::Stage')[0]?.Properties as {
      DefaultRouteSettings: object;
      AccessLogSettings: { Format: string };
    };
    expect(stage.DefaultRouteSettings).toMatchObject({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 });
    expect(stage.AccessLogSettings.Format).toContain('$context.routeKey');
    expect(stage.AccessLogSettings.Format).not.toMatch(/\$context\.(path|resourcePath)|requestOverride/);
  });

  it('alarms on failure queues and function errors, and outputs what the CLI reads', () => {
    // Four failure queues and six functions in the global partition (the China one has no mail-events).
    const onQueuesAndFunctions = (s: Synth) =>
      resources(s, 'AWS::CloudWatch::Alarm').filter((a) =>
        ['AWS/SQS', 'AWS/Lambda'].includes(String(a.Properties.Namespace)),
      );
    expect(onQueuesAndFunctions(global)).toHaveLength(11);
    expect(onQueuesAndFunctions(china)).toHaveLength(8);
    for (const output of [
      'ApiUrl',
      'PublicUrl',
      'TableName',
      'BucketName',
      'StackName',
      'LinkKeySecretArn',
      'AlarmTopicArn',
    ])
      global.template.hasOutput(output, Match.anyValue());
  });

  it('alarms on a failed mail within a day, to the same topic, from each function that counts them', () => {
    // The senders count mails the transport refused; in the global partition mail-events counts bounces.
    const expected = new Map([
      [global, ['daily-check', 'http', 'mail-events', 'outbox-sweep', 'upload-received']],
      [china, ['daily-check', 'http', 'outbox-sweep', 'upload-received']],
    ]);
    for (const [s, services] of expected) {
      const mailAlarms = resources(s, 'AWS::CloudWatch::Alarm').filter(
        (a) => a.Properties.Namespace === METRICS_NAMESPACE,
      );
      for (const alarm of mailAlarms)
        expect(alarm.Properties).toMatchObject({
          MetricName: METRIC.mailsFailed,
          Statistic: 'Sum',
          Period: 86400,
          Threshold: 1,
          EvaluationPeriods: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          TreatMissingData: 'notBreaching',
          AlarmActions: [{ Ref: expect.stringMatching(/^Alarms/) }],
        });
      const dimensions = mailAlarms.map((a) => a.Properties.Dimensions as { Name: string; Value: string }[]);
      expect(dimensions.map((d) => d.find((x) => x.Name === 'service')?.Value).sort()).toEqual(services);
      for (const d of dimensions) expect(d).toContainEqual({ Name: 'campaign', Value: demoCampaign().id });
    }
    global.template.resourceCountIs('AWS::CloudWatch::Alarm', 16);
    china.template.resourceCountIs('AWS::CloudWatch::Alarm', 12);
    // Refused uploads are the schools' to fix: on the dashboard, not an alarm.
    expect(JSON.stringify(resources(global, 'AWS::CloudWatch::Alarm'))).not.toContain(METRIC.refusals);
  });

  it('draws one dashboard of filings, refusals, mails, function errors, failure queues and the alarms', () => {
    for (const s of [global, china]) {
      const dashboards = resources(s, 'AWS::CloudWatch::Dashboard');
      expect(dashboards).toHaveLength(1);
      expect(dashboards[0]?.Properties.DashboardName).toBeUndefined();
      const body = JSON.stringify(dashboards[0]?.Properties.DashboardBody);
      for (const name of [...Object.values(METRIC), METRICS_NAMESPACE, 'AWS/Lambda', 'Errors'])
        expect(body).toContain(name);
      expect(body).toContain('ApproximateNumberOfMessagesVisible');
      expect(body).toContain('alarm');
    }
  });

  it('in the China partition: SMTP, no SES, no X-Ray, and no literal arn:aws:', () => {
    expect(china.json).not.toContain('arn:aws:');
    expect(global.json).not.toContain('arn:aws:');
    china.template.resourceCountIs('AWS::SES::EmailIdentity', 0);
    global.template.resourceCountIs('AWS::SES::EmailIdentity', 1);
    const daily = functionNamed(china, /reminders/);
    const upload = functionNamed(china, /uploaded file/);
    const vars = (fn: Resource) =>
      (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(vars(daily).MAIL_TRANSPORT).toBe('smtp');
    // The SMTP credentials are a secret of their own, for the functions that send mail.
    const http = functionNamed(china, /form pages/);
    const sweep = functionNamed(china, /notices still owed/);
    for (const fn of [upload, http, sweep])
      expect(ownVariables(fn)).toEqual(['BUCKET_NAME', 'MAIL_TRANSPORT', 'SMTP_SECRET_ARN', 'TABLE_NAME']);
    for (const fn of [upload, http, sweep])
      expect(vars(daily).SMTP_SECRET_ARN).toEqual(vars(fn).SMTP_SECRET_ARN);
    china.template.resourceCountIs('AWS::SecretsManager::Secret', 2);
    china.template.hasOutput('SmtpSecretArn', Match.anyValue());
    for (const fn of resources(china, 'AWS::Lambda::Function').filter(
      (f) => f.Properties.Runtime === 'nodejs22.x',
    ))
      expect(fn.Properties.TracingConfig).toBeUndefined();
    expect(china.json).not.toContain('ses:SendEmail');
    // Bounces are recorded at send time there: no configuration set, topic or mail-events function.
    for (const type of ['AWS::SES::ConfigurationSet', 'AWS::SES::ConfigurationSetEventDestination'])
      china.template.resourceCountIs(type, 0);
    china.template.resourceCountIs('AWS::SNS::Subscription', 0);
    expect(china.json).not.toContain('SES_CONFIGURATION_SET');
    expect(china.json).not.toContain('bounces and complaints');
  });

  it('publishes SES bounces and complaints to a topic whose subscriber records them', () => {
    const sets = resources(global, 'AWS::SES::ConfigurationSet');
    expect(sets).toHaveLength(1);
    global.template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      ConfigurationSetName: { Ref: Match.stringLikeRegexp('^MailConfigurationSet') },
      EventDestination: Match.objectLike({
        Enabled: true,
        MatchingEventTypes: ['bounce', 'complaint'],
        SnsDestination: { TopicARN: { Ref: Match.stringLikeRegexp('^MailEvents') } },
      }),
    });
    // SES may publish to the topic, for this configuration set only; the topic refuses plain HTTP.
    const topicPolicy = JSON.stringify(resources(global, 'AWS::SNS::TopicPolicy'));
    expect(topicPolicy).toContain('ses.amazonaws.com');
    expect(topicPolicy).toContain(':configuration-set/');
    expect(topicPolicy).toContain('"aws:SecureTransport":"false"');
    // The identity sends through the set by default, too.
    global.template.hasResourceProperties('AWS::SES::EmailIdentity', {
      ConfigurationSetAttributes: {
        ConfigurationSetName: { Ref: Match.stringLikeRegexp('^MailConfigurationSet') },
      },
    });
    // The function subscribes, with a dead-letter queue for what SNS cannot deliver, and the
    // sending functions name the set.
    const [logicalId] = Object.keys(
      global.template.findResources('AWS::Lambda::Function', {
        Properties: { Description: Match.stringLikeRegexp('bounces and complaints') },
      }),
    );
    global.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      TopicArn: { Ref: Match.stringLikeRegexp('^MailEvents') },
      Endpoint: { 'Fn::GetAtt': [logicalId, 'Arn'] },
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue() },
    });
    global.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalId },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
    const daily = functionNamed(global, /reminders/);
    const set = (daily.Properties.Environment as { Variables: Record<string, { Ref?: string }> }).Variables
      .SES_CONFIGURATION_SET;
    expect(set?.Ref).toMatch(/^MailConfigurationSet/);
  });

  it('picks the partition from -c partition or a China region', () => {
    expect(partitionOf({})).toBe('aws');
    expect(partitionOf({ region: 'cn-northwest-1' })).toBe('aws-cn');
    expect(partitionOf({ region: 'ap-east-1' })).toBe('aws');
    expect(partitionOf({ partition: 'aws-cn' })).toBe('aws-cn');
    expect(() => partitionOf({ partition: 'aws-us-gov' })).toThrow(/aws or aws-cn/);
  });
});

describe('a campaign deployed after its dates', () => {
  it('gets a disabled schedule with no start or end, which Scheduler would refuse in the past', async () => {
    const outdir = await mkdtemp(join(tmpdir(), 'cdk-late-'));
    dirs.push(outdir);
    const stack = addCampaign(new App({ outdir }), {
      campaign: demoCampaign(),
      partition: 'aws',
      deployedAt: new Date('2026-11-29T00:00:00Z'),
    });
    const schedule = Template.fromStack(stack).findResources('AWS::Scheduler::Schedule', {
      Properties: { ScheduleExpressionTimezone: 'Asia/Shanghai' },
    });
    const properties = Object.values(schedule)[0]?.Properties as Record<string, unknown>;
    expect(properties.State).toBe('DISABLED');
    expect(properties.StartDate).toBeUndefined();
    expect(properties.EndDate).toBeUndefined();
    // Nor does the outbox sweep run every minute for a campaign long over: hourly only.
    const sweep = Template.fromStack(stack).findResources('AWS::Scheduler::Schedule', {
      Properties: { ScheduleExpression: 'rate(1 minute)', Description: Match.stringLikeRegexp('notices') },
    });
    expect(Object.values(sweep)[0]?.Properties).toMatchObject({ State: 'DISABLED' });
    expect(Object.values(sweep)[0]?.Properties.EndDate).toBeUndefined();
    const hourly = Template.fromStack(stack).findResources('AWS::Scheduler::Schedule', {
      Properties: { ScheduleExpression: 'rate(1 hour)' },
    });
    expect(Object.values(hourly)[0]?.Properties).toMatchObject({ State: 'ENABLED' });
    expect(Object.values(hourly)[0]?.Properties.StartDate).toBeUndefined();
  }, 120_000);
});

describe('a campaign that names its alarm topic and its public address', () => {
  it('sends the alarms there, makes no topic of its own, and links units to that address', async () => {
    const topicArn = 'arn:aws-cn:sns:cn-north-1:123456789012:bureau-alarms';
    const outdir = await mkdtemp(join(tmpdir(), 'cdk-topic-'));
    dirs.push(outdir);
    const app = new App({ outdir });
    const publicUrl = 'https://anquan.czedu.example/';
    const stack = addCampaign(app, {
      campaign: { ...demoCampaign(), alarms: { topicArn }, web: { publicUrl } },
      partition: 'aws-cn',
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SNS::Topic', 0);
    template.allResourcesProperties('AWS::CloudWatch::Alarm', { AlarmActions: [topicArn] });
    // Links in reminders and in the load CSV use the licensed custom domain.
    template.hasOutput('PublicUrl', { Value: publicUrl });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ APP_URL: publicUrl }) },
    });
  }, 120_000);
});

/**
 * The bundles as Lambda runs them: each imported in a fresh Node.js process (top-level await,
 * the config read from the test run's DynamoDB Local), then the HTTP one serving the route that
 * loads exceljs on first use, so a bundling mistake shows here and not in production.
 */
describe('the synthesized function bundles', () => {
  const system = inject('system');
  const run = (bundle: string, event: unknown) =>
    promisify(execFile)(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { handler } = await import(process.argv[1]);
         const context = { getRemainingTimeInMillis: () => 29000, functionName: 'smoke', awsRequestId: 'smoke' };
         const event = JSON.parse(process.argv[2]);
         const result = event ? await handler(event, context) : null;
         console.log(JSON.stringify(result && { statusCode: result.statusCode, headers: result.headers, bytes: Buffer.from(result.body ?? '', result.isBase64Encoded ? 'base64' : 'utf8').length }));`,
        bundle,
        JSON.stringify(event),
      ],
      {
        env: {
          ...process.env,
          TABLE_NAME: system.tableName,
          BUCKET_NAME: system.bucket,
          LINK_KEY: system.linkKey,
          APP_URL: system.url,
        },
      },
    );
  const bundleOf = (description: RegExp) => {
    const key = String((functionNamed(global, description).Properties.Code as { S3Key: string }).S3Key);
    return join(global.outdir, `asset.${key.replace(/\.zip$/, '')}`, 'index.mjs');
  };

  it('each starts, and the HTTP one serves the import template from its lazily loaded exceljs', async () => {
    for (const description of [
      /uploaded file/,
      /reminders/,
      /bounces and complaints/,
      /documents archives/,
    ]) {
      const { stdout } = await run(bundleOf(description), null);
      expect(stdout.trim()).toBe('null');
    }
    // The export jobs' run, as the schedule invokes it: the test run's table has no job waiting.
    const exported = await run(bundleOf(/documents archives/), {});
    expect(exported.stdout.trim().split('\n').at(-1)).toBe(JSON.stringify({ bytes: 0 }));
    const token = system.links['LY-101'] as string;
    const path = `/f/${token}/hazards/template.xlsx`;
    const { stdout } = await run(bundleOf(/form pages/), {
      version: '2.0',
      routeKey: 'GET /f/{token}/hazards/template.xlsx',
      rawPath: path,
      rawQueryString: '',
      headers: { host: 'app.test', 'x-forwarded-proto': 'https' },
      pathParameters: { token },
      isBase64Encoded: false,
      requestContext: {
        http: { method: 'GET', path, sourceIp: '192.0.2.9' },
        domainName: 'app.test',
        routeKey: 'GET /f/{token}/hazards/template.xlsx',
      },
    });
    const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as {
      statusCode: number;
      headers: Record<string, string>;
      bytes: number;
    };
    expect(result.statusCode).toBe(200);
    expect(result.headers['Content-Type']).toContain('spreadsheetml');
    expect(result.bytes).toBeGreaterThan(5000);
  }, 120_000);
});
