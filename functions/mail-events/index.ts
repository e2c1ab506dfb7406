// Lambda entry of the SES bounce and complaint subscriber. Storage only: it sends no mail.
import { createStorageAdapters } from '../shared/storage-wiring.ts';
import { makeHandler } from './handler.ts';

export const handler = makeHandler(await createStorageAdapters());
