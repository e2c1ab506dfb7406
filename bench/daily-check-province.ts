import MailComposer from 'nodemailer/lib/mail-composer';
import { ATTACHMENT_LIMIT_BYTES } from '../functions/daily-check/daily-check.ts';
import { fileSpool } from '../functions/shared/adapters/fs/ledger-spool.ts';
import { digestWorkbookFile } from '../functions/shared/adapters/xlsx/digest-workbook.ts';
import { XLSX_CONTENT_TYPE } from '../functions/shared/domain/filing/file-types.ts';
import { buildDigest } from '../functions/shared/domain/report/digest.ts';
import { passHazards } from '../functions/shared/domain/report/hazard-pass.ts';
import { campaignInstant } from '../functions/shared/domain/report/instant.ts';
import type { CampaignRecords } from '../functions/shared/domain/report/model.ts';
import { campaignSnapshot } from '../functions/shared/domain/report/snapshot.ts';
import { digestEmailParts } from '../functions/shared/mail/digest-mail.ts';
import {
  HazardRecordSchema,
  SubmissionPointerSchema,
  UnitRecordSchema,
  ZeroReportSchema,
} from '../schemas/records.ts';
import { demoCampaign } from '../test/support/fixtures.ts';
import { collectGarbage, generate, startProfiler } from './support/generated-campaign.ts';

const UNITS = Number(process.env.UNITS ?? 20_000);
const HAZARDS = Number(process.env.HAZARDS ?? 400_000);
const AT = new Date(process.env.AT ?? '2018-03-20T08:00:00+08:00');
const TARGET_MS = 60_000;
const TARGET_RSS_MIB = 512;

const mib = (bytes: number) => bytes / 1024 / 1024;
const campaign = demoCampaign();
const generatedAt = performance.now();
const generated = generate(campaign, UNITS, HAZARDS, AT, null);
const records: CampaignRecords = {
  units: generated.units,
  pointers: generated.pointers,
  zeroReports: generated.zeroReports,
  bounces: [],
  sanctions: [],
};
const generateMs = performance.now() - generatedAt;
// The records must be what the repositories would return: check a sample against the schemas.
let index = 0;
const generateHazardsAt = performance.now();
for (const h of generated.hazards()) {
  if (index % Math.max(1, Math.floor(HAZARDS / 2000)) === 0) HazardRecordSchema.parse(h);
  index += 1;
}
// How long making the hazards alone takes: the pass below makes them as it reads them.
const hazardsMadeMs = performance.now() - generateHazardsAt;
for (const u of records.units.slice(0, 2000)) UnitRecordSchema.parse(u);
for (const p of records.pointers.slice(0, 2000)) SubmissionPointerSchema.parse(p);
for (const z of records.zeroReports) ZeroReportSchema.parse(z);

collectGarbage();
const before = process.memoryUsage();
let peak = before.rss;
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 50);
// RETAINED=1 collects garbage after each stage (outside its time) to show what each one keeps.
const retained = process.env.RETAINED === '1';
const stages: { stage: string; ms: number; memory: NodeJS.MemoryUsage }[] = [];
const stage = async <T>(name: string, work: () => T | Promise<T>): Promise<T> => {
  const from = performance.now();
  const result = await work();
  const ms = performance.now() - from;
  peak = Math.max(peak, process.memoryUsage().rss);
  if (retained) collectGarbage();
  const memory = process.memoryUsage();
  stages.push({ stage: name, ms, memory });
  return result;
};

