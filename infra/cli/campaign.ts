import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type DailyCheckReport, describeRun, isUndone } from '../../functions/daily-check/daily-check.ts';
import {
  dailyCheckDeps,
  MailFailuresError,
  makeHandler as makeDailyCheckHandler,
} from '../../functions/daily-check/handler.ts';
import { createAwsClients } from '../../functions/shared/aws-clients.ts';
import { parseInstant } from '../../functions/shared/domain/calendar/calendar.ts';
import { reconcileUploads, sweptEventTime } from '../../functions/shared/domain/filing/reconcile-uploads.ts';
import { silentLogger } from '../../functions/shared/logger.ts';
import { createAdapters } from '../../functions/shared/wiring.ts';
import { makeHandler as makeUploadHandler } from '../../functions/upload-received/handler.ts';
import { JSON_SCHEMAS, renderJsonSchema } from '../../schemas/json-schema.ts';
import { type FieldIssue, formatIssue } from '../../schemas/validation.ts';
import { isMissingFile, readCampaignFile, readRosterFile, rosterPathFor } from '../campaign-files.ts';
import { ensureLinkKey } from '../local/bootstrap.ts';
import { localAwsEnvironment } from '../local/embedded-servers.ts';
import { localContext } from '../local/http-bridge.ts';
import { sweptNotification } from '../local/s3-event-bridge.ts';
import type { LocalRuntimeInfo } from '../local/system.ts';
import { loadCampaign, readLinkKey, readStackOutputs } from './load.ts';
import { type ImportTarget, importRoster } from './roster-import.ts';

/** Each command's help: printed by `campaign <command> --help`, and with a usage error (exit 2). */
const HELP = {
  validate: `  campaign validate <campaign.json> [--roster <roster.json>]
      Checks a campaign config and its roster (by default <name>.roster.json beside it).
      Prints every mistake with its path and value; exits 1 if there is any.
`,
  schemas: `  campaign schemas
      Regenerates schemas/json/*.schema.json from the zod schemas.
`,
  load: `  campaign load <campaign.json> --stack <name> [--roster <roster.json>] [--region <r>] [--links <file.csv>]
               [--withdraw-missing]
      Loads the config and roster into a deployed campaign (after \`cdk deploy\`) with
      the admin's AWS credentials, and writes every unit's form link to a CSV (mode 600,
      default <campaign>.links.csv). Run it again after editing the roster. Units loaded
      before but no longer on the roster are listed; --withdraw-missing withdraws them
      (no more reminders, not counted, link disabled; their records are kept).
`,
  check: `  campaign check --at <ISO time with offset> [--data <dir>]
      Runs the daily check for that scheduled time against the local system that
      \`npm start\` is running (default data directory: .data). Mails already sent for
      that day are not sent again.
`,
  roster: `  campaign roster import <file.xlsx|file.csv> [--prune] [--links <file.csv>]
                         [--data <dir> | --stack <name> [--region <r>]]
      Imports the units of the bureau's own spreadsheet into the campaign: columns 单位代码,
      单位名称, 单位类型, 所属辖区, 联系人, 电子邮箱, 联系电话 (or code, name, type, district,
      contact, email, phone), in any order; type and district by code or by name. xlsx, or CSV
      in UTF-8 (with or without BOM) or GB18030, as Excel, WPS and LibreOffice write them.
      Every problem is listed by row and column, and nothing is imported while any row fails.
      Units are matched by code: the same file twice changes nothing, a changed contact is one
      import. Units the file no longer lists are listed; --prune withdraws them (records kept).
      Every unit's form link is written to --links (mode 600; default <data>/links.csv, or
      <campaign>.links.csv with --stack). Locally against the system \`npm start\` runs
      (default .data), or against a deployed stack with your AWS credentials.
`,
  reconcile: `  campaign reconcile [--data <dir>] | --stack <name> [--region <r>]  [--at <ISO time>]
      Feeds every uploaded object under incoming/ that has no record yet through the
      upload-received handler, as its S3 event would have: uploads whose event was lost.
      Locally against the system \`npm start\` runs (default .data), or against a deployed
      stack with your AWS credentials. Each object arrived when S3 stored it, or at --at if
      that is earlier (locally, the campaign clock's time). A second run feeds nothing.
`,
} as const;

type Command = keyof typeof HELP;

const USAGE = `campaign: the admin's command-line tool (campaign <command> --help for one)

Usage:
${Object.values(HELP).join('')}`;

