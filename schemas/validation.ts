import type { z } from 'zod';

/**
 * Every validation message the project shows, in Chinese first and English too.
 *
 * Schemas refer to a message by its key (`z.string().regex(re, { message: 'local-date' })`, or a
 * custom issue whose `message` is a key); `describeIssues` turns the zod issues into `FieldIssue`s
 * that name the field and the value it got. Built-in zod codes without a key get a generic message.
 */
export interface Bilingual {
  zh: string;
  en: string;
}

type MessageFn = (params: Record<string, unknown>) => Bilingual;

/** How much of a refused value any message or issue shows back: never the whole of a large input. */
export const SHOWN_VALUE_CHARS = 100;

/** `text` cut to `max` characters, with an ellipsis when it was longer. */
export function truncated(text: string, max: number = SHOWN_VALUE_CHARS): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * A received value as it may be shown or serialised back: strings truncated, objects and arrays
 * as truncated JSON (their JSON is bounded in depth by `parseJsonText`; a failure shows a stub).
 */
export function shownValue(value: unknown, max: number = SHOWN_VALUE_CHARS): unknown {
  if (typeof value === 'string') return truncated(value, max);
  if (typeof value === 'bigint') return truncated(String(value), max);
  if (value === null || typeof value !== 'object') return value;
  try {
    return truncated(JSON.stringify(value) ?? '', max);
  } catch {
    return Array.isArray(value) ? '[…]' : '{…}';
  }
}

const text = (value: unknown): string => truncated(String(value));

