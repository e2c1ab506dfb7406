// Lambda entry of the scheduled daily check.
import { DailyCheckEnvSchema } from '../../schemas/env.ts';
import { digestWorkbook } from '../shared/adapters/xlsx/digest-workbook.ts';
import { createAdapters } from '../shared/wiring.ts';
import { makeHandler } from './handler.ts';

const env = DailyCheckEnvSchema.parse(process.env);
export const handler = makeHandler({ ...(await createAdapters()), appUrl: env.APP_URL, digestWorkbook });
