import { type FieldIssue, MESSAGES, type ParseResult } from './validation.ts';

/**
 * JSON text as people and browsers send it. Nesting is bounded before `JSON.parse` runs: V8
 * parses 100,000 levels of `[` happily, but every recursive walk after it (zod, `JSON.stringify`
 * of an echoed value) overflows the stack. No config or request of this project nests past a
 * dozen levels, so 64 refuses only hostile or broken input.
 */
export const MAX_JSON_DEPTH = 64;

/** Whether `text` opens more than `max` arrays or objects at once (strings skipped). */
export function jsonNestingExceeds(text: string, max: number = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/**
 * Parses JSON text; a leading UTF-8 byte-order mark (Windows Notepad writes one) is dropped, and
 * a syntax error or nesting past `MAX_JSON_DEPTH` becomes a `FieldIssue`, never an exception.
 */
export function parseJsonText(source: string): ParseResult<unknown> {
  const text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  const fail = (issue: FieldIssue): ParseResult<unknown> => ({ ok: false, issues: [issue] });
  if (jsonNestingExceeds(text)) {
    return fail({
      path: '',
      value: undefined,
      code: 'json-depth',
      ...MESSAGES['json-depth']({ max: MAX_JSON_DEPTH }),
    });
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return fail({ path: '', value: undefined, code: 'json-syntax', ...MESSAGES['json-syntax']({ detail }) });
  }
}

/**
 * C0 and C1 control characters and DEL, except tab, line feed and carriage return (a textarea's
 * line breaks). A NUL in a stored name or description breaks every export and mail it reaches.
 */
const isControl = (code: number) =>
  (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || (code >= 0x7f && code <= 0x9f);

/** The first control character in `text`, as `U+0000` and its position, or null. */
export function controlCharacterIn(text: string): { char: string; index: number } | null {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (isControl(code)) return { char: `U+${code.toString(16).toUpperCase().padStart(4, '0')}`, index };
  }
  return null;
}

/** Issues for every string (and object key) holding a control character, with its path. */
export function controlCharacterIssues(value: unknown, path = ''): FieldIssue[] {
  const issue = (at: string, text: string, found: { char: string; index: number }): FieldIssue => ({
    path: at,
    value: text,
    code: 'control-character',
    ...MESSAGES['control-character'](found),
  });
  if (typeof value === 'string') {
    const found = controlCharacterIn(value);
    return found ? [issue(path, value, found)] : [];
  }
  if (Array.isArray(value)) return value.flatMap((item, i) => controlCharacterIssues(item, `${path}[${i}]`));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => {
      const at = path === '' ? key : `${path}.${key}`;
      const found = controlCharacterIn(key);
      return [...(found ? [issue(at, key, found)] : []), ...controlCharacterIssues(item, at)];
    });
  }
  return [];
}
