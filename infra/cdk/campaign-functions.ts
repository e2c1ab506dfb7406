import { Duration, Validations } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { SnsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { Campaign } from '../../schemas/campaign.ts';
import { CampaignFunction } from './campaign-function.ts';
import type { CampaignMail } from './campaign-mail.ts';
import type { CampaignStorage } from './campaign-storage.ts';
import type { FailureQueues } from './failure-queues.ts';
import type { LinkKeySecret } from './link-key-secret.ts';
import { ResourceGroup } from './resource-group.ts';

export interface CampaignFunctionsProps {
  campaign: Campaign;
  /** X-Ray; off in the China partition. */
  tracing: boolean;
  storage: CampaignStorage;
  mail: CampaignMail;
  linkKey: LinkKeySecret;
  /** The form pages' public base URL, for the links the daily check mails. */
  appUrl: string;
  failures: FailureQueues;
}

/**
 * The campaign's functions, each with the environment its entry parses and the grants that go
 * with it. Asynchronous ones retry twice, then leave the event in their failure queue.
 */
export class CampaignFunctions extends ResourceGroup {
  readonly http: IFunction;
  readonly uploadReceived: IFunction;
  readonly dailyCheck: IFunction;
  /** Sends the hazard notices still owed (the outbox), every minute. */
  readonly outboxSweep: IFunction;
  /** Writes the supervisors' documents archives asked for in the workspace, every minute. */
  readonly exportJobs: IFunction;
  /** The SES bounce recorder; none where mail goes through SMTP. */
  readonly mailEvents: IFunction | null;
  /** Every function, by its construct id (which names its alarm). */
  readonly all: ReadonlyMap<string, IFunction>;

  constructor(scope: Construct, id: string, props: CampaignFunctionsProps) {
    super(scope, id);
    this.http = this.createHttp(props);
    this.uploadReceived = this.createUploadReceived(props);
    this.dailyCheck = this.createDailyCheck(props);
    this.outboxSweep = this.createOutboxSweep(props);
    this.exportJobs = this.createExportJobs(props);
    this.mailEvents = this.createMailEvents(props);
    this.all = new Map<string, IFunction>([
      ['Http', this.http],
      ['UploadReceived', this.uploadReceived],
      ['DailyCheck', this.dailyCheck],
      ['OutboxSweep', this.outboxSweep],
      ['ExportJobs', this.exportJobs],
      ...(this.mailEvents ? [['MailEvents', this.mailEvents] as const] : []),
    ]);
  }

  private createHttp({ campaign, tracing, storage, mail }: CampaignFunctionsProps): IFunction {
    const fn = new CampaignFunction(this, 'Http', {
      name: 'http',
      description: `${campaign.id}: form pages, uploads and hazards`,
      memorySize: 1024,
      tracing,
      // Mail: a supervisor's review decision is mailed to the unit while the request is answered,
      // and a hazard's receipt and the supervisor's notice right after the change (the outbox).
      environment: { ...storage.environment, ...mail.environment },
    }).fn;
    storage.grantRecords(fn);
    storage.grantServing(fn);
    storage.grantExporting(fn);
    mail.grantSending(fn);
    Validations.of(fn).acknowledge({
      id: 'Serverless::Serverless-LambdaDLQ',
      reason:
        'Invoked synchronously by API Gateway: a failure is the HTTP response; there is nothing to re-drive.',
    });
    return fn;
  }

  private createUploadReceived({
    campaign,
    tracing,
    storage,
    mail,
    failures,
  }: CampaignFunctionsProps): IFunction {
    const fn = new CampaignFunction(this, 'UploadReceived', {
      name: 'upload-received',
      description: `${campaign.id}: checks each uploaded file, records it, sends the receipt`,
      memorySize: 1024,
      // Large imports run thousands of DynamoDB transactions; a few at a time is plenty.
      reservedConcurrency: 5,
      tracing,
      environment: { ...storage.environment, ...mail.environment },
    }).fn;
    storage.grantRecords(fn);
    storage.grantFiling(fn);
    mail.grantSending(fn);
    storage.notifyUploads(fn);
    // S3 invokes asynchronously: an event older than 6 hours (throttled behind the reserved
    // concurrency) is given up too, and `campaign reconcile` feeds the object again.
    failAsyncTo(fn, failures.uploadReceived);
    return fn;
  }

  private createDailyCheck(props: CampaignFunctionsProps): IFunction {
    const { campaign, tracing, storage, mail, linkKey, failures } = props;
    const fn = new CampaignFunction(this, 'DailyCheck', {
      name: 'daily-check',
      description: `${campaign.id}: reminders, digests and the closing report`,
      memorySize: 2048,
      // The ledger is spooled to /tmp, once for the office and once per district: about 780 bytes
      // a hazard each, so 600 MB for a province's 400,000 hazards (bench/RESULTS.md).
      ephemeralStorageMiB: 2048,
      // One run at a time: two would race for the same mails (the mail log makes it safe, not fast).
      reservedConcurrency: 1,
      tracing,
      environment: {
        ...storage.environment,
        ...mail.environment,
        APP_URL: props.appUrl,
        ...linkKey.environment,
      },
    }).fn;
    // Reads the whole campaign (Query only) and writes the mail log.
    storage.grantRecords(fn);
    storage.grantDigestWriting(fn);
    linkKey.grantRead(fn);
    mail.grantSending(fn);
    failAsyncTo(fn, failures.dailyCheck);
    return fn;
  }

  /** The hazard notices still owed: reads the outbox and the mail log, sends, marks them. */
  private createOutboxSweep({ campaign, tracing, storage, mail }: CampaignFunctionsProps): IFunction {
    const fn = new CampaignFunction(this, 'OutboxSweep', {
      name: 'outbox-sweep',
      description: `${campaign.id}: sends the hazard notices still owed, every minute`,
      memorySize: 512,
      // One at a time: a second would only find the first's mails in flight.
      reservedConcurrency: 1,
      tracing,
      environment: { ...storage.environment, ...mail.environment },
    }).fn;
    storage.grantRecords(fn);
    mail.grantSending(fn);
    Validations.of(fn).acknowledge({
      id: 'Serverless::Serverless-LambdaDLQ',
      reason:
        'Invoked every minute by the scheduler: a failed run leaves its mails owed, and the next run sends them; errors alarm.',
    });
    return fn;
  }

  /**
   * The supervisors' documents archives, as jobs: claims each waiting job under a lease, reads the
   * filed documents and streams the ZIP to exports/. Not the outbox sweep: an archive takes
   * minutes, and the sweep must stay free to send the notices every minute. No reserved
   * concurrency: runs overlap by design (each works the jobs it claimed), and one that finds
   * nothing ends in milliseconds.
   */
  private createExportJobs({ campaign, tracing, storage }: CampaignFunctionsProps): IFunction {
    const fn = new CampaignFunction(this, 'ExportJobs', {
      name: 'export-jobs',
      description: `${campaign.id}: writes the supervisors' documents archives (ZIP), every minute`,
      // Memory stays flat while streaming (bench/RESULTS.md); more memory buys network throughput.
      memorySize: 1024,
      tracing,
      environment: storage.environment,
    }).fn;
    // Reads the roster and the filings (Query only), claims and finishes jobs, writes the audit log.
    storage.grantRecords(fn);
    storage.grantArchiving(fn);
    Validations.of(fn).acknowledge({
      id: 'Serverless::Serverless-LambdaDLQ',
      reason:
        'Invoked every minute by the scheduler: a failed run leaves its job waiting (its lease runs out), and the next run takes it; errors alarm.',
    });
    return fn;
  }

  /**
   * Bounces and complaints (SES only): SNS invokes the function asynchronously; a notification it
   * cannot record is retried twice, then kept in a queue that alarms. One SNS could not deliver at
   * all is kept in the subscription's own dead-letter queue.
   */
  private createMailEvents({
    campaign,
    tracing,
    storage,
    mail,
    failures,
  }: CampaignFunctionsProps): IFunction | null {
    if (!mail.bounceTopic || !failures.mailEvents) return null;
    const fn = new CampaignFunction(this, 'MailEventsFunction', {
      name: 'mail-events',
      description: `${campaign.id}: records SES bounces and complaints against the recipient address`,
      memorySize: 256,
      tracing,
      environment: storage.environment,
    }).fn;
    // Reads the campaign config at start, writes the address's bounce record.
    storage.grantRecords(fn);
    fn.addEventSource(
      new SnsEventSource(mail.bounceTopic, { deadLetterQueue: failures.mailEvents.undelivered }),
    );
    failAsyncTo(fn, failures.mailEvents.failures);
    return fn;
  }
}

/** An asynchronous function: two retries, events older than 6 hours given up, either way into `queue`. */
function failAsyncTo(fn: IFunction, queue: IQueue): void {
  fn.configureAsyncInvoke({
    retryAttempts: 2,
    maxEventAge: Duration.hours(6),
    onFailure: new SqsDestination(queue),
  });
  Validations.of(fn).acknowledge({
    id: 'Serverless::Serverless-LambdaDLQ',
    reason:
      'Asynchronous failures go to an SQS on-failure destination (EventInvokeConfig), which supersedes a DLQ.',
  });
}
