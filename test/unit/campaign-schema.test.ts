import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { formBody } from '../../functions/http/request-body.ts';
import type { ValidationError } from '../../functions/shared/domain/errors.ts';
import { main } from '../../infra/cli/campaign.ts';
import { CampaignSchema, mailTransport } from '../../schemas/campaign.ts';
import { JSON_SCHEMAS, renderJsonSchema } from '../../schemas/json-schema.ts';
import { rosterForCampaign } from '../../schemas/roster.ts';
import {
  type FieldIssue,
  formatIssue,
  HAZARD_MESSAGE_KEYS,
  MESSAGES,
  parseWith,
} from '../../schemas/validation.ts';
import { campaignJson, demoCampaign, rosterJson } from '../support/fixtures.ts';

// biome-ignore lint/suspicious/noExplicitAny: these tests break raw JSON copies at arbitrary paths
type Json = Record<string, any>;

const covered = new Set<string>();

function issuesOf(mutate: (c: Json) => void): FieldIssue[] {
  const config = campaignJson() as Json;
  mutate(config);
  const result = parseWith(CampaignSchema, config);
  if (result.ok) throw new Error('expected the config to be refused');
  for (const issue of result.issues) covered.add(issue.code);
  return result.issues;
}

function rosterIssuesOf(mutate: (r: Json) => void): FieldIssue[] {
  const roster = rosterJson() as Json;
  mutate(roster);
  const result = parseWith(rosterForCampaign(demoCampaign()), roster);
  if (result.ok) throw new Error('expected the roster to be refused');
  for (const issue of result.issues) covered.add(issue.code);
  return result.issues;
}

describe('the 2018 campaign config', () => {
  it('names an alarm topic only by a real SNS topic ARN, in either partition', () => {
    const [issue] = issuesOf((c) => {
      c.alarms = { topicArn: 'arn:aws:s3:::not-a-topic' };
    });
    expect(issue).toMatchObject({ path: 'alarms.topicArn', value: 'arn:aws:s3:::not-a-topic' });
    expect(issue?.zh).toContain('SNS 主题的 ARN');
    const china = {
      ...campaignJson(),
      alarms: { topicArn: 'arn:aws-cn:sns:cn-north-1:123456789012:campaign-alarms' },
    };
    expect(parseWith(CampaignSchema, china).ok).toBe(true);
  });

  it('is valid and holds the seed', () => {
    const campaign = demoCampaign();
    expect(campaign.timeZone).toBe('Asia/Shanghai');
    expect(campaign.deliverables.map((d) => [d.id, d.dueDate])).toEqual([
      ['implementation-plan', '2018-01-19'],
      ['work-summary', '2018-03-31'],
    ]);
    expect(campaign.hazardDrive.closesOn).toBe('2018-03-31');
    expect(campaign.hazardDrive.areas).toHaveLength(9);
    expect(campaign.hazardDrive.levels.map((l) => l.id)).toEqual(['general', 'major']);
    expect(campaign.districts.map((d) => d.name.zh)).toEqual([
      '溧阳市',
      '金坛区',
      '武进区',
      '新北区',
      '天宁区',
      '钟楼区',
      '经开区',
    ]);
    expect(campaign.reminders).toEqual({
      daysBefore: [7, 3, 1, 0],
      overdueEveryDays: 2,
      dailyCheckTime: '08:00',
    });
    expect(campaign.uploads.maxBytes).toBe(20 * 1024 * 1024);
  });

  it('has a demo roster of the seven bureaus, affiliated units and about 40 fictional schools', () => {
    const roster = rosterForCampaign(demoCampaign()).parse(rosterJson());
    const byType = (type: string) => roster.units.filter((u) => u.type === type);
    expect(byType('district-bureau')).toHaveLength(7);
    expect(byType('affiliated-unit').length).toBeGreaterThanOrEqual(3);
    expect(byType('school').length).toBeGreaterThanOrEqual(38);
    expect(new Set(byType('school').map((u) => u.district)).size).toBe(7);
    for (const unit of roster.units) {
      expect(unit.email).toMatch(/\.example$/);
      expect(unit.name).toContain('示例');
    }
  });
});

