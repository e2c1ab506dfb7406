import { HazardAreaIdSchema, HazardLevelIdSchema } from '../../../../schemas/campaign.ts';
import type { HazardReport } from '../../../../schemas/hazards.ts';
import { LocalDateSchema } from '../../../../schemas/primitives.ts';
import { ValidationError } from '../errors.ts';
import type { HazardAction } from './hazard-lifecycle.ts';

/**
 * Hazard reports as flat named fields: the report form's fields, and the columns of the import
 * template, which map onto the same names. One function turns them into the report's shape.
 */

/** The fields of the five implementations, as the report form names them. */
export const FIVE_FIELDS = [
  'five.owner.name',
  'five.owner.role',
  'five.owner.phone',
  'five.measures',
  'five.funds.amountYuan',
  'five.funds.source',
  'five.deadline',
  'five.contingency',
] as const;

export function formValues(form: URLSearchParams): Record<string, string> {
  return Object.fromEntries([...form.entries()].map(([k, v]) => [k, v]));
}

const optional = (value: string | null) => (value === null || value.trim() === '' ? undefined : value.trim());

/**
 * Turns the report form into the shape `HazardReportSchema` checks. Empty fields become missing
 * ones, so the schema names each. The five implementations are passed on once any of them is
 * filled, so a missing one is named; none at all, where they are required, names the group.
 */
/**
 * The report form's fields. Its schema refuses a control character in any of them (in the
 * free text by name and position; elsewhere as a malformed date, amount, choice or key) and the
 * form comes back as typed, the character removed; the request decoder refuses it anywhere else.
 */
export const REPORT_FORM_FIELDS: ReadonlySet<string> = new Set([
  'formKey',
  'area',
  'level',
  'foundOn',
  'source',
  'fixedOnSpot',
  'five.funds.amountYuan',
  'five.deadline',
  'title',
  'description',
  'location',
  'fixNote',
  'five.owner.name',
  'five.owner.role',
  'five.owner.phone',
  'five.measures',
  'five.funds.source',
  'five.contingency',
]);

export function reportFromFields(form: { get(name: string): string | null }): unknown {
  const get = (name: string) => optional(form.get(name));
  const fixedOnSpot = form.get('fixedOnSpot') === 'yes';
  const anyFive = FIVE_FIELDS.some((name) => get(name) !== undefined);
  const amount = get('five.funds.amountYuan');
  return {
    area: get('area'),
    level: get('level'),
    title: get('title'),
    description: get('description'),
    location: get('location'),
    foundOn: get('foundOn'),
    source: get('source'),
    fixedOnSpot,
    ...(get('fixNote') ? { fixNote: get('fixNote') } : {}),
    ...(anyFive
      ? {
          five: {
            owner: {
              name: get('five.owner.name'),
              role: get('five.owner.role'),
              phone: get('five.owner.phone'),
            },
            measures: get('five.measures'),
            funds: {
              // Passed on as typed: the schema accepts plain decimals only (`Number` would read 0x10 as 16).
              amountYuan: amount,
              source: get('five.funds.source'),
            },
            deadline: get('five.deadline'),
            contingency: get('five.contingency'),
          },
        }
      : {}),
  };
}

/** A stored report as the report form's fields (the inverse of `reportFromFields`), to prefill the edit form. */
export function fieldsFromReport(report: HazardReport): Record<string, string> {
  const five = report.five;
  return {
    area: report.area,
    level: report.level,
    title: report.title,
    description: report.description,
    location: report.location,
    foundOn: report.foundOn,
    source: report.source,
    fixedOnSpot: report.fixedOnSpot ? 'yes' : 'no',
    ...(report.fixNote ? { fixNote: report.fixNote } : {}),
    ...(five
      ? {
          'five.owner.name': five.owner.name,
          'five.owner.role': five.owner.role,
          'five.owner.phone': five.owner.phone,
          'five.measures': five.measures,
          'five.funds.amountYuan': String(five.funds.amountYuan),
          'five.funds.source': five.funds.source,
          'five.deadline': five.deadline,
          ...(five.contingency ? { 'five.contingency': five.contingency } : {}),
        }
      : {}),
  };
}

/** The action a hazard page's form asks for (an edit has its own parser: the report form's fields). */
export function actionFromForm(form: URLSearchParams): HazardAction {
  const note = form.get('note') ?? '';
  const reason = form.get('reason') ?? '';
  switch (form.get('action')) {
    case 'start-rectifying':
      return { kind: 'start-rectifying' };
    case 'submit-for-acceptance':
      return { kind: 'submit-for-acceptance', note };
    case 'accept':
      return { kind: 'accept', note };
    case 'refuse':
      return { kind: 'refuse', reason };
    case 'request-extension': {
      const newDeadline = form.get('newDeadline') ?? '';
      if (!LocalDateSchema.safeParse(newDeadline).success) {
        throw new ValidationError([
          {
            path: 'newDeadline',
            value: newDeadline,
            code: 'local-date',
            zh: '请填写新的整改期限（日期）',
            en: 'give the new deadline (a date)',
          },
        ]);
      }
      return { kind: 'request-extension', reason, newDeadline };
    }
    case 'decide-extension':
      return { kind: 'decide-extension', grant: form.get('grant') === 'yes', note };
    case 'withdraw':
      return { kind: 'withdraw', reason };
    case 'reclassify': {
      const level = HazardLevelIdSchema.safeParse(form.get('level'));
      const area = HazardAreaIdSchema.safeParse(form.get('area'));
      if (!level.success || !area.success) {
        throw new ValidationError([
          ...(level.success
            ? []
            : [
                {
                  path: 'level',
                  value: form.get('level'),
                  code: 'unknown-level',
                  zh: '请选择隐患等级',
                  en: 'choose a hazard level',
                },
              ]),
          ...(area.success
            ? []
            : [
                {
                  path: 'area',
                  value: form.get('area'),
                  code: 'unknown-area',
                  zh: '请选择隐患类别',
                  en: 'choose a hazard area',
                },
              ]),
        ]);
      }
      return { kind: 'reclassify', level: level.data, area: area.data, reason };
    }
    default:
      throw new ValidationError([
        {
          path: 'action',
          value: form.get('action'),
          code: 'unknown-action',
          zh: '未知的操作',
          en: 'unknown action',
        },
      ]);
  }
}
