import { z } from 'zod';
import {
  EmailSchema,
  LabelSchema,
  LocalDateSchema,
  LocalTimeSchema,
  SlugSchema,
  TimeZoneSchema,
  UnitTypeSchema,
} from './primitives.ts';
import { addIssue, formatPath } from './validation.ts';

/**
 * The hazard areas the software knows (the seed's nine). A campaign lists the ones it inspects,
 * with its own labels; forms, templates and digests rely on these ids, so a new area is a code change.
 */
export const HAZARD_AREA_IDS = [
  'construction',
  'school-bus',
  'hazardous-chemicals',
  'fire-safety',
  'food-safety',
  'school-buildings',
  'special-equipment',
  'infectious-disease',
  'security-defences',
] as const;
export const HazardAreaIdSchema = z.enum(HAZARD_AREA_IDS);

export const HAZARD_LEVEL_IDS = ['general', 'major'] as const;
export const HazardLevelIdSchema = z.enum(HAZARD_LEVEL_IDS);

/** File types the upload check can recognise by their first bytes. */
export const FILE_TYPES = ['pdf', 'doc', 'docx', 'wps', 'xls', 'xlsx', 'jpg', 'png'] as const;
export const FileTypeSchema = z.enum(FILE_TYPES);

export const DeliverableSchema = z.strictObject({
  id: SlugSchema,
  name: LabelSchema,
  /** Due by the end of this day in the campaign's time zone. */
  dueDate: LocalDateSchema,
  requiredOf: z.array(UnitTypeSchema).min(1),
});

export const DistrictSchema = z.strictObject({
  code: SlugSchema,
  name: LabelSchema,
});

export const RecipientSchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  email: EmailSchema,
});

/**
 * A named reviewer (issue 13): one person who reads and decides in the supervisors' workspace for
 * the city office (`scope: "city"`) or for one district's bureau (`scope`: the district code). Each
 * gets a personal link, so the audit trail names the person, not only the office.
 */
export const ReviewerSchema = z.strictObject({
  id: SlugSchema,
  name: z.string().trim().min(1).max(100),
  email: EmailSchema,
  scope: z.union([z.literal('city'), SlugSchema]),
});

/** An SMTP relay. Credentials live in a secret, never in the config file. */
const SmtpServerSchema = z.strictObject({
  host: z.string().trim().min(1),
  port: z.number().int().min(1).max(65535),
  /** Implicit TLS (usually port 465); otherwise STARTTLS is required. */
  secure: z.boolean(),
});

const SesMailSchema = z.strictObject({
  transport: z.literal('ses'),
  from: EmailSchema,
  replyTo: EmailSchema.optional(),
  /** The relay used instead where SES is not offered (AWS China regions). */
  smtp: SmtpServerSchema.optional(),
});

/** SMTP everywhere: an organisation's own mailbox, or regions without SES (AWS China). */
const SmtpMailSchema = z.strictObject({
  transport: z.literal('smtp'),
  from: EmailSchema,
  replyTo: EmailSchema.optional(),
  ...SmtpServerSchema.shape,
});

export const MailSchema = z.discriminatedUnion('transport', [SesMailSchema, SmtpMailSchema]);

export type SmtpServer = z.infer<typeof SmtpServerSchema>;
export type MailTransport = { kind: 'ses' } | ({ kind: 'smtp' } & SmtpServer);

/**
 * The transport a deployment uses: the config's, or SMTP where SES is missing (`sesAvailable`
 * false, the China partition), from the SES config's `smtp` relay. Null when that is needed and
 * the config names no relay.
 */
export function mailTransport(mail: MailConfig, sesAvailable: boolean): MailTransport | null {
  if (mail.transport === 'smtp')
    return { kind: 'smtp', host: mail.host, port: mail.port, secure: mail.secure };
  if (sesAvailable) return { kind: 'ses' };
  return mail.smtp ? { kind: 'smtp', ...mail.smtp } : null;
}