/** A command given the wrong arguments: the message (if any) and the command's help, exit 2. */
class UsageError extends Error {}

export interface Output {
  out(line: string): void;
  err(line: string): void;
}

const consoleOutput: Output = { out: (line) => console.log(line), err: (line) => console.error(line) };

function report(output: Output, file: string, issues: FieldIssue[]): void {
  output.err(`✗ ${file}: ${issues.length} 处错误 / ${issues.length} problem(s)`);
  for (const issue of issues) output.err(`  ${formatIssue(issue)}`);
}

async function validate(args: string[], output: Output): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { roster: { type: 'string' } },
  });
  const [file] = positionals;
  if (file === undefined || positionals.length > 1) {
    throw new UsageError();
  }
  const campaign = await readCampaignFile(file);
  if (!campaign.ok) {
    report(output, file, campaign.issues);
    return 1;
  }
  const { value } = campaign;
  output.out(
    `✓ ${file}: ${value.id} — ${value.deliverables.length} deliverables, ${value.hazardDrive.areas.length} hazard areas, ${value.districts.length} districts`,
  );
  const rosterFile = values.roster ?? rosterPathFor(file);
  const roster = await readRosterFile(rosterFile, value);
  if (isMissingFile(roster) && values.roster === undefined) {
    output.out(`  (no roster at ${rosterFile})`);
    return 0;
  }
  if (!roster.ok) {
    report(output, rosterFile, roster.issues);
    return 1;
  }
  output.out(`✓ ${rosterFile}: ${roster.value.units.length} units`);
  return 0;
}

/** Points the SDK and the handlers at the local system `npm start` runs, from `<data>/runtime.json`. */
async function useLocalSystem(data: string, output: Output): Promise<LocalRuntimeInfo | null> {
  const runtimePath = join(data, 'runtime.json');
  const info = await readFile(runtimePath, 'utf8').then(
    (text) => JSON.parse(text) as LocalRuntimeInfo,
    () => null,
  );
  if (!info) {
    output.err(
      `没有找到 ${runtimePath}：请先运行 npm start / no ${runtimePath}: start the local system with npm start first`,
    );
    return null;
  }
  Object.assign(process.env, localAwsEnvironment(info.endpoints), {
    TABLE_NAME: info.tableName,
    BUCKET_NAME: info.bucket,
    LINK_KEY: await ensureLinkKey(join(data, 'link-key')),
  });
  return info;
}

async function check(args: string[], output: Output): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { at: { type: 'string' }, data: { type: 'string', default: '.data' } },
  });
  const at = values.at === undefined ? null : parseInstant(values.at);
  if (!at) {
    throw new UsageError(
      `--at: 需要带时区的 ISO 时间 / expected an ISO time with offset, e.g. 2018-01-20T08:00:00+08:00, got "${values.at ?? ''}"`,
    );
  }
  const info = await useLocalSystem(values.data, output);
  if (!info) return 1;
  const adapters = await createAdapters({ logger: silentLogger }).catch((error: unknown) => {
    throw new Error(
      `cannot reach the local system at ${info.endpoints.dynamodb} (is npm start running?): ${error instanceof Error ? error.message : String(error)}`,
    );
  });
  const handler = makeDailyCheckHandler(dailyCheckDeps(adapters, info.url));
  let report: DailyCheckReport;
  try {
    report = await handler({ scheduledTime: at.toISOString() }, localContext('daily-check'));
  } catch (error) {
    if (!(error instanceof MailFailuresError)) throw error;
    report = error.report;
  }
  // A day already done, or held by a live run, is no failure: one line says so, and the exit is 0.
  output.out(describeRun(report));
  for (const mail of report.mails.filter((m) => m.outcome !== 'skipped'))
    output.out(
      `  ${mail.outcome.padEnd(7)} ${mail.purpose.padEnd(20)} ${mail.recipient}${mail.error ? `  ${mail.error}` : ''}`,
    );
  return report.mails.some(isUndone) ? 1 : 0;
}

/**
 * The sweep of `reconcileUploads`, run here with the same handler and adapters the function
 * uses: against the local system, or a deployed stack found by its outputs (standard credentials).
 */
