// `npm start`: the whole system on this machine, with the demo campaign, on a simulated clock.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatLocal, parseInstant } from '../../functions/shared/domain/calendar/calendar.ts';
import { type Clock, simulatedClock, systemClock } from '../../functions/shared/domain/calendar/clock.ts';
import { formatIssue } from '../../schemas/validation.ts';
import { readCampaignFile, readRosterFile, rosterPathFor } from '../campaign-files.ts';
import { JavaMissingError } from './embedded-servers.ts';
import { type LocalSystem, startLocalSystem } from './system.ts';

const DEFAULT_CLOCK = '2018-01-10T08:00:00+08:00';

const { values } = parseArgs({
  options: {
    campaign: { type: 'string', default: 'campaigns/2018-changzhou.json' },
    roster: { type: 'string' },
    clock: { type: 'string', default: DEFAULT_CLOCK },
    speed: { type: 'string', default: '1' },
    port: { type: 'string', default: process.env.PORT ?? '3000' },
    data: { type: 'string', default: '.data' },
    'withdraw-missing': { type: 'boolean', default: false },
    /** Seconds Ctrl-C lets a running daily check finish before stopping it between two mails. */
    grace: { type: 'string', default: '20' },
  },
});

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

function clockFrom(option: string, speedOption: string): Clock {
  const speed = Number(speedOption);
  if (!Number.isFinite(speed) || speed < 1 || speed > 86_400)
    fail(`--speed: 需要 1 到 86400 之间的数 / expected a number from 1 to 86400, got "${speedOption}"`);
  if (option === 'real') {
    if (speed !== 1) fail('--speed: 真实时钟不能加速 / the real clock cannot run faster');
    return systemClock;
  }
  const start = parseInstant(option);
  if (!start)
    fail(
      `--clock: 需要 real 或带时区的 ISO 时间 / expected "real" or an ISO time with offset, got "${option}"`,
    );
  return simulatedClock(start, Date.now, speed);
}

const campaign = await readCampaignFile(values.campaign);
if (!campaign.ok) fail(campaign.issues.map(formatIssue).join('\n'));
const rosterPath = values.roster ?? rosterPathFor(values.campaign);
const roster = await readRosterFile(rosterPath, campaign.value);
if (!roster.ok) fail(roster.issues.map(formatIssue).join('\n'));

const clock = clockFrom(values.clock, values.speed);
const graceSeconds = Number(values.grace);
if (!Number.isFinite(graceSeconds) || graceSeconds < 0 || graceSeconds > 600)
  fail(`--grace: 需要 0 到 600 之间的秒数 / expected seconds from 0 to 600, got "${values.grace}"`);
const port = Number(values.port);

// Signals are handled from the start: a stop during the few seconds of startup must still take
// DynamoDB Local's Java process down with us.
let system: LocalSystem | undefined;
let stopping = false;
function shutdown(): void {
  if (stopping && !system) return;
  if (stopping) process.exit(130);
  stopping = true;
  if (!system) return; // startup finishes, then sees `stopping`
  console.log(
    `\n正在停止：等待当前检查完成（最多 ${graceSeconds} 秒），再按 Ctrl-C 强制退出 / stopping: letting the running check finish (up to ${graceSeconds} s); Ctrl-C again forces exit`,
  );
  system.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);

const running = await startLocalSystem({
  campaign: campaign.value,
  roster: roster.value,
  dataDir: resolve(values.data),
  clock,
  httpPort: port,
  withdrawMissing: values['withdraw-missing'],
  shutdownGraceMs: graceSeconds * 1000,
  onFatal: (message) => {
    console.error(message);
    if (!system) process.exit(1);
    stopping = true;
    system.stop().finally(() => process.exit(1));
  },
}).catch((error: unknown) => {
  if (error instanceof JavaMissingError) fail(error.message);
  if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE')
    fail(`port ${port} is in use: try npm start -- --port 3001`);
  throw error;
});
system = running;
if (stopping) {
  stopping = false;
  shutdown();
}

const units = roster.value.units;
const examples = [
  units.find((u) => u.type === 'district-bureau'),
  ...units.filter((u) => u.type === 'school').slice(0, 3),
  units.find((u) => u.type === 'affiliated-unit'),
].filter((u) => u !== undefined);

const zone = campaign.value.timeZone;
const office = units.find((u) => u.type === 'city-office');
const officeWorkspace = [
  ...(office
    ? [
        `    ${office.code.padEnd(7)} ${running.url}/f/${running.links[office.code]}/workspace  ${office.name}`,
      ]
    : []),
  ...campaign.value.reviewers.map(
    (r) => `    ${r.id.padEnd(7)} ${running.url}/r/${running.reviewerLinks[r.id]}  ${r.name}`,
  ),
].join('\n');
console.log(`
${campaign.value.name.zh}
${campaign.value.name.en} — local mode

  Campaign clock  ${formatLocal(clock.now(), zone)} ${zone}${clock === systemClock ? ' (real)' : ` (simulated${values.speed === '1' ? '' : `, ${values.speed}× real time`}; --clock real | <ISO time>, --speed <n>)`}
  Daily check     ${campaign.value.reminders.dailyCheckTime} ${zone} on the campaign clock: reminders and digests go to the mail viewer
                  (run one by hand: npx campaign check --at 2018-01-20T08:00:00+08:00)
  Landing page    ${running.url}/
  Form links (one per unit; all in ${resolve(values.data, 'links.json')}):
${examples.map((u) => `    ${u.code.padEnd(7)} ${running.url}/f/${running.links[u.code]}  ${u.name}`).join('\n')}
  Workspace       the safety office's dashboard (its own link opens it; reviewers' links in ${resolve(values.data, 'reviewer-links.json')}):
${officeWorkspace}
  Mail viewer     ${running.mailViewerUrl}/
  Data            ${resolve(values.data)} (kept between runs)

Press Ctrl-C to stop.`);
const { missing, withdrawn, reviewersWithoutBody } = running.roster;
if (reviewersWithoutBody.length > 0)
  console.log(
    `\n  审核人员所属单位不在名单中，未发链接 / Reviewers without their office or bureau on the roster: ${reviewersWithoutBody.join(', ')}`,
  );
if (missing.length > 0)
  console.log(
    withdrawn
      ? `\n  已移出名单 / Withdrawn (not on the roster): ${missing.join(', ')}`
      : `\n  名单中已没有但数据中仍有的单位 / In the data but not on the roster: ${missing.join(', ')}\n  They still get reminders and count in digests; restart with --withdraw-missing to withdraw them.`,
  );
