import { z } from 'zod';
import type { Campaign } from './campaign.ts';
import { EmailSchema, SlugSchema, UNIT_TYPE_LABELS, UnitTypeSchema } from './primitives.ts';
import { addIssue, formatPath } from './validation.ts';

/** A unit's code as the roster spells it: upper-case letters, digits and hyphens (e.g. `TN-104`). */
export const UNIT_CODE_PATTERN = /^[A-Z0-9][A-Z0-9-]{1,31}$/;

/** The fields of one participating unit, as listed in a campaign's roster. */
export const RosterRowFieldsSchema = z.strictObject({
  code: z.string().regex(UNIT_CODE_PATTERN, { message: 'unit-code' }),
  name: z.string().trim().min(1).max(100),
  type: UnitTypeSchema,
  /** The district code from the campaign config; null for the city office and directly affiliated units. */
  district: SlugSchema.nullable(),
  contact: z.string().trim().min(1).max(50),
  email: EmailSchema,
  phone: z.string().regex(/^[0-9+\-() ]{6,20}$/, { message: 'phone' }),
});
type RosterRowFields = z.infer<typeof RosterRowFieldsSchema>;

const ROSTER_ROW_FIELDS = ['code', 'name', 'type', 'district', 'contact', 'email', 'phone'] as const;

/** A stored unit's roster fields: the row that would load it as it is. */
export function pickRosterFields(unit: RosterRowFields): RosterRowFields {
  return Object.fromEntries(ROSTER_ROW_FIELDS.map((field) => [field, unit[field]])) as RosterRowFields;
}

/** Whether a unit as stored lists exactly `row`'s roster fields (and is not withdrawn): loading `row` again changes nothing. */
export function sameRosterRow(
  unit: RosterRowFields & { withdrawnAt?: string | undefined },
  row: RosterRowFields,
): boolean {
  return !unit.withdrawnAt && ROSTER_ROW_FIELDS.every((field) => unit[field] === row[field]);
}

/** Built once: a schema made inside `when` would be compiled again on every parse. */
const TypeAndDistrictSchema = RosterRowFieldsSchema.pick({ type: true, district: true }).loose();

export const RosterRowSchema = RosterRowFieldsSchema.superRefine(
  (row, ctx) => {
    const cityLevel = row.type === 'affiliated-unit' || row.type === 'city-office';
    if (cityLevel && row.district !== null) {
      addIssue(ctx, 'district-forbidden', ['district'], row.district);
    }
    if (!cityLevel && row.district === null) {
      const label = UNIT_TYPE_LABELS[row.type];
      addIssue(ctx, 'district-required', ['district'], row.district, { typeZh: label.zh, typeEn: label.en });
    }
  },
  {
    when: (payload) => TypeAndDistrictSchema.safeParse(payload.value).success,
  },
);
export type RosterRow = z.infer<typeof RosterRowSchema>;

export const RosterSchema = z.strictObject({
  $schema: z.string().optional(),
  /** The campaign id this roster belongs to. */
  campaign: SlugSchema,
  units: z.array(RosterRowSchema).min(1).max(10_000),
});
export type Roster = z.infer<typeof RosterSchema>;

/** What the cross-row checks read; they run whenever this much is valid, even if other fields are not. */
const CrossCheckedSchema = z.object({
  campaign: z.string(),
  units: z.array(z.object({ code: z.string(), type: UnitTypeSchema, district: z.string().nullable() })),
});

/** The roster's checks against its campaign: known districts, one owner per code, a bureau per district. */
export function rosterForCampaign(campaign: Campaign) {
  const known = campaign.districts.map((d) => d.code);
  return RosterSchema.superRefine(
    (roster, ctx) => {
      if (roster.campaign !== campaign.id) {
        addIssue(ctx, 'roster-campaign', ['campaign'], roster.campaign, { expected: campaign.id });
      }
      const firstIndex = new Map<string, number>();
      const bureaus = new Set<string>();
      roster.units.forEach((unit, index) => {
        const first = firstIndex.get(unit.code);
        if (first === undefined) firstIndex.set(unit.code, index);
        else
          addIssue(ctx, 'duplicate', ['units', index, 'code'], unit.code, {
            what: 'unit code',
            first: formatPath(['units', first, 'code']),
          });
        if (unit.district !== null && !known.includes(unit.district)) {
          addIssue(ctx, 'unknown-district', ['units', index, 'district'], unit.district, {
            known: known.join(', '),
          });
        }
        if (unit.type === 'district-bureau' && unit.district !== null) bureaus.add(unit.district);
      });
      const reported = new Set<string>();
      roster.units.forEach((unit, index) => {
        const { district } = unit;
        if (
          unit.type === 'school' &&
          district !== null &&
          known.includes(district) &&
          !bureaus.has(district)
        ) {
          if (!reported.has(district))
            addIssue(ctx, 'district-without-bureau', ['units', index, 'district'], district);
          reported.add(district);
        }
      });
    },
    { when: (payload) => CrossCheckedSchema.safeParse(payload.value).success },
  );
}