describe('campaign config errors name the field and the value', () => {
  it('a summary due before the plan', () => {
    const [issue] = issuesOf((c) => {
      c.deliverables[1].dueDate = '2018-01-15';
    });
    expect(issue).toMatchObject({
      path: 'deliverables[1].dueDate',
      value: '2018-01-15',
      code: 'deliverable-order',
    });
    expect(issue?.zh).toContain('专项行动实施方案');
    expect(issue?.en).toContain('2018-01-19');
  });

  it('a deliverable due before the campaign opens', () => {
    const [issue] = issuesOf((c) => {
      c.deliverables[0].dueDate = '2017-12-31';
    });
    expect(issue).toMatchObject({
      path: 'deliverables[0].dueDate',
      code: 'date-before',
      value: '2017-12-31',
    });
  });

  it('a drive that closes before it opens, and a hard close before the last due date', () => {
    const issues = issuesOf((c) => {
      c.hazardDrive.closesOn = '2018-01-01';
      c.uploads.hardCloseOn = '2018-03-30';
    });
    expect(issues.map((i) => [i.path, i.code])).toEqual([
      ['hazardDrive.closesOn', 'date-before'],
      ['uploads.hardCloseOn', 'date-before'],
    ]);
    expect(issues[1]?.en).toContain('2018-03-31');
  });

  it('a bad e-mail', () => {
    const [issue] = issuesOf((c) => {
      c.safetyOffice.recipients[1].email = 'office-head(at)czedu';
    });
    expect(issue).toMatchObject({ path: 'safetyOffice.recipients[1].email', value: 'office-head(at)czedu' });
    expect(issue?.zh).toBe('不是有效的电子邮件地址');
  });

  it('an unknown time zone', () => {
    const [issue] = issuesOf((c) => {
      c.timeZone = 'Asia/Beijing';
    });
    expect(issue).toMatchObject({ path: 'timeZone', value: 'Asia/Beijing', code: 'time-zone' });
  });

  it('an unknown hazard area', () => {
    const [issue] = issuesOf((c) => {
      c.hazardDrive.areas[2].id = 'volcanoes';
    });
    expect(issue).toMatchObject({
      path: 'hazardDrive.areas[2].id',
      value: 'volcanoes',
      code: 'invalid_value',
    });
    expect(issue?.en).toContain('hazardous-chemicals');
  });

  it('an impossible date and a bad time of day', () => {
    const issues = issuesOf((c) => {
      c.opensOn = '2018-02-30';
      c.reminders.dailyCheckTime = '8:00';
    });
    expect(issues.map((i) => [i.path, i.code, i.value])).toEqual([
      ['opensOn', 'local-date', '2018-02-30'],
      ['reminders.dailyCheckTime', 'local-time', '8:00'],
    ]);
  });

  it('duplicates: areas, levels, districts, recipients, offsets and file types', () => {
    const issues = issuesOf((c) => {
      c.hazardDrive.areas[1].id = 'construction';
      c.hazardDrive.levels[1].id = 'general';
      c.districts[1].code = 'liyang';
      c.safetyOffice.recipients[1].email = 'SAFETY-OFFICE@czedu.example';
      c.reminders.daysBefore = [3, 3];
      c.uploads.acceptedTypes = ['pdf', 'pdf'];
      c.deliverables[1].id = 'implementation-plan';
    });
    expect(issues.map((i) => `${i.path} ${i.code}`)).toEqual([
      'deliverables[1].id duplicate',
      'hazardDrive.areas[1].id duplicate',
      'hazardDrive.levels hazard-levels',
      'districts[1].code duplicate',
      'safetyOffice.recipients[1].email duplicate',
      'reminders.daysBefore[1] duplicate',
      'uploads.acceptedTypes[1] duplicate',
    ]);
    expect(issues[1]?.en).toContain('hazardDrive.areas[0].id');
  });

  it('reviewers: a known scope, a unique id, none by default', () => {
    const issues = issuesOf((c) => {
      c.reviewers[1].scope = 'nowhere';
      c.reviewers.push({ ...c.reviewers[0] });
    });
    expect(issues.map((i) => `${i.path} ${i.code}`)).toEqual([
      'reviewers[2].id duplicate',
      'reviewers[1].scope unknown-district',
    ]);
    expect(issues[1]?.zh).toContain('“nowhere”');
    expect(issues[1]?.en).toContain('known: city, liyang');
    const without = campaignJson() as Json;
    delete without.reviewers;
    const parsed = parseWith(CampaignSchema, without);
    expect(parsed.ok && parsed.value.reviewers).toEqual([]);
  });

  it('reports every mistake in one pass, cross-field rules included', () => {
    const issues = issuesOf((c) => {
      c.timeZone = 'Mars/Olympus';
      c.deliverables[1].dueDate = '2018-01-02';
      c.mail.from = 'nobody';
      c.surprise = true;
    });
    expect(issues.map((i) => i.path).sort()).toEqual([
      '',
      'deliverables[1].dueDate',
      'mail.from',
      'timeZone',
    ]);
    expect(issues.find((i) => i.path === '')).toMatchObject({
      code: 'unrecognized_keys',
      value: ['surprise'],
    });
  });

  it('type, range, slug and transport mistakes', () => {
    const issues = issuesOf((c) => {
      c.id = 'Changzhou 2018';
      c.name.zh = '';
      c.reminders.overdueEveryDays = 0;
      c.reminders.daysBefore = 'weekly';
      c.uploads.maxBytes = 1024 * 1024 * 1024;
      c.uploads.acceptedTypes = [];
      c.mail.transport = 'carrier-pigeon';
      delete c.organiser;
    });
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i]));
    expect(byPath.id?.code).toBe('slug');
    expect(byPath['name.zh']?.zh).toBe('不能为空');
    expect(byPath['reminders.overdueEveryDays']?.en).toBe('must be at least 1');
    expect(byPath['reminders.daysBefore']?.en).toBe('must be of type array');
    expect(byPath['uploads.maxBytes']?.en).toBe(`must be at most ${100 * 1024 * 1024}`);
    expect(byPath['uploads.acceptedTypes']?.en).toBe('needs at least 1 item(s)');
    expect(byPath['mail.transport']?.code).toBe('invalid_union');
    expect(byPath.organiser).toMatchObject({ zh: '必填', en: 'is required', value: undefined });
  });

  it('formats an issue on one line, Chinese first', () => {
    const [issue] = issuesOf((c) => {
      c.timeZone = 'Asia/Beijing';
    });
    expect(formatIssue(issue as FieldIssue)).toBe(
      'timeZone: 不是已知的 IANA 时区（例如 Asia/Shanghai） / is not a known IANA time zone (e.g. Asia/Shanghai) (got: "Asia/Beijing")',
    );
  });
});