const profiler = await startProfiler();
const spool = await fileSpool();
const pass = await stage('passHazards (making them included)', () =>
  passHazards(campaign, records.units, generated.hazards(), campaignInstant(campaign, AT), spool),
);
const snapshot = await stage('campaignSnapshot', () =>
  campaignSnapshot(campaign, records, pass, campaignInstant(campaign, AT)),
);
const digest = await stage('buildDigest (office)', () => buildDigest(snapshot, { kind: 'office' }));
const xlsx = await stage('digestWorkbookFile (ledger from the spool)', () =>
  digestWorkbookFile(campaign, digest, spool.rows('office')),
);
const name = `${digest.scopeName.zh}-每日汇总-${digest.day}.xlsx`;
const linked = xlsx.size > ATTACHMENT_LIMIT_BYTES;
const parts = await stage('digestEmailParts (HTML + text)', () =>
  digestEmailParts(campaign, digest, {
    attachmentName: name,
    ...(linked ? { downloadUrl: 'https://s3.example/digests/presigned-link-to-the-xlsx' } : {}),
  }),
);
const message = {
  from: campaign.mail.from,
  to: campaign.safetyOffice.recipients.map((r) => r.email),
  ...(campaign.mail.replyTo ? { replyTo: campaign.mail.replyTo } : {}),
  ...parts,
};
// Read only where the MIME attaches it: as sent, a workbook over the limit is streamed to S3.
const xlsxPart = async () => ({
  filename: name,
  content: Buffer.from(await xlsx.bytes()),
  contentType: XLSX_CONTENT_TYPE,
});
// The MIME as the daily check sends it: the xlsx attached up to 10 MB, linked from S3 above that.
const mime = await stage(`MIME (${linked ? 'xlsx linked' : 'xlsx attached'})`, async () =>
  new MailComposer({ ...message, attachments: linked ? [] : [await xlsxPart()] }).compile().build(),
);
const totalMs = stages.reduce((sum, s) => sum + s.ms, 0);
const peakAsSent = peak;
// For comparison: the other way round (attached although too large, or linked although small).
const other = await stage(
  `MIME (${linked ? 'xlsx attached, for comparison' : 'xlsx linked, for comparison'})`,
  async () =>
    new MailComposer({ ...message, attachments: linked ? [await xlsxPart()] : [] }).compile().build(),
);
await profiler.stop();
await spool.dispose();
await xlsx.dispose();
clearInterval(sampler);
peak = Math.max(peak, process.memoryUsage().rss);
const maxRss = process.resourceUsage().maxRSS * 1024;

const ms = (n: number) => n.toFixed(0);
const size = (bytes: number) =>
  bytes >= 1024 * 1024 ? `${mib(bytes).toFixed(1)} MB` : `${(bytes / 1024).toFixed(0)} KB`;
console.log(
  `Generated ${records.units.length} units, ${pass.count} hazards, ${records.pointers.length} submission pointers, ` +
    `${records.zeroReports.length} zero reports in ${(generateMs / 1000).toFixed(1)} s (not measured); making the ` +
    `hazards alone takes ${(hazardsMadeMs / 1000).toFixed(1)} s, which the pass includes (it makes them as it reads ` +
    `them, as the daily check parses them as it reads them). Office digest of ${digest.day}: ${digest.ledgerCount} ` +
    `ledger rows, ${digest.changes.length} changes, ${digest.overdueMajors.length} overdue majors.\n`,
);
const after = retained ? 'after, collected' : 'after';
console.log(`| stage | ms | RSS ${after} (MiB) | heap ${after} (MiB) | array buffers ${after} (MiB) |`);
console.log('|---|---:|---:|---:|---:|');
console.log(
  `| (units, filings, zero reports in memory, before) | | ${mib(before.rss).toFixed(0)} | ${mib(before.heapUsed).toFixed(0)} | ${mib(before.arrayBuffers).toFixed(0)} |`,
);
for (const { stage: name, ms: took, memory } of stages)
  console.log(
    `| ${name} | ${ms(took)} | ${mib(memory.rss).toFixed(0)} | ` +
      `${mib(memory.heapUsed).toFixed(0)} | ${mib(memory.arrayBuffers).toFixed(0)} |`,
  );
console.log(`| **total, as sent** (first ${stages.length - 1} stages) | **${ms(totalMs)}** | | | |`);
console.log(
  `\n| xlsx | HTML | text | MIME ${linked ? 'linked' : 'attached'} | MIME ${linked ? 'attached' : 'linked'} | peak RSS as sent (MiB) | peak RSS with the comparison (MiB) | max RSS of the process (MiB) |`,
);
console.log('|---:|---:|---:|---:|---:|---:|---:|---:|');
console.log(
  `| ${size(xlsx.size)} | ${size(Buffer.byteLength(parts.html))} | ${size(Buffer.byteLength(parts.text))} | ` +
    `${size(mime.byteLength)} | ${size(other.byteLength)} | ${mib(peakAsSent).toFixed(0)} | ${mib(peak).toFixed(0)} | ${mib(maxRss).toFixed(0)} |`,
);
console.log(
  `\nTargets: ≤ ${TARGET_MS / 1000} s ${totalMs <= TARGET_MS ? 'met' : 'MISSED'}; ` +
    `≤ ${TARGET_RSS_MIB} MiB peak RSS ${mib(peakAsSent) <= TARGET_RSS_MIB ? 'met' : 'MISSED'} (RSS sampled every 50 ms).`,
);