const CampaignObjectSchema = z.strictObject({
  $schema: z.string().optional(),
  id: SlugSchema,
  name: LabelSchema,
  organiser: z.strictObject({
    name: LabelSchema,
    phone: z.string().max(40).optional(),
    email: EmailSchema.optional(),
  }),
  timeZone: TimeZoneSchema,
  /** The first day of the campaign; the schedule starts here. */
  opensOn: LocalDateSchema,
  deliverables: z.array(DeliverableSchema).min(1).max(20),
  hazardDrive: z.strictObject({
    /** The inspection drive closes at the end of this day. */
    closesOn: LocalDateSchema,
    areas: z
      .array(z.strictObject({ id: HazardAreaIdSchema, name: LabelSchema }))
      .min(1)
      .max(HAZARD_AREA_IDS.length),
    levels: z.array(z.strictObject({ id: HazardLevelIdSchema, name: LabelSchema })).length(2),
  }),
  districts: z.array(DistrictSchema).min(1).max(100),
  safetyOffice: z.strictObject({
    name: LabelSchema,
    recipients: z.array(RecipientSchema).min(1).max(50),
  }),
  /** The named reviewers, each with a personal workspace link; none by default. */
  reviewers: z.array(ReviewerSchema).max(500).default([]),
  reminders: z.strictObject({
    /** Days before a due date on which units that have not filed are reminded; 0 is the due day. */
    daysBefore: z.array(z.number().int().min(0).max(60)).max(20),
    /** Once overdue, remind every this many days. */
    overdueEveryDays: z.number().int().min(1).max(30),
    /** When the daily check runs, on the campaign clock. */
    dailyCheckTime: LocalTimeSchema,
  }),
  uploads: z.strictObject({
    maxBytes: z
      .number()
      .int()
      .min(1024)
      .max(100 * 1024 * 1024),
    acceptedTypes: z.array(FileTypeSchema).min(1),
    /** If set, uploads after the end of this day are refused; otherwise late uploads are accepted and marked late. */
    hardCloseOn: LocalDateSchema.optional(),
  }),
  mail: MailSchema,
  /**
   * The address units open their links at, when the API sits behind a custom domain (in mainland
   * China one with an ICP licence). Without it, links use the API's own execute-api address.
   */
  web: z.strictObject({ publicUrl: z.url({ protocol: /^https$/ }) }).optional(),
  /** Where a deployment's alarms go: an existing SNS topic. Without it the stack makes its own. */
  alarms: z
    .strictObject({
      topicArn: z
        .string()
        .regex(/^arn:aws(-cn)?:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/, { message: 'sns-topic-arn' }),
    })
    .optional(),
});

type CampaignShape = z.infer<typeof CampaignObjectSchema>;
type CampaignKey = keyof CampaignShape;

/**
 * A cross-field rule that runs whenever the fields it reads are valid, even if other fields are
 * not, so `campaign validate` reports every mistake in one pass.
 */
function crossCheck<K extends CampaignKey>(
  keys: readonly K[],
  check: (campaign: Pick<CampaignShape, K>, ctx: z.core.$RefinementCtx) => void,
) {
  const mask: Partial<Record<CampaignKey, true>> = Object.fromEntries(keys.map((key) => [key, true]));
  const fields = CampaignObjectSchema.pick(mask).loose();
  return z.superRefine<CampaignShape>((campaign, ctx) => check(campaign, ctx), {
    when: (payload) => fields.safeParse(payload.value).success,
  });
}

function checkUnique<T>(
  ctx: z.core.$RefinementCtx,
  items: readonly T[],
  pick: (item: T) => string | number,
  path: (index: number) => PropertyKey[],
  what: string,
): void {
  const seen = new Map<string | number, number>();
  items.forEach((item, index) => {
    const value = pick(item);
    const first = seen.get(value);
    if (first === undefined) seen.set(value, index);
    else addIssue(ctx, 'duplicate', path(index), value, { what, first: formatPath(path(first)) });
  });
}

const AFTER_OPENING = { otherLabel: '活动开始日期 opensOn', otherLabelEn: 'the campaign start (opensOn)' };

