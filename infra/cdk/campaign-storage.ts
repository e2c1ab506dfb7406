import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AttributeType, Billing, type ITable, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  EventType,
  HttpMethods,
  type IBucket,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import type { Construct } from 'constructs';
import { CAMPAIGN_TABLE } from '../../functions/shared/adapters/dynamo/table.ts';
import type { FunctionEnv } from '../../schemas/env.ts';
import { arnRef, roleOf } from './nag-refs.ts';
import { ResourceGroup } from './resource-group.ts';

/**
 * A campaign's table and document bucket (with the bucket of its access logs), all retained when
 * the stack is deleted. Each `grantXxx` is what one function does with them, no more.
 */
export class CampaignStorage extends ResourceGroup {
  readonly table: ITable;
  readonly documents: IBucket;
  /** Where every function finds the table and the bucket. */
  readonly environment: Pick<FunctionEnv, 'TABLE_NAME' | 'BUCKET_NAME'>;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    // The key design lives with CAMPAIGN_TABLE; this only instantiates it.
    const key = (name: string) => ({ name, type: AttributeType.STRING });
    this.table = new TableV2(this, 'Table', {
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
    this.documents = new Bucket(this, 'Documents', {
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
        // Supervisors' document archives (ZIP) are made on request and downloaded at once: kept a
        // day, their noncurrent copies (the bucket is versioned) a day more, a broken upload a day.
        {
          id: 'exports',
          prefix: 'exports/',
          expiration: Duration.days(1),
          noncurrentVersionExpiration: Duration.days(1),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
        { id: 'old-versions', noncurrentVersionExpiration: Duration.days(90) },
        { id: 'incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.environment = { TABLE_NAME: this.table.tableName, BUCKET_NAME: this.documents.bucketName };
  }

  /**
   * The table, as the repositories use it: GetItem, Query (table and indexes), PutItem, UpdateItem
   * and TransactWriteItems (which needs the item actions it bundles). No Scan, no deletes, no
   * batch writes. Every function reads the campaign from it.
   */
  grantRecords(fn: IFunction): void {
    this.table.grant(
      fn,
      'dynamodb:GetItem',
      'dynamodb:Query',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:ConditionCheckItem',
    );
    Validations.of(roleOf(fn)).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::${arnRef(this.table)}/index/*]`,
      reason:
        "Queries on the table's own sparse indexes (gsi1, gsi2), as the grant for the table gives them.",
    });
  }

  /** The form pages: sign upload forms and downloads; nothing is read or written by the function itself. */
  grantServing(fn: IFunction): void {
    // Signs upload forms (PutObject) and downloads (GetObject) under incoming/; nothing else.
    this.grantObjects(fn, ['s3:PutObject', 's3:GetObject'], 'incoming/*');
    // Downloads of filed versions and photos: the copies under files/ (see receive-upload.ts).
    this.grantObjects(fn, ['s3:GetObject'], 'files/*');
    // Download links in digests (`/d/<token>`) are signed here, when they are followed.
    this.grantObjects(fn, ['s3:GetObject'], 'digests/*');
  }

  /** Filing an upload: read it, quarantine a refused one, copy an accepted one to files/. */
  grantFiling(fn: IFunction): void {
    // Reads each upload, moves a refused one to quarantine/ (copy, then delete), and may list the
    // bucket: without s3:ListBucket, S3 answers a HEAD of a missing object (one already moved)
    // with 403 instead of 404. A prefix condition would not help: a HEAD carries no s3:prefix.
    // It reads the exact version its event names (the bucket is versioned), and a refused one is
    // removed by that version only, so a later object on the same key stays.
    this.grantObjects(
      fn,
      ['s3:GetObject', 's3:GetObjectVersion', 's3:DeleteObject', 's3:DeleteObjectVersion'],
      'incoming/*',
    );
    this.grantObjects(fn, ['s3:PutObject'], 'quarantine/*');
    // Accepted bytes are copied, once (If-None-Match), to files/: the immutable filed copy.
    this.grantObjects(fn, ['s3:PutObject'], 'files/*');
    fn.addToRolePolicy(
      new PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.documents.bucketArn] }),
    );
  }

  /**
   * Supervisors' document archives: the function reads the filed objects itself (the GetObject
   * grants of `grantServing` on files/ and incoming/), writes the ZIP under exports/ in parts,
   * aborting a failed upload, and signs its download.
   */
  grantExporting(fn: IFunction): void {
    this.grantObjects(fn, ['s3:PutObject', 's3:AbortMultipartUpload', 's3:GetObject'], 'exports/*');
  }

  /**
   * The export jobs (supervisors' archives written outside a request): read every filed object,
   * the copies under files/ and the versions filed before them under incoming/, and write the ZIP
   * under exports/ in parts, aborting a failed upload. The download is signed by the HTTP function.
   */
  grantArchiving(fn: IFunction): void {
    this.grantObjects(fn, ['s3:GetObject'], 'files/*');
    this.grantObjects(fn, ['s3:GetObject'], 'incoming/*');
    this.grantObjects(fn, ['s3:PutObject', 's3:AbortMultipartUpload'], 'exports/*');
  }

  /** Invokes `fn` for every object created under incoming/ (an upload). */
  notifyUploads(fn: IFunction): void {
    this.documents.addEventNotification(EventType.OBJECT_CREATED, new LambdaDestination(fn), {
      prefix: 'incoming/',
    });
    // CDK's own function that writes the bucket's notification configuration at deploy time.
    const notifications = Stack.of(this).node.children.find((child) =>
      child.node.id.startsWith('BucketNotificationsHandler'),
    );
    if (notifications)
      Validations.of(notifications).acknowledge({
        id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason:
          "CDK's bucket-notifications handler, run once per deployment; its role is CDK's and only writes logs beyond s3:PutBucketNotification.",
      });
  }

  /** Digests too large to attach: stored (in parts for a large one) for the HTTP function to sign. */
  grantDigestWriting(fn: IFunction): void {
    // A failed multipart upload is aborted (the lifecycle rule is the backstop).
    this.grantObjects(fn, ['s3:PutObject', 's3:AbortMultipartUpload'], 'digests/*');
  }

  /** Object permissions under one key prefix: the prefix's wildcard is the whole point. */
  private grantObjects(fn: IFunction, actions: string[], pattern: string): void {
    fn.addToRolePolicy(new PolicyStatement({ actions, resources: [this.documents.arnForObjects(pattern)] }));
    Validations.of(roleOf(fn)).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::${arnRef(this.documents)}/${pattern}]`,
      reason: `Object keys are generated under ${pattern.replace('/*', '/')}; the grant covers that prefix only.`,
    });
  }
}
