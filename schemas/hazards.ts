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

/**
 * Characters no report field may hold: C0 controls (NUL included), DEL, C1 controls, and the
 * bidirectional overrides and isolates that make text read differently from how it is stored.
 * Multi-line fields (textareas) may hold tab, line feed and carriage return; browsers send a
 * textarea's line breaks as CR LF.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is its purpose
const CONTROL_SINGLE_LINE = /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/u;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is its purpose
const CONTROL_MULTI_LINE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/u;

/** Strips what `CONTROL_*` refuses, to show a refused value back without rendering the characters. */
export function withoutControlCharacters(value: string): string {
  return value.replace(new RegExp(CONTROL_MULTI_LINE.source, 'gu'), '');
}

type TextRule = (max: number, multiLine?: boolean) => z.ZodType<string, string>;

/** Stored records: trimmed, bounded text (records written before the control-character rule still read). */
const StoredText: TextRule = (max) => z.string().trim().min(1).max(max);

/** New input (form and import): also refuses control characters, naming the first one found. */
const InputText: TextRule = (max, multiLine = false) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .superRefine((value, ctx) => {
      const found = (multiLine ? CONTROL_MULTI_LINE : CONTROL_SINGLE_LINE).exec(value);
      if (found) {
        addIssue(ctx, 'control-character-removed', [], value, {
          code: `U+${(found[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`,
          position: found.index + 1,
        });
      }
    });

/**
 * An amount in yuan: a number (stored records, JSON) or the plain decimal a person types, `2000`
 * or `1500.50`. Anything else (`0x10`, `1e3`, `Infinity`, ` 12abc`) is refused as typed, never
 * coerced: `Number()` would read the first three as 16, 1000 and Infinity.
 */
const PLAIN_DECIMAL = /^\d{1,11}(\.\d{1,2})?$/;
const YuanSchema = z.preprocess(
  (value) => (typeof value === 'string' && PLAIN_DECIMAL.test(value.trim()) ? Number(value.trim()) : value),
  // Missing is "required" (the default message); anything else not a plain decimal is `yuan`.
  z
    .number({
      error: (issue) => (issue.code === 'invalid_type' && issue.input !== undefined ? 'yuan' : undefined),
    })
    .min(0)
    .max(1e10),
);

/**
 * The fields of a report, built with one text rule: lenient for stored records, strict for input.
 * `foundOn` may be narrowed further (input only: no date after today).
 */
function reportFields(text: TextRule, foundOn: z.ZodType<string, string> = LocalDateSchema) {
  /**
   * The five implementations (五落实) for a hazard that is not fixed at once: responsibility,
   * measures, funds, time limit and contingency plan (责任、措施、资金、时限、预案).
   */
  const five = z.strictObject({
    owner: z.strictObject({
      name: text(50),
      role: text(50),
      phone: z.string().regex(/^[0-9+\-() ]{6,20}$/, { message: 'phone' }),
    }),
    measures: text(2000, true),
    funds: z.strictObject({
      amountYuan: YuanSchema,
      source: text(200),
    }),
    /** Rectified by the end of this day; for a major hazard, the supervision deadline. */
    deadline: LocalDateSchema,
    /** The contingency plan as text; it may instead be attached as a document (kind `plan`). */
    contingency: text(2000, true).optional(),
  });
  return z.strictObject({
    area: HazardAreaIdSchema,
    level: HazardLevelIdSchema,
    title: text(100),
    description: text(2000, true),
    location: text(200),
    foundOn,
    source: HazardSourceSchema,
    fixedOnSpot: z.boolean(),
    /** How it was fixed on the spot (or where the "after" photo shows it). */
    fixNote: text(1000, true).optional(),
    five: five.optional(),
  });
}

const HazardReportFieldsSchema = reportFields(StoredText);
export const FiveImplementationsSchema = HazardReportFieldsSchema.shape.five.unwrap();
export type FiveImplementations = z.infer<typeof FiveImplementationsSchema>;

/** Built once: a schema made inside `when` would be compiled again on every parse. */
const LevelAndFixSchema = HazardReportFieldsSchema.pick({ level: true, fixedOnSpot: true }).loose();
const DatesSchema = z
  .object({ foundOn: LocalDateSchema, five: z.object({ deadline: LocalDateSchema }) })
  .loose();

/**
 * The five implementations are required when the hazard is not fixed on the spot, or is major;
 * a fix on the spot needs a note of what was done.
 */
function withReportRules<S extends ReturnType<typeof reportFields>>(fields: S, input: boolean) {
  return fields
    .superRefine(
      (report, ctx) => {
        if ((!report.fixedOnSpot || report.level === 'major') && report.five === undefined) {
          addIssue(ctx, 'five-required', ['five'], undefined, {});
        }
        if (report.fixedOnSpot && report.fixNote === undefined) {
          addIssue(ctx, 'fix-note-required', ['fixNote'], undefined, {});
        }
      },
      { when: (payload) => LevelAndFixSchema.safeParse(payload.value).success },
    )
    .superRefine(
      (report, ctx) => {
        // Input only: a stored record keeps reading whatever it held.
        const deadline = report.five?.deadline;
        if (input && deadline !== undefined && deadline < report.foundOn) {
          addIssue(ctx, 'deadline-before-found', ['five', 'deadline'], deadline, { foundOn: report.foundOn });
        }
      },
      { when: (payload) => DatesSchema.safeParse(payload.value).success },
    );
}

/** A school's report as stored: the shape and the five-implementations rule. */
export const HazardReportSchema = withReportRules(HazardReportFieldsSchema, false);
export type HazardReport = z.infer<typeof HazardReportSchema>;

/** What new input is checked against: the day it is, and the earliest plausible date found. */
export interface ReportContext {
  /** Today in the campaign's time zone, from the injected clock. */
  today: string;
  /** The earliest date a hazard may have been found: 1 January of the year before the campaign opened. */
  earliest: string;
}

/**
 * A new report, from the form or an import row (the same schema for both): the stored shape,
 * plus no control characters in any text, a date found neither after today nor absurdly long
 * ago, and a deadline not before the date found.
 */
export function hazardReportInputSchema(context: ReportContext) {
  const foundOn = LocalDateSchema.superRefine((value, ctx) => {
    if (!LocalDateSchema.safeParse(value).success) return; // named once, as a date
    if (value > context.today) addIssue(ctx, 'found-after-today', [], value, { today: context.today });
    else if (value < context.earliest)
      addIssue(ctx, 'found-too-early', [], value, { earliest: context.earliest });
  });
  return withReportRules(reportFields(InputText, foundOn), true);
}

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
