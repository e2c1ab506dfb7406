import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * The SDK clients for the campaign's storage, built with default configuration: the region,
 * credentials and, in local mode, the endpoints (`AWS_ENDPOINT_URL_DYNAMODB`, `_S3`) all come
 * from the environment. Kept apart from the mail clients so the HTTP function bundles neither.
 */
export interface StorageClients {
  dynamo: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  s3: S3Client;
}

export function createStorageClients(): StorageClients {
  const dynamo = new DynamoDBClient({});
  return {
    dynamo,
    doc: DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } }),
    s3: new S3Client({}),
  };
}