export const MESSAGES = {
  'json-syntax': (p) => ({
    zh: `不是有效的 JSON：${text(p.detail)}`,
    en: `is not valid JSON: ${text(p.detail)}`,
  }),
  'json-depth': (p) => ({
    zh: `JSON 嵌套超过 ${text(p.max)} 层`,
    en: `JSON is nested deeper than ${text(p.max)} levels`,
  }),
  'control-character': (p) => ({
    zh: `不能包含控制字符（第 ${text(p.index)} 个字符是 ${text(p.char)}）`,
    en: `must not contain control characters (${text(p.char)} at position ${text(p.index)})`,
  }),
  'percent-encoding': () => ({
    zh: 'URL 编码有误：% 后应为两位十六进制数，且组成有效的 UTF-8',
    en: 'has malformed percent-encoding: % must be followed by two hex digits forming valid UTF-8',
  }),
  'file-missing': (p) => ({
    zh: `找不到文件 ${text(p.file)}`,
    en: `file not found: ${text(p.file)}`,
  }),
  'local-date': () => ({
    zh: '应为有效的日期，格式 YYYY-MM-DD',
    en: 'must be a real calendar date written YYYY-MM-DD',
  }),
  'local-time': () => ({ zh: '应为 24 小时制时间，格式 HH:MM', en: 'must be a 24-hour time written HH:MM' }),
  'time-zone': () => ({
    zh: '不是已知的 IANA 时区（例如 Asia/Shanghai）',
    en: 'is not a known IANA time zone (e.g. Asia/Shanghai)',
  }),
  slug: () => ({
    zh: '只能包含小写字母、数字和连字符，且以字母或数字开头',
    en: 'may hold only lower-case letters, digits and hyphens, starting with a letter or digit',
  }),
  'unit-code': () => ({
    zh: '单位代码只能包含大写字母、数字和连字符（2–32 位）',
    en: 'a unit code holds 2–32 upper-case letters, digits and hyphens',
  }),
  'sns-topic-arn': () => ({
    zh: '应为 SNS 主题的 ARN，例如 arn:aws-cn:sns:cn-north-1:123456789012:campaign-alarms',
    en: 'must be an SNS topic ARN, e.g. arn:aws:sns:ap-east-1:123456789012:campaign-alarms',
  }),
  phone: () => ({
    zh: '电话号码只能包含数字、空格、+、- 和括号（6–20 位）',
    en: 'a phone number holds 6–20 digits, spaces, +, - and brackets',
  }),
  duplicate: (p) => ({
    zh: `重复：${text(p.what)} “${text(p.value)}” 已在 ${text(p.first)} 出现`,
    en: `duplicate: ${text(p.what)} "${text(p.value)}" already appears at ${text(p.first)}`,
  }),
  'date-before': (p) => ({
    zh: `日期 ${text(p.value)} 早于 ${text(p.otherLabel)}（${text(p.other)}）`,
    en: `date ${text(p.value)} is before ${text(p.otherLabelEn)} (${text(p.other)})`,
  }),
  'deliverable-order': (p) => ({
    zh: `截止日期 ${text(p.value)} 早于前一项材料 “${text(p.previous)}” 的截止日期 ${text(p.previousDue)}；材料须按截止日期先后排列`,
    en: `due date ${text(p.value)} is before that of the previous deliverable "${text(p.previous)}" (${text(p.previousDue)}); list deliverables in order of due date`,
  }),
  'hazard-levels': () => ({
    zh: '隐患等级必须恰好是 general（一般）和 major（重大）两级',
    en: 'the hazard levels must be exactly general (一般) and major (重大)',
  }),
  'district-required': (p) => ({
    zh: `${text(p.typeZh)}必须填写所属辖市区`,
    en: `a ${text(p.typeEn)} must name its district`,
  }),
  'district-forbidden': () => ({
    zh: '市教育局安稳处和直属单位属市级，不填辖市区（应为 null）',
    en: 'the city office and directly affiliated units are city-level and have no district (use null)',
  }),
  'unknown-district': (p) => ({
    zh: `辖市区代码 “${text(p.value)}” 不在活动配置中；已知：${text(p.known)}`,
    en: `district code "${text(p.value)}" is not in the campaign config; known: ${text(p.known)}`,
  }),
  'district-without-bureau': (p) => ({
    zh: `辖市区 “${text(p.value)}” 有学校但没有教育局`,
    en: `district "${text(p.value)}" has schools but no district bureau`,
  }),
  'roster-campaign': (p) => ({
    zh: `名单属于活动 “${text(p.value)}”，而配置是 “${text(p.expected)}”`,
    en: `the roster belongs to campaign "${text(p.value)}" but the config is "${text(p.expected)}"`,
  }),
  'five-required': () => ({
    zh: '未当场整改或属于重大隐患的，必须落实责任、措施、资金、时限和预案（五落实）',
    en: 'a hazard not fixed on the spot, or a major one, needs the five implementations: owner, measures, funds, deadline and contingency plan',
  }),
  'fix-note-required': () => ({
    zh: '当场整改的隐患须说明整改情况',
    en: 'a hazard fixed on the spot needs a note of what was done',
  }),
  yuan: () => ({
    zh: '金额请只写数字（元），例如 2000 或 1500.50；不接受 0x10、1e3、Infinity 等写法',
    en: 'write the amount in yuan as plain digits, e.g. 2000 or 1500.50; 0x10, 1e3, Infinity and the like are not accepted',
  }),
  'control-character-removed': (p) => ({
    zh: `含有不可见的控制字符（第 ${text(p.position)} 个字符，${text(p.code)}），已从下方文本中删去；请检查后重新提交`,
    en: `holds an invisible control character (${text(p.code)} at character ${text(p.position)}); it was removed from the text below: check it and submit again`,
  }),
  'found-after-today': (p) => ({
    zh: `发现日期 ${text(p.value)} 晚于今天（${text(p.today)}）`,
    en: `the date found, ${text(p.value)}, is after today (${text(p.today)})`,
  }),
  'found-too-early': (p) => ({
    zh: `发现日期 ${text(p.value)} 过早：不能早于 ${text(p.earliest)}`,
    en: `the date found, ${text(p.value)}, is too long ago: it may not be before ${text(p.earliest)}`,
  }),
  'deadline-before-found': (p) => ({
    zh: `整改时限 ${text(p.value)} 早于发现日期 ${text(p.foundOn)}`,
    en: `the deadline ${text(p.value)} is before the date found, ${text(p.foundOn)}`,
  }),
} satisfies Record<string, MessageFn>;

/** The catalogue keys the hazard report uses; `test/unit/hazards.test.ts` exercises them. */
export const HAZARD_MESSAGE_KEYS: readonly MessageKey[] = [
  'five-required',
  'fix-note-required',
  'yuan',
  'control-character-removed',
  'found-after-today',
  'found-too-early',
  'deadline-before-found',
];

export type MessageKey = keyof typeof MESSAGES;

export interface FieldIssue extends Bilingual {
  /** Where the problem is, e.g. `deliverables[1].dueDate`; empty for the whole input. */
  path: string;
  /** The value found there, as received (undefined when the field is missing). */
  value: unknown;
  /** The catalogue key or zod issue code, for tests and machine readers. */
  code: string;
}