async function reconcile(args: string[], output: Output): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      data: { type: 'string', default: '.data' },
      stack: { type: 'string' },
      region: { type: 'string' },
      at: { type: 'string' },
    },
  });
  const at = values.at === undefined ? new Date() : parseInstant(values.at);
  if (!at) {
    throw new UsageError(
      `--at: 需要带时区的 ISO 时间 / expected an ISO time with offset, e.g. 2018-01-20T08:00:00+08:00, got "${values.at}"`,
    );
  }
  let where: string;
  if (values.stack) {
    if (values.region) process.env.AWS_REGION = values.region;
    const outputs = await readStackOutputs(values.stack, values.region);
    const region = values.region ?? process.env.AWS_REGION ?? '';
    Object.assign(process.env, {
      TABLE_NAME: outputs.TableName,
      BUCKET_NAME: outputs.BucketName,
      LINK_KEY_SECRET_ARN: outputs.LinkKeySecretArn,
      ...(outputs.SmtpSecretArn ? { SMTP_SECRET_ARN: outputs.SmtpSecretArn } : {}),
      // The China regions have no SES: the stack's functions send through SMTP there too.
      ...(region.startsWith('cn-') ? { MAIL_TRANSPORT: 'smtp' } : {}),
    });
    where = values.stack;
  } else {
    const info = await useLocalSystem(values.data, output);
    if (!info) return 1;
    where = info.bucket;
  }
  const errors: string[] = [];
  const adapters = await createAdapters({
    logger: { ...silentLogger, error: (message) => errors.push(message) },
  });
  const handler = makeUploadHandler(adapters);
  const bucket = adapters.documents.bucket;
  const report = await reconcileUploads(
    { documents: adapters.documents, ledger: adapters.ledger, bucket },
    (object) =>
      handler(sweptNotification(bucket, object, sweptEventTime(object, at)), localContext('upload-received')),
  );
  output.out(
    `${where}: incoming/ 中 ${report.listed} 个文件，补处理 ${report.fed.length} 个 / ${report.listed} object(s) in incoming/, ${report.fed.length} without a record fed to upload-received`,
  );
  for (const fed of report.fed)
    output.out(`  ${fed.key}  ${fed.error ? `error: ${fed.error}` : JSON.stringify(fed.result)}`);
  return report.fed.some((f) => f.error) ? 1 : 0;
}

async function load(args: string[], output: Output): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      stack: { type: 'string' },
      roster: { type: 'string' },
      region: { type: 'string' },
      links: { type: 'string' },
      'withdraw-missing': { type: 'boolean', default: false },
    },
  });
  const [file] = positionals;
  if (file === undefined || values.stack === undefined) {
    throw new UsageError();
  }
  const campaign = await readCampaignFile(file);
  if (!campaign.ok) {
    report(output, file, campaign.issues);
    return 1;
  }
  const rosterFile = values.roster ?? rosterPathFor(file);
  const roster = await readRosterFile(rosterFile, campaign.value);
  if (!roster.ok) {
    report(output, rosterFile, roster.issues);
    return 1;
  }
  if (values.region) process.env.AWS_REGION = values.region;
  const outputs = await readStackOutputs(values.stack, values.region);
  const clients = createAwsClients();
  const linksPath = values.links ?? file.replace(/\.json$/, '.links.csv');
  const { units, missing, withdrawn, reviewersWithoutBody } = await loadCampaign({
    clients,
    outputs,
    linkKey: await readLinkKey(clients, outputs.LinkKeySecretArn),
    campaign: campaign.value,
    roster: roster.value,
    linksPath,
    now: new Date(),
    withdrawMissing: values['withdraw-missing'],
  });
  output.out(
    `✓ ${values.stack}: ${campaign.value.id} loaded, ${units} units; form links in ${linksPath} (keep it private)`,
  );
  output.out(`  ${outputs.PublicUrl ?? outputs.ApiUrl}`);
  if (missing.length > 0 && withdrawn) {
    output.out(`  已移出名单 / withdrawn, no longer on the roster: ${missing.join(', ')}`);
  } else if (missing.length > 0) {
    output.err(
      `! 名单中已没有但系统中仍有 ${missing.length} 个单位 / ${missing.length} unit(s) loaded before are not on this roster:`,
    );
    output.err(`  ${missing.join(', ')}`);
    output.err(
      '  They still get reminders and count in digests. If they left the campaign, run again with --withdraw-missing.',
    );
  }
  if (reviewersWithoutBody.length > 0) {
    output.err(
      `! 以下审核人员所属的安稳处或教育局不在名单中，未发链接 / reviewers whose office or bureau is not on the roster got no link: ${reviewersWithoutBody.join(', ')}`,
    );
  }
  return 0;
}

