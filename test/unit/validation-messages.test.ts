import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type FieldIssue, parseWith } from '../../schemas/validation.ts';

/** zod's own issue codes, each turned into a Chinese and an English message naming the limit. */
function only(schema: z.ZodType, input: unknown): FieldIssue {
  const result = parseWith(schema, input);
  if (result.ok || result.issues.length !== 1)
    throw new Error(`expected exactly one issue for ${JSON.stringify(input)}`);
  return result.issues[0] as FieldIssue;
}

const message = (issue: FieldIssue) => `${issue.zh} / ${issue.en}`;

describe('built-in validation messages', () => {
  it.each([
    ['a missing field', z.object({ a: z.string() }), {}, '必填 / is required'],
    ['a missing choice', z.object({ a: z.enum(['x', 'y']) }), {}, '必填 / is required'],
    ['a wrong type', z.string(), 5, '应为文本 / must be of type string'],
    ['a fraction for an integer', z.number().int(), 1.5, '应为整数 / must be an integer'],
    ['an empty string', z.string().min(1), '', '不能为空 / must not be empty'],
    ['a short string', z.string().min(3), 'ab', '至少 3 个字符 / needs at least 3 characters'],
    ['a long string', z.string().max(3), 'abcd', '最多 3 个字符 / holds at most 3 characters'],
    ['a short list', z.array(z.number()).min(2), [1], '至少需要 2 项 / needs at least 2 item(s)'],
    ['a long list', z.array(z.number()).max(1), [1, 2], '最多 1 项 / holds at most 1 item(s)'],
    ['a small number', z.number().min(1), 0, '不能小于 1 / must be at least 1'],
    ['a large number', z.number().max(9), 10, '不能大于 9 / must be at most 9'],
    ['a bad e-mail', z.email(), 'x@', '不是有效的电子邮件地址 / is not a valid e-mail address'],
    ['another bad format', z.url(), 'not a url', '格式不正确（url） / has the wrong format (url)'],
    ['a value off the list', z.enum(['a', 'b']), 'c', '只能是以下之一：a、b / must be one of: a, b'],
    ['an unknown field', z.strictObject({}), { x: 1 }, '不认识的字段：x / unknown field(s): x'],
    [
      'no shape of a union',
      z.union([z.string(), z.number()]),
      true,
      '不符合任何允许的形式 / matches none of the accepted shapes',
    ],
    [
      'an unknown discriminator',
      z.discriminatedUnion('kind', [z.object({ kind: z.literal('a') }), z.object({ kind: z.literal('b') })]),
      { kind: 'c' },
      'kind 的值不被接受 / the value of kind is not accepted',
    ],
  ] as const)('%s', (_name, schema, input, expected) => {
    expect(message(only(schema as z.ZodType, input))).toBe(expected);
  });

  it('falls back to a generic message that still carries zod’s own for codes it does not know', () => {
    const issue = only(z.number().multipleOf(5), 7);
    expect(issue.zh).toBe('无效');
    expect(issue.en).toMatch(/^is invalid \(.+\)$/);
    expect(issue.value).toBe(7);
  });
});