const TYPE_ZH: Record<string, string> = {
  string: '文本',
  number: '数字',
  int: '整数',
  boolean: '布尔值（true/false）',
  array: '数组',
  object: '对象',
  null: 'null',
};

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(MESSAGES, key);
}

function describeBuiltIn(issue: z.core.$ZodIssue): Bilingual {
  const missing =
    issue.input === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_value');
  if (missing) return { zh: '必填', en: 'is required' };
  switch (issue.code) {
    case 'invalid_type':
      return {
        zh: `应为${TYPE_ZH[issue.expected] ?? issue.expected}`,
        en: `must be ${issue.expected === 'int' ? 'an integer' : `of type ${issue.expected}`}`,
      };
    case 'invalid_format':
      if (issue.format === 'email')
        return { zh: '不是有效的电子邮件地址', en: 'is not a valid e-mail address' };
      return { zh: `格式不正确（${issue.format}）`, en: `has the wrong format (${issue.format})` };
    case 'invalid_value':
      return {
        zh: `只能是以下之一：${issue.values.map(String).join('、')}`,
        en: `must be one of: ${issue.values.map(String).join(', ')}`,
      };
    case 'too_small':
      if (issue.origin === 'string' && issue.minimum === 1)
        return { zh: '不能为空', en: 'must not be empty' };
      if (issue.origin === 'array')
        return { zh: `至少需要 ${issue.minimum} 项`, en: `needs at least ${issue.minimum} item(s)` };
      if (issue.origin === 'string')
        return { zh: `至少 ${issue.minimum} 个字符`, en: `needs at least ${issue.minimum} characters` };
      return { zh: `不能小于 ${issue.minimum}`, en: `must be at least ${issue.minimum}` };
    case 'too_big':
      if (issue.origin === 'array')
        return { zh: `最多 ${issue.maximum} 项`, en: `holds at most ${issue.maximum} item(s)` };
      if (issue.origin === 'string')
        return { zh: `最多 ${issue.maximum} 个字符`, en: `holds at most ${issue.maximum} characters` };
      return { zh: `不能大于 ${issue.maximum}`, en: `must be at most ${issue.maximum}` };
    case 'unrecognized_keys':
      return {
        zh: `不认识的字段：${issue.keys.join('、')}`,
        en: `unknown field(s): ${issue.keys.join(', ')}`,
      };
    case 'invalid_union':
      return issue.discriminator
        ? {
            zh: `${issue.discriminator} 的值不被接受`,
            en: `the value of ${issue.discriminator} is not accepted`,
          }
        : { zh: '不符合任何允许的形式', en: 'matches none of the accepted shapes' };
    default:
      return { zh: '无效', en: `is invalid (${issue.message})` };
  }
}

export function describeIssue(issue: z.core.$ZodIssue): FieldIssue {
  const params = issue.code === 'custom' ? (issue.params ?? {}) : {};
  const keyed = isMessageKey(issue.message)
    ? MESSAGES[issue.message]({ ...params, value: issue.input })
    : null;
  const value = issue.code === 'unrecognized_keys' ? issue.keys : issue.input;
  return {
    path: formatPath(issue.path),
    value,
    code: keyed ? issue.message : issue.code,
    ...(keyed ?? describeBuiltIn(issue)),
  };
}

export function describeIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map(describeIssue);
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; issues: FieldIssue[] };

/** Parses with inputs reported, so every `FieldIssue` can show the value it got. */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown): ParseResult<z.output<S>> {
  const result = schema.safeParse(input, { reportInput: true });
  return result.success
    ? { ok: true, value: result.data }
    : { ok: false, issues: describeIssues(result.error) };
}

function showValue(value: unknown): string {
  if (value === undefined) return '(missing)';
  const shown = shownValue(value, 80);
  return typeof shown === 'string' && typeof value !== 'string' ? shown : (JSON.stringify(shown) ?? '');
}

/** One line per issue: `path: 中文 / English (got: value)`. */
export function formatIssue(issue: FieldIssue): string {
  return `${issue.path || '(root)'}: ${issue.zh} / ${issue.en} (got: ${showValue(issue.value)})`;
}

/** Adds a catalogue issue from inside `superRefine`. `path` is relative to the refined value. */
export function addIssue(
  ctx: z.core.$RefinementCtx,
  key: MessageKey,
  path: PropertyKey[],
  input: unknown,
  params: Record<string, unknown> = {},
): void {
  ctx.addIssue({ code: 'custom', message: key, path, input, params });
}
