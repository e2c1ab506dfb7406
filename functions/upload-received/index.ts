// Lambda entry of the S3 object-created function.
import { createAdapters } from '../shared/wiring.ts';
import { makeHandler } from './handler.ts';

export const handler = makeHandler(await createAdapters());
