import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { createStorageClients, type StorageClients } from './storage-clients.ts';

/** Every SDK client a function may use: storage, mail (`AWS_ENDPOINT_URL_SESV2` locally) and secrets. */
export interface AwsClients extends StorageClients {
  ses: SESv2Client;
  secrets: SecretsManagerClient;
}

export function createAwsClients(): AwsClients {
  return { ...createStorageClients(), ses: new SESv2Client({}), secrets: new SecretsManagerClient({}) };
}
