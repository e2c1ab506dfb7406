import { z } from 'zod';
import { HazardAreaIdSchema, HazardLevelIdSchema } from './campaign.ts';
import { LocalDateSchema } from './primitives.ts';
import { addIssue } from './validation.ts';

/** Where a hazard came to light: the school's self-check, a supervision check, or a report. */
export const HAZARD_SOURCES = ['self-check', 'supervision', 'report'] as const;
export const HazardSourceSchema = z.enum(HAZARD_SOURCES);
export type HazardSource = z.infer<typeof HazardSourceSchema>;

/** Files attached to a hazard: photos before and after rectification, and the contingency plan as a document. */
export const ATTACHMENT_KINDS = ['before', 'after', 'plan'] as const;
export const AttachmentKindSchema = z.enum(ATTACHMENT_KINDS);
export type AttachmentKind = z.infer<typeof AttachmentKindSchema>;

const Text = (max: number) => z.string().trim().min(1).max(max);

/**
 * The five implementations (五落实) for a hazard that is not fixed at once: responsibility,
 * measures, funds, time limit and contingency plan (责任、措施、资金、时限、预案).
 */
export const FiveImplementationsSchema = z.strictObject({
  owner: z.strictObject({
    name: Text(50),
    role: Text(50),
    phone: z.string().regex(/^[0-9+\-() ]{6,20}$/, { message: 'phone' }),
  }),
  measures: Text(2000),
  funds: z.strictObject({
    amountYuan: z.number().min(0).max(1e10),
    source: Text(200),
  }),
  /** Rectified by the end of this day; for a major hazard, the supervision deadline. */
  deadline: LocalDateSchema,
  /** The contingency plan as text; it may instead be attached as a document (kind `plan`). */
  contingency: Text(2000).optional(),
});
export type FiveImplementations = z.infer<typeof FiveImplementationsSchema>;

const HazardReportFieldsSchema = z.strictObject({
  area: HazardAreaIdSchema,
  level: HazardLevelIdSchema,
  title: Text(100),
  description: Text(2000),
  location: Text(200),
  foundOn: LocalDateSchema,
  source: HazardSourceSchema,
  fixedOnSpot: z.boolean(),
  /** How it was fixed on the spot (or where the "after" photo shows it). */
  fixNote: Text(1000).optional(),
  five: FiveImplementationsSchema.optional(),
});

/**
 * A school's hazard report. The five implementations are required when the hazard is not fixed
 * on the spot, or is major; a fix on the spot needs a note of what was done.
 */
/** Built once: a schema made inside `when` would be compiled again on every parse. */
const LevelAndFixSchema = HazardReportFieldsSchema.pick({ level: true, fixedOnSpot: true }).loose();

export const HazardReportSchema = HazardReportFieldsSchema.superRefine(
  (report, ctx) => {
    if ((!report.fixedOnSpot || report.level === 'major') && report.five === undefined) {
      addIssue(ctx, 'five-required', ['five'], undefined, {});
    }
    if (report.fixedOnSpot && report.fixNote === undefined) {
      addIssue(ctx, 'fix-note-required', ['fixNote'], undefined, {});
    }
  },
  {
    when: (payload) => LevelAndFixSchema.safeParse(payload.value).success,
  },
);
export type HazardReport = z.infer<typeof HazardReportSchema>;

export const ExtensionSchema = z.object({
  requestedAt: z.iso.datetime({ offset: false }),
  requestedBy: z.string(),
  reason: z.string(),
  newDeadline: LocalDateSchema,
  decision: z.enum(['pending', 'granted', 'refused']),
  decidedBy: z.string().optional(),
  decidedAt: z.iso.datetime({ offset: false }).optional(),
  note: z.string().optional(),
});
export type Extension = z.infer<typeof ExtensionSchema>;

/** Listed supervision (挂牌督办) of a major hazard by the unit's district bureau, or by the city. */
export const SupervisionSchema = z.object({
  supervisorUnit: z.string(),
  listedOn: LocalDateSchema,
  deadline: LocalDateSchema,
  extensions: z.array(ExtensionSchema),
  /** Set at acceptance, which delists the hazard and closes it out (摘牌销号). */
  delistedOn: LocalDateSchema.optional(),
});
export type Supervision = z.infer<typeof SupervisionSchema>;