async function roster(args: string[], output: Output): Promise<number> {
  const [sub, ...rest] = args;
  const { positionals, values } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      prune: { type: 'boolean', default: false },
      links: { type: 'string' },
      data: { type: 'string', default: '.data' },
      stack: { type: 'string' },
      region: { type: 'string' },
    },
  });
  const [file] = positionals;
  if (sub !== 'import' || file === undefined || positionals.length > 1) {
    throw new UsageError();
  }
  let target: ImportTarget;
  let linksPath = values.links;
  if (values.stack) {
    if (values.region) process.env.AWS_REGION = values.region;
    const outputs = await readStackOutputs(values.stack, values.region);
    const clients = createAwsClients();
    target = {
      clients,
      tableName: outputs.TableName,
      linkKey: await readLinkKey(clients, outputs.LinkKeySecretArn),
      baseUrl: outputs.PublicUrl ?? outputs.ApiUrl,
    };
    linksPath ??= `${values.stack}.links.csv`;
  } else {
    const info = await useLocalSystem(values.data, output);
    if (!info) return 1;
    target = {
      clients: createAwsClients(),
      tableName: info.tableName,
      linkKey: process.env.LINK_KEY ?? '',
      baseUrl: info.url,
    };
    linksPath ??= join(values.data, 'links.csv');
  }
  const result = await importRoster(target, { file, prune: values.prune, linksPath, now: new Date() });
  if (!result.ok) {
    report(output, file, result.issues);
    output.err('  没有导入任何单位 / nothing was imported');
    return 1;
  }
  output.out(
    `✓ ${file}: ${result.roster.units.length} 个单位，新增 ${result.created.length}，更新 ${result.changed.length}，未变 ${result.unchanged.length} / ` +
      `${result.roster.units.length} units: ${result.created.length} new, ${result.changed.length} updated, ${result.unchanged.length} unchanged`,
  );
  for (const code of result.created) output.out(`  + ${code}`);
  for (const code of result.changed) output.out(`  ~ ${code}`);
  output.out(`  填报链接 / form links: ${result.linksPath} (keep it private)`);
  if (result.missing.length > 0 && result.withdrawn)
    output.out(`  已移出名单（记录保留）/ withdrawn, records kept: ${result.missing.join(', ')}`);
  else if (result.missing.length > 0) {
    output.err(
      `! 文件中没有、系统中仍有 ${result.missing.length} 个单位 / ${result.missing.length} unit(s) in the campaign are not in this file: ${result.missing.join(', ')}`,
    );
    output.err(
      '  They stay in the campaign. If they left it, import again with --prune (their records are kept).',
    );
  }
  return 0;
}

async function writeSchemas(output: Output): Promise<number> {
  const dir = join(dirname(fileURLToPath(import.meta.url)), '../../schemas/json');
  for (const name of Object.keys(JSON_SCHEMAS) as (keyof typeof JSON_SCHEMAS)[]) {
    await writeFile(join(dir, name), renderJsonSchema(name));
    output.out(`wrote schemas/json/${name}`);
  }
  return 0;
}

export async function main(argv: string[], output: Output = consoleOutput): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== undefined && command in HELP && (rest.includes('--help') || rest.includes('-h'))) {
    output.out(HELP[command as Command]);
    return 0;
  }
  try {
    switch (command) {
      case 'validate':
        return await validate(rest, output);
      case 'schemas':
        return await writeSchemas(output);
      case 'check':
        return await check(rest, output);
      case 'load':
        return await load(rest, output);
      case 'reconcile':
        return await reconcile(rest, output);
      case 'roster':
        return await roster(rest, output);
      default:
        output.err(USAGE);
        return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
    }
  } catch (error) {
    if (error instanceof UsageError || isParseArgsError(error)) {
      if (error instanceof Error && error.message) output.err(`campaign ${command}: ${error.message}`);
      output.err(HELP[command as Command]);
      return 2;
    }
    output.err(`campaign ${command}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

/** `parseArgs`'s refusal of an unknown option or a missing value. */
function isParseArgsError(error: unknown): boolean {
  return String((error as { code?: unknown })?.code ?? '').startsWith('ERR_PARSE_ARGS');
}