describe('roster errors', () => {
  it('a bad unit code, e-mail and phone', () => {
    const issues = rosterIssuesOf((r) => {
      r.units[1].code = 'ly 101';
      r.units[1].email = 'x@';
      r.units[1].phone = 'call me';
    });
    expect(issues.map((i) => [i.path, i.code])).toEqual([
      ['units[1].code', 'unit-code'],
      ['units[1].email', 'invalid_format'],
      ['units[1].phone', 'phone'],
    ]);
  });

  it('districts: required for schools, forbidden for affiliated units, known to the config', () => {
    const issues = rosterIssuesOf((r) => {
      r.units[1].district = null;
      r.units.at(-1).district = 'liyang';
      r.units[2].district = 'suzhou';
    });
    expect(issues.map((i) => [i.path, i.code])).toEqual([
      ['units[1].district', 'district-required'],
      [`units[${(rosterJson().units as unknown[]).length - 1}].district`, 'district-forbidden'],
      ['units[2].district', 'unknown-district'],
    ]);
    expect(issues[0]?.zh).toBe('学校必须填写所属辖市区');
  });

  it('duplicate unit codes, a district without its bureau, and another campaign', () => {
    const issues = rosterIssuesOf((r) => {
      r.units[3].email = 'broken';
      r.campaign = '2019-changzhou';
      r.units[2].code = r.units[1].code;
      r.units = r.units.filter((u: Json) => u.code !== 'JT-000');
    });
    expect(issues.map((i) => i.code).sort()).toEqual([
      'district-without-bureau',
      'duplicate',
      'invalid_format',
      'roster-campaign',
    ]);
    expect(issues.find((i) => i.code === 'district-without-bureau')?.value).toBe('jintan');
  });
});

