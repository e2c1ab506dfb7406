// Lambda entry of the HTTP API function: build the dependencies once per container, then route.
import { createAdapters } from '../shared/wiring.ts';
import { makeHandler } from './handler.ts';

export const handler = makeHandler(await createAdapters());
