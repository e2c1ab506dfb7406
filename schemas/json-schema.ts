import { z } from 'zod';
import { CampaignSchema } from './campaign.ts';
import { RosterSchema } from './roster.ts';

/**
 * JSON Schemas for editors, generated from the zod schemas (the one source of truth).
 * Cross-field rules (dates in order, known districts) are enforced by `campaign validate` only.
 */
export const JSON_SCHEMAS = {
  'campaign.schema.json': () => z.toJSONSchema(CampaignSchema, { io: 'input', unrepresentable: 'any' }),
  'roster.schema.json': () => z.toJSONSchema(RosterSchema, { io: 'input', unrepresentable: 'any' }),
} as const;

export function renderJsonSchema(name: keyof typeof JSON_SCHEMAS): string {
  return `${JSON.stringify(JSON_SCHEMAS[name](), null, 2)}\n`;
}