const deliverableDates = crossCheck(['opensOn', 'deliverables'], ({ opensOn, deliverables }, ctx) => {
  checkUnique(
    ctx,
    deliverables,
    (d) => d.id,
    (i) => ['deliverables', i, 'id'],
    'deliverable id',
  );
  deliverables.forEach((deliverable, index) => {
    const previous = index > 0 ? deliverables[index - 1] : undefined;
    if (deliverable.dueDate < opensOn) {
      addIssue(ctx, 'date-before', ['deliverables', index, 'dueDate'], deliverable.dueDate, {
        other: opensOn,
        ...AFTER_OPENING,
      });
    } else if (previous && deliverable.dueDate < previous.dueDate) {
      addIssue(ctx, 'deliverable-order', ['deliverables', index, 'dueDate'], deliverable.dueDate, {
        previous: previous.name.zh,
        previousDue: previous.dueDate,
      });
    }
  });
});

const hazardDrive = crossCheck(['opensOn', 'hazardDrive'], ({ opensOn, hazardDrive }, ctx) => {
  if (hazardDrive.closesOn < opensOn) {
    addIssue(ctx, 'date-before', ['hazardDrive', 'closesOn'], hazardDrive.closesOn, {
      other: opensOn,
      ...AFTER_OPENING,
    });
  }
  checkUnique(
    ctx,
    hazardDrive.areas,
    (a) => a.id,
    (i) => ['hazardDrive', 'areas', i, 'id'],
    'hazard area',
  );
  const levelIds = new Set(hazardDrive.levels.map((level) => level.id));
  if (levelIds.size !== 2) {
    addIssue(
      ctx,
      'hazard-levels',
      ['hazardDrive', 'levels'],
      hazardDrive.levels.map((level) => level.id),
    );
  }
});

const reviewers = crossCheck(['districts', 'reviewers'], ({ districts, reviewers }, ctx) => {
  checkUnique(
    ctx,
    reviewers,
    (r) => r.id,
    (i) => ['reviewers', i, 'id'],
    'reviewer id',
  );
  const known = new Set(districts.map((d) => d.code));
  reviewers.forEach((reviewer, index) => {
    if (reviewer.scope !== 'city' && !known.has(reviewer.scope))
      addIssue(ctx, 'unknown-district', ['reviewers', index, 'scope'], reviewer.scope, {
        known: ['city', ...known].join(', '),
      });
  });
});

const uniqueLists = crossCheck(['districts', 'safetyOffice', 'reminders'], (campaign, ctx) => {
  checkUnique(
    ctx,
    campaign.districts,
    (d) => d.code,
    (i) => ['districts', i, 'code'],
    'district code',
  );
  checkUnique(
    ctx,
    campaign.safetyOffice.recipients,
    (r) => r.email.toLowerCase(),
    (i) => ['safetyOffice', 'recipients', i, 'email'],
    'recipient e-mail',
  );
  checkUnique(
    ctx,
    campaign.reminders.daysBefore,
    (d) => d,
    (i) => ['reminders', 'daysBefore', i],
    'offset',
  );
});

const uploads = crossCheck(
  ['opensOn', 'deliverables', 'uploads'],
  ({ opensOn, deliverables, uploads }, ctx) => {
    checkUnique(
      ctx,
      uploads.acceptedTypes,
      (t) => t,
      (i) => ['uploads', 'acceptedTypes', i],
      'file type',
    );
    const lastDue = [opensOn, ...deliverables.map((d) => d.dueDate)].sort().at(-1) ?? opensOn;
    if (uploads.hardCloseOn !== undefined && uploads.hardCloseOn < lastDue) {
      addIssue(ctx, 'date-before', ['uploads', 'hardCloseOn'], uploads.hardCloseOn, {
        other: lastDue,
        otherLabel: '最后一项材料的截止日期',
        otherLabelEn: 'the last deliverable due date',
      });
    }
  },
);

/** One year's campaign, as an admin writes it in `campaigns/<id>.json`. */
export const CampaignSchema = CampaignObjectSchema.check(
  deliverableDates,
  hazardDrive,
  uniqueLists,
  uploads,
  reviewers,
);
export type Reviewer = z.infer<typeof ReviewerSchema>;
export type Campaign = z.infer<typeof CampaignSchema>;
export type Deliverable = z.infer<typeof DeliverableSchema>;
export type District = z.infer<typeof DistrictSchema>;
export type HazardAreaId = z.infer<typeof HazardAreaIdSchema>;
export type HazardLevelId = z.infer<typeof HazardLevelIdSchema>;
export type FileType = z.infer<typeof FileTypeSchema>;
export type MailConfig = z.infer<typeof MailSchema>;
