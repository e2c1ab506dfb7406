import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * The SDK clients, built with default configuration: the region, credentials and, in local mode,
 * the endpoints (`AWS_ENDPOINT_URL_DYNAMODB`, `_S3`, `_SESV2`) all come from the environment.
 */
export interface AwsClients {
  dynamo: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  s3: S3Client;
  ses: SESv2Client;
  secrets: SecretsManagerClient;
}

export function createAwsClients(): AwsClients {
  const dynamo = new DynamoDBClient({});
  return {
    dynamo,
    doc: DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } }),
    s3: new S3Client({}),
    ses: new SESv2Client({}),
    secrets: new SecretsManagerClient({}),
  };
}
