// Lambda entry of the HTTP API function: build the dependencies once per container, then route.
// Storage only: this function sends no mail and holds no secret, so neither is bundled.
import { createStorageAdapters } from '../shared/storage-wiring.ts';
import { makeHandler } from './handler.ts';

export const handler = makeHandler(await createStorageAdapters());