describe('campaign validate (CLI)', () => {
  const dir = tmpdir();
  const files: string[] = [];
  afterAll(async () => {
    const { rm } = await import('node:fs/promises');
    await Promise.all(files.map((f) => rm(f, { force: true })));
  });

  async function run(args: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  it('passes the 2018 campaign and its roster', async () => {
    const result = await run(['validate', 'campaigns/2018-changzhou.json']);
    expect(result.code).toBe(0);
    expect(result.out).toContain('53 units');
  });

  it('fails a broken copy, naming each field', async () => {
    const file = join(dir, `broken-${process.pid}.json`);
    files.push(file);
    const config = campaignJson() as Json;
    config.deliverables[1].dueDate = '2018-01-05';
    config.safetyOffice.recipients[0].email = 'not-an-email';
    await writeFile(file, JSON.stringify(config));
    const result = await run(['validate', file, '--roster', 'campaigns/2018-changzhou.roster.json']);
    expect(result.code).toBe(1);
    expect(result.err).toContain('2 处错误 / 2 problem(s)');
    expect(result.err).toContain('deliverables[1].dueDate: 日期 2018-01-05 早于');
    expect(result.err).toContain('safetyOffice.recipients[0].email: 不是有效的电子邮件地址');
    expect(result.err).toContain('(got: "not-an-email")');
  });

  it('reports a JSON syntax error and a missing roster file given explicitly', async () => {
    const file = join(dir, `syntax-${process.pid}.json`);
    files.push(file);
    await writeFile(file, '{ "id": ');
    const syntax = await run(['validate', file]);
    expect(syntax.code).toBe(1);
    expect(syntax.err).toContain('不是有效的 JSON');
    covered.add('json-syntax');
    const missing = await run([
      'validate',
      'campaigns/2018-changzhou.json',
      '--roster',
      join(dir, 'none.json'),
    ]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('找不到文件');
    expect(missing.err).toContain('file not found');
    covered.add('file-missing');
  });

  it('accepts a byte-order mark; refuses JSON nested too deep without overflowing the stack', async () => {
    const bom = join(dir, `bom-${process.pid}.json`);
    const deep = join(dir, `deep-${process.pid}.json`);
    files.push(bom, deep);
    await writeFile(bom, `\ufeff${JSON.stringify(campaignJson())}`);
    await writeFile(deep, '['.repeat(200_000));
    const accepted = await run(['validate', bom, '--roster', 'campaigns/2018-changzhou.roster.json']);
    expect(accepted.code).toBe(0);
    const refused = await run(['validate', deep]);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('JSON 嵌套超过 64 层');
    expect(refused.err).toContain('JSON is nested deeper than 64 levels');
    covered.add('json-depth');
  });

  it('request decoding names the field with a control character or malformed percent-encoding', () => {
    const event = (body: string) => ({ body, isBase64Encoded: false }) as unknown as APIGatewayProxyEventV2;
    const refusal = (body: string) => {
      try {
        formBody(event(body));
      } catch (error) {
        return (error as ValidationError).issues[0];
      }
      return undefined;
    };
    expect(refusal('title=a%00b')).toMatchObject({ path: 'title', code: 'control-character' });
    expect(refusal('note=%zz')).toMatchObject({ path: 'note', code: 'percent-encoding' });
    expect(refusal('title=ok&note=fine%0D%0Aline')).toBeUndefined();
    covered.add('control-character');
    covered.add('percent-encoding');
  });

  it('prints usage for an unknown command', async () => {
    const result = await run(['frobnicate']);
    expect(result.code).toBe(2);
    expect(result.err).toContain('campaign validate <campaign.json>');
  });

  it("prints a command's own help for --help (exit 0) and with a usage error (exit 2)", async () => {
    const help = await run(['check', '--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('campaign check --at <ISO time with offset>');
    expect(help.out).not.toContain('campaign validate');
    for (const [args, shown] of [
      [['check', '--bogus'], 'campaign check --at'],
      [['check', '--at', 'tomorrow'], 'campaign check --at'],
      [['load'], 'campaign load <campaign.json> --stack'],
      [['roster', 'import', '--prune'], 'campaign roster import'],
      [['reconcile', '--at'], 'campaign reconcile'],
    ] as const) {
      const result = await run([...args]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.err).toContain(shown);
      expect(result.err).not.toContain('campaign schemas\n');
    }
    expect((await run(['check', '--at', 'tomorrow'])).err).toContain('expected an ISO time with offset');
  });
});

describe('generated JSON Schemas', () => {
  it('are up to date with the zod schemas (run `npm run schemas`)', async () => {
    for (const name of Object.keys(JSON_SCHEMAS) as (keyof typeof JSON_SCHEMAS)[]) {
      const committed = await readFile(new URL(`../../schemas/json/${name}`, import.meta.url), 'utf8');
      expect(committed, name).toBe(renderJsonSchema(name));
    }
  });

  it('describe the fields editors need', () => {
    const schema = JSON_SCHEMAS['campaign.schema.json']() as Json;
    expect(schema.required).toContain('deliverables');
    expect(schema.properties.hazardDrive.properties.areas.items.properties.id.enum).toHaveLength(9);
    expect(schema.additionalProperties).toBe(false);
  });
});

describe('message catalogue', () => {
  it('every bilingual message of the config and roster is exercised by a test above', () => {
    const own = Object.keys(MESSAGES).filter(
      (key) => !(HAZARD_MESSAGE_KEYS as readonly string[]).includes(key),
    );
    expect(own.filter((key) => !covered.has(key))).toEqual([]);
  });
});

describe('the mail transport a deployment uses', () => {
  const ses = demoCampaign().mail;

  it('is SES where SES is offered, and the relay named for the China regions where it is not', () => {
    expect(mailTransport(ses, true)).toEqual({ kind: 'ses' });
    expect(mailTransport(ses, false)).toEqual({
      kind: 'smtp',
      host: 'smtp.czedu.example',
      port: 465,
      secure: true,
    });
    const { smtp: _relay, ...sesOnly } = ses as Extract<typeof ses, { transport: 'ses' }>;
    expect(mailTransport(sesOnly, false)).toBeNull();
  });

  it('is the configured SMTP relay everywhere when the config says smtp', () => {
    const smtp = {
      transport: 'smtp' as const,
      from: 'a@czedu.example',
      host: 'mail.czedu.example',
      port: 587,
      secure: false,
    };
    expect(mailTransport(smtp, true)).toEqual({
      kind: 'smtp',
      host: 'mail.czedu.example',
      port: 587,
      secure: false,
    });
  });
});
