// The daily check of a whole city, end to end on the embedded servers: 1,000 units and 20,000
// hazards written straight into DynamoDB Local, then runDailyCheck with the real adapters (the
// local SES server receives the mail) and the real digest workbook. Seeding is not measured.
// Run: npm run bench -- daily-check-city (env UNITS, HAZARDS, AT; CPU_PROFILE=<file> to profile).
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  type BatchWriteCommandInput,
  DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { dailyCheckDeps } from '../functions/daily-check/handler.ts';
import { DynamoCampaignRepository } from '../functions/shared/adapters/dynamo/campaign-repository.ts';
import { DynamoHazardRepository } from '../functions/shared/adapters/dynamo/hazards-repository.ts';
import { keys } from '../functions/shared/adapters/dynamo/keys.ts';
import { DynamoStore } from '../functions/shared/adapters/dynamo/store.ts';
import { DynamoSubmissionRepository } from '../functions/shared/adapters/dynamo/submissions-repository.ts';
import { DynamoUnitRepository } from '../functions/shared/adapters/dynamo/units-repository.ts';
import { DynamoZeroReports } from '../functions/shared/adapters/dynamo/zero-reports.ts';
import { digestWorkbook } from '../functions/shared/adapters/xlsx/digest-workbook.ts';
import { createAwsClients } from '../functions/shared/aws-clients.ts';
import { fixedClock } from '../functions/shared/domain/clock.ts';
import { type DailyCheckDeps, runDailyCheck } from '../functions/shared/domain/daily-check.ts';
import type { Digest } from '../functions/shared/domain/digest.ts';
import { deriveToken, hashToken } from '../functions/shared/domain/form-links.ts';
import { hazardId } from '../functions/shared/domain/hazard-lifecycle.ts';
import type { Logger } from '../functions/shared/logger.ts';
import { createAdapters } from '../functions/shared/wiring.ts';
import { ensureBucket, ensureTable } from '../infra/local/bootstrap.ts';
import { localAwsEnvironment, startEmbeddedServers } from '../infra/local/embedded-servers.ts';
import type { Campaign } from '../schemas/campaign.ts';
import type { HazardReport } from '../schemas/hazards.ts';
import {
  type HazardRecord,
  HazardRecordSchema,
  type SubmissionPointer,
  SubmissionPointerSchema,
  type UnitRecord,
  UnitRecordSchema,
  type ZeroReport,
  ZeroReportSchema,
} from '../schemas/records.ts';
import { type RosterRow, rosterForCampaign } from '../schemas/roster.ts';
import { demoCampaign } from '../test/support/fixtures.ts';

const UNITS = Number(process.env.UNITS ?? 1000);
const HAZARDS = Number(process.env.HAZARDS ?? 20_000);
const AT = new Date(process.env.AT ?? '2018-03-20T08:00:00+08:00');
const TARGET_MS = 10_000;

// ---------------------------------------------------------------------------------------------
// The campaign's records, generated. The same generator is in daily-check-province.ts (a bench
// file is a bench, so the two cannot share a module); keep them alike.

/** A small seeded PRNG (mulberry32): the same data on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PREFIXES: Record<string, string> = {
  liyang: 'LY',
  jintan: 'JT',
  wujin: 'WJ',
  xinbei: 'XB',
  tianning: 'TN',
  zhonglou: 'ZL',
  jingkai: 'JK',
};
const SCHOOL_KINDS = ['小学', '实验小学', '中心小学', '初级中学', '高级中学', '幼儿园', '职业学校'];
const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱'];
const ROLES = ['总务主任', '分管副校长', '安保科长', '后勤主任', '食堂负责人', '教务主任'];
const LOCATIONS = [
  '教学楼东侧',
  '实验楼二楼',
  '食堂后厨',
  '学生宿舍3号楼',
  '操场北侧围墙',
  '校门口',
  '图书馆一楼',
  '锅炉房',
  '配电房',
  '体育馆',
];
const TITLES: Record<string, string[]> = {
  construction: ['在建工地围挡破损', '施工区域未封闭', '脚手架未验收即使用'],
  'school-bus': ['校车安全带损坏', '校车驾驶员资质过期', '校车未按时年检'],
  'hazardous-chemicals': ['危化品未双人双锁', '实验室试剂过期未处置', '危化品台账不全'],
  'fire-safety': ['消防通道堵塞', '灭火器过期', '应急照明损坏', '消防栓被遮挡'],
  'food-safety': ['食品留样不足48小时', '后厨生熟未分开', '从业人员健康证过期'],
  'school-buildings': ['教学楼外墙空鼓', '楼梯扶手松动', '屋面渗漏'],
  'special-equipment': ['电梯年检过期', '锅炉压力表未校验', '压力容器无使用登记'],
  'infectious-disease': ['晨午检记录缺失', '消毒记录不全', '隔离观察室未设置'],
  'security-defences': ['监控摄像头损坏', '一键报警装置失灵', '门卫防护器械不足'],
};
const FINDINGS = [
  '存在安全隐患',
  '不符合相关规范要求',
  '已影响正常使用',
  '存在较大安全风险',
  '已设置临时警示标志',
];
const MEASURES = [
  '清理杂物并设置禁停标志',
  '更换老化设备',
  '聘请专业单位检测维修',
  '加固围挡并设置警示标识',
  '完善管理制度并加强巡查',
];
const CONTINGENCY = ['安排专人值守', '设置隔离区域', '暂停使用相关设施', '加强日常巡查'];
const FUND_SOURCES = ['学校公用经费', '区财政专项资金', '市级专项资金', '自筹资金'];

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const OFFSET = 8 * HOUR; // Asia/Shanghai, no daylight saving time in 2018
const iso = (ms: number) => new Date(ms).toISOString();
const localDate = (ms: number) => new Date(ms + OFFSET).toISOString().slice(0, 10);
const localStart = (date: string) => Date.parse(`${date}T00:00:00+08:00`);
/**
 * The record as the daily check holds it, parsed from JSON: its strings flat and its own. (The
 * generator's template strings are cons strings sharing pieces, which would misstate memory.)
 */
const own = <T>(record: T): T => JSON.parse(JSON.stringify(record)) as T;

interface Generated {
  units: UnitRecord[];
  pointers: SubmissionPointer[];
  hazards: HazardRecord[];
  zeroReports: ZeroReport[];
}

/**
 * A city: the office, a bureau per district, ~2% affiliated units and schools spread over the
 * districts; hazards over schools and affiliated units (skewed: some report many); submission
 * pointers for ~70% of the units, some late, a few filed in the last day; zero reports for most
 * units without hazards. Every string is built per record, as records parsed from a table are.
 */
function generate(
  campaign: Campaign,
  unitCount: number,
  hazardCount: number,
  at: Date,
  linkKey: string | null,
): Generated {
  const rand = random(20180320);
  const pick = <T>(items: readonly T[]): T => {
    const item = items[Math.floor(rand() * items.length)];
    if (item === undefined) throw new Error('empty pool');
    return item;
  };
  const now = at.getTime();
  const opens = localStart(campaign.opensOn);
  const districts = campaign.districts;
  const prefix = (code: string, index: number) => PREFIXES[code] ?? `D${index + 1}`;

  const rows: RosterRow[] = [];
  const row = (
    code: string,
    name: string,
    type: RosterRow['type'],
    district: string | null,
    email: string,
  ) => {
    rows.push({
      code,
      name,
      type,
      district,
      contact: `${pick(SURNAMES)}老师`,
      email,
      phone: `0519-${String(10_000_000 + rows.length).slice(-8)}`,
    });
  };
  row(
    'CITY-000',
    `${campaign.safetyOffice.name.zh}（示例）`,
    'city-office',
    null,
    'safety-office@czedu.example',
  );
  districts.forEach((d, i) => {
    row(
      `${prefix(d.code, i)}-000`,
      `${d.name.zh}教育局（示例）`,
      'district-bureau',
      d.code,
      `${d.code}-bureau@czedu.example`,
    );
  });
  const affiliated = Math.max(1, Math.round(unitCount * 0.02));
  for (let i = 1; i <= affiliated; i += 1) {
    const code = `CZ-${String(i).padStart(3, '0')}`;
    row(
      code,
      `常州市示例直属${pick(SCHOOL_KINDS)}${i}`,
      'affiliated-unit',
      null,
      `${code.toLowerCase()}@schools.czedu.example`,
    );
  }
  const schools = Math.max(0, unitCount - rows.length);
  for (let i = 0; i < schools; i += 1) {
    const index = i % districts.length;
    const d = districts[index];
    if (!d) throw new Error('no districts');
    const n = 101 + Math.floor(i / districts.length);
    const code = `${prefix(d.code, index)}-${n}`;
    row(
      code,
      `${d.name.zh}示例第${n}${pick(SCHOOL_KINDS)}`,
      'school',
      d.code,
      `${code.toLowerCase()}@schools.czedu.example`,
    );
  }
  // Too many units for the roster schema's 10,000 would fail here; the province bench skips it.
  if (rows.length <= 10_000) rosterForCampaign(campaign).parse({ campaign: campaign.id, units: rows });

  const bureauOf = new Map(rows.filter((r) => r.type === 'district-bureau').map((r) => [r.district, r.code]));
  const reporting = rows.filter((r) => r.type === 'school' || r.type === 'affiliated-unit');
  // Skewed: each unit's share is exponentially distributed, so some report many hazards, some none.
  const cumulative: number[] = [];
  let sum = 0;
  for (let i = 0; i < reporting.length; i += 1) {
    sum += -Math.log(1 - rand());
    cumulative.push(sum);
  }
  const reporter = (): number => {
    const target = rand() * sum;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cumulative[mid] ?? 0) < target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };

  const seq = new Map<string, number>();
  const open = new Map<string, { general: number; major: number }>();
  const hazards: HazardRecord[] = [];
  const areas = campaign.hazardDrive.areas.map((a) => a.id);
  for (let i = 0; i < hazardCount; i += 1) {
    const unit = reporting[reporter()];
    if (!unit) throw new Error('no reporting units');
    const n = (seq.get(unit.code) ?? 0) + 1;
    seq.set(unit.code, n);
    const id = hazardId(unit.code, n);
    const area = pick(areas);
    const title = pick(TITLES[area] ?? ['其他安全隐患']);
    const location = pick(LOCATIONS);
    const level = rand() < 0.05 ? 'major' : 'general';
    const created = opens + Math.floor(rand() * (now - opens - 60_000));
    const fixedOnSpot = level === 'general' && rand() < 0.3;
    const role = pick(ROLES);
    const deadline = localDate(created + (level === 'major' ? 10 + rand() * 30 : 7 + rand() * 38) * DAY);
    const report: HazardReport = {
      area,
      level,
      title,
      description: `${location}${pick(['自查', '巡查', '检查'])}发现${title}，${pick(FINDINGS)}，涉及约${1 + Math.floor(rand() * 9)}处，需尽快整改（第${n}项）。`,
      location,
      foundOn: localDate(created - Math.floor(rand() * 2) * DAY),
      source: rand() < 0.85 ? 'self-check' : rand() < 0.5 ? 'supervision' : 'report',
      fixedOnSpot,
      ...(fixedOnSpot
        ? { fixNote: `已当场${pick(['清理', '更换', '修复', '加固'])}，拍照留存。` }
        : {
            five: {
              owner: {
                name: `${pick(SURNAMES)}${pick(['主任', '老师', '校长', '师傅'])}`,
                role,
                phone: `0519-${String(20_000_000 + i).slice(-8)}`,
              },
              measures: `${pick(MEASURES)}，由${role}负责落实，${deadline}前完成整改并复查。`,
              funds: { amountYuan: Math.round(rand() * 200) * 100, source: pick(FUND_SOURCES) },
              deadline,
              // One in ten lacks the plan as text (and most of those have no plan attached): five incomplete.
              ...(rand() < 0.9
                ? {
                    contingency: `整改期间${pick(CONTINGENCY)}，发现异常立即上报${unit.district ? '区县教育局' : '市教育局'}。`,
                  }
                : {}),
            },
          }),
    };
    const roll = rand();
    const status: HazardRecord['status'] = fixedOnSpot
      ? 'closed'
      : roll < 0.35
        ? 'closed'
        : roll < 0.45
          ? 'awaiting-acceptance'
          : roll < 0.8
            ? 'rectifying'
            : 'registered';
    const later = (from: number) => Math.min(now - 1000, from + Math.floor(rand() * 15 * DAY) + HOUR);
    const rectifiedAt =
      status === 'awaiting-acceptance' || (status === 'closed' && !fixedOnSpot) ? later(created) : null;
    const closedAt = status === 'closed' ? (fixedOnSpot ? created : later(rectifiedAt ?? created)) : null;
    const refused = status === 'rectifying' && rand() < 0.1 ? later(created) : null;
    const photos: HazardRecord['photos'] = [];
    if (rand() < 0.6)
      photos.push({
        key: `hazards/${unit.code}/${id}/${i}-before.jpg`,
        kind: 'before',
        displayName: '现场照片.jpg',
        contentType: 'image/jpeg',
        addedAt: iso(created),
      });
    if (report.five && !report.five.contingency && rand() < 0.3)
      photos.push({
        key: `hazards/${unit.code}/${id}/${i}-plan.pdf`,
        kind: 'plan',
        displayName: '应急预案.pdf',
        contentType: 'application/pdf',
        addedAt: iso(created),
      });
    if (closedAt !== null && rand() < 0.7)
      photos.push({
        key: `hazards/${unit.code}/${id}/${i}-after.jpg`,
        kind: 'after',
        displayName: '整改后照片.jpg',
        contentType: 'image/jpeg',
        addedAt: iso(closedAt),
      });
    const supervisor = unit.district === null ? 'CITY-000' : (bureauOf.get(unit.district) ?? 'CITY-000');
    const updated = Math.max(created, rectifiedAt ?? 0, closedAt ?? 0, refused ?? 0);
    hazards.push(
      own({
        id,
        unitCode: unit.code,
        district: unit.district,
        area,
        level,
        status,
        title,
        version:
          1 +
          photos.length +
          (status === 'registered' ? 0 : fixedOnSpot ? 0 : 1) +
          (rectifiedAt ? 1 : 0) +
          (closedAt && !fixedOnSpot ? 1 : 0) +
          (refused ? 2 : 0),
        createdAt: iso(created),
        updatedAt: iso(updated),
        report,
        supervision:
          level === 'major'
            ? {
                supervisorUnit: supervisor,
                listedOn: localDate(created),
                deadline,
                extensions: [],
                ...(closedAt !== null ? { delistedOn: localDate(closedAt) } : {}),
              }
            : null,
        photos,
        ...(rectifiedAt !== null
          ? { rectification: { note: `已${pick(MEASURES)}，请验收。`, at: iso(rectifiedAt) } }
          : {}),
        ...(refused !== null
          ? { refusal: { reason: '整改不到位，继续挂账', by: supervisor, at: iso(refused) } }
          : {}),
        ...(closedAt !== null ? { closedAt: iso(closedAt) } : {}),
      }),
    );
    if (status !== 'closed') {
      const counts = open.get(unit.code) ?? { general: 0, major: 0 };
      counts[level] += 1;
      open.set(unit.code, counts);
    }
  }

  const units: UnitRecord[] = rows.map((r) => {
    const counts = open.get(r.code) ?? { general: 0, major: 0 };
    const linkVersion = linkKey ? 1 : 0;
    return own({
      ...r,
      hazardSeq: seq.get(r.code) ?? 0,
      openGeneral: counts.general,
      openMajor: counts.major,
      ...(linkKey ? { linkHash: hashToken(deriveToken(linkKey, campaign.id, r.code, linkVersion)) } : {}),
      linkVersion,
      updatedAt: iso(opens),
    });
  });

  const pointers: SubmissionPointer[] = [];
  const zeroReports: ZeroReport[] = [];
  for (const r of rows) {
    if (r.type === 'city-office') continue;
    for (const d of campaign.deliverables) {
      if (!d.requiredOf.includes(r.type)) continue;
      const due = localStart(d.dueDate) + DAY; // the first instant after the due day
      // The first deliverable: ~70% have filed, 15% of them late; later ones: 10% early birds.
      const filed = due <= now ? rand() < 0.7 : rand() < 0.1;
      if (!filed) continue;
      const late = due <= now && rand() < 0.15;
      const first = late
        ? rand() < 0.1
          ? now - Math.floor(rand() * DAY) // filed in the last day: a change in the digest
          : due + Math.floor(rand() * (now - due))
        : Math.max(opens, Math.min(now, due) - Math.floor(rand() * 10 * DAY)) - HOUR;
      const again = rand() < 0.1 ? Math.min(now - 1000, first + Math.floor(rand() * 5 * DAY)) : null;
      pointers.push(
        own({
          unitCode: r.code,
          district: r.district,
          deliverableId: d.id,
          currentVersion: again ? 2 : 1,
          firstReceivedAt: iso(first),
          currentReceivedAt: iso(again ?? first),
          firstOnTime: first < due,
        }),
      );
    }
    if (r.type !== 'district-bureau') {
      const reported = (seq.get(r.code) ?? 0) > 0;
      if (!reported && rand() < 0.8) {
        const confirmed = opens + Math.floor(rand() * (now - opens));
        zeroReports.push(
          own({ unitCode: r.code, checkedOn: localDate(confirmed), confirmedAt: iso(confirmed) }),
        );
      } else if (reported && rand() < 0.02) {
        const confirmed = opens + Math.floor(rand() * DAY);
        zeroReports.push(
          own({
            unitCode: r.code,
            checkedOn: localDate(confirmed),
            confirmedAt: iso(confirmed),
            withdrawnAt: iso(confirmed + DAY),
            withdrawnFor: hazardId(r.code, 1),
          }),
        );
      }
    }
  }
  return { units, pointers, hazards, zeroReports };
}
// ---------------------------------------------------------------------------------------------

type WriteRequest = NonNullable<BatchWriteCommandInput['RequestItems']>[string][number];

/** Writes `items` 25 to a BatchWrite, `inFlight` batches at once, retrying unprocessed items. */
async function batchWrite(
  doc: ReturnType<typeof createAwsClients>['doc'],
  tableName: string,
  items: Record<string, unknown>[],
  inFlight = 8,
): Promise<void> {
  const batches: WriteRequest[][] = [];
  for (let i = 0; i < items.length; i += 25)
    batches.push(items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })));
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      let requests = batches[next] ?? [];
      next += 1;
      for (let attempt = 0; requests.length > 0; attempt += 1) {
        if (attempt > 0)
          await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
        if (attempt > 12)
          throw new Error(`${requests.length} items still unprocessed after ${attempt} attempts`);
        const out = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
        requests = out.UnprocessedItems?.[tableName] ?? [];
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
}

/** `gc()` without starting node with --expose-gc: only to settle the baseline before measuring. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** With CPU_PROFILE=<file>, a CPU profile of the measured part only (open it in Chrome DevTools). */
async function startProfiler(): Promise<{ stop(): Promise<void> }> {
  const path = process.env.CPU_PROFILE;
  if (!path) return { stop: async () => undefined };
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 1000 });
  await session.post('Profiler.start');
  return {
    async stop() {
      const { profile } = await session.post('Profiler.stop');
      await writeFile(path, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

const mib = (bytes: number) => bytes / 1024 / 1024;
const servers = await startEmbeddedServers({ dataDir: null });
try {
  const campaign = demoCampaign();
  const tableName = `campaign-${campaign.id}`;
  const bucket = `campaign-${campaign.id}-documents`;
  const linkKey = 'bench-link-key-0123456789abcdefghijklmnopqrstuvwxyz';
  Object.assign(process.env, localAwsEnvironment(servers.endpoints), {
    TABLE_NAME: tableName,
    BUCKET_NAME: bucket,
    LINK_KEY: linkKey,
  });
  const clients = createAwsClients();
  await ensureTable(clients, tableName);
  await ensureBucket(clients, bucket);
  const store = new DynamoStore(clients.doc, tableName);
  await new DynamoCampaignRepository(store).save(campaign);

  // Seeding, not measured. The generated records go out of scope before the run.
  const seeded = await (async () => {
    const data = generate(campaign, UNITS, HAZARDS, AT, linkKey);
    for (const u of data.units) UnitRecordSchema.parse(u);
    for (const p of data.pointers) SubmissionPointerSchema.parse(p);
    for (const h of data.hazards) HazardRecordSchema.parse(h);
    for (const z of data.zeroReports) ZeroReportSchema.parse(z);
    const districtOf = new Map(data.units.map((u) => [u.code, u.district]));
    const items: Record<string, unknown>[] = [
      ...data.units.map((u) => ({
        ...keys.unit(u.code),
        ...keys.unitIndex(u.district, u.type, u.code),
        ...u,
      })),
      ...data.pointers.map((p) => ({
        ...keys.submissionPointer(p.unitCode, p.deliverableId),
        ...keys.submissionIndex(p.deliverableId, p.district, p.unitCode),
        ...p,
      })),
      ...data.hazards.map((h) => ({
        ...keys.hazard(h.unitCode, h.id),
        ...keys.hazardIndex(h.district, h.unitCode, h.id),
        ...(h.supervision ? keys.supervisedIndex(h.supervision.supervisorUnit, h.unitCode, h.id) : {}),
        ...h,
      })),
      ...data.zeroReports.map((z) => ({
        ...keys.zeroReport(z.unitCode),
        ...keys.zeroReportIndex(districtOf.get(z.unitCode) ?? null, z.unitCode),
        ...z,
      })),
    ];
    const started = performance.now();
    await batchWrite(clients.doc, tableName, items);
    return {
      units: data.units.length,
      pointers: data.pointers.length,
      hazards: data.hazards.length,
      majors: data.hazards.filter((h) => h.level === 'major').length,
      open: data.hazards.filter((h) => h.status !== 'closed').length,
      zeroReports: data.zeroReports.length,
      items: items.length,
      ms: performance.now() - started,
    };
  })();

  const logs: Record<string, unknown>[] = [];
  const logger: Logger = {
    info: (message, fields) => logs.push({ message, ...fields }),
    error: (message, fields) => logs.push({ message, ...fields, error: String(fields?.error) }),
  };
  const clock = fixedClock(AT);
  const adapters = await createAdapters({ clock, logger, clients });

  // Where the time goes: spans of each kind of work, merged where they overlap.
  type Span = [number, number];
  const spans = { load: [] as Span[], query: [] as Span[], send: [] as Span[], mailLog: [] as Span[] };
  const wall = (list: readonly Span[]): number => {
    let total = 0;
    let end = Number.NEGATIVE_INFINITY;
    for (const [from, to] of [...list].sort((a, b) => a[0] - b[0])) {
      if (to <= end) continue;
      total += to - Math.max(from, end);
      end = to;
    }
    return total;
  };
  const timing = async <T>(list: Span[], work: () => Promise<T>): Promise<T> => {
    const from = performance.now();
    try {
      return await work();
    } finally {
      list.push([from, performance.now()]);
    }
  };

  /** The same object, each of its methods timed into `list`. */
  const timeEvery = <T extends object>(target: T, list: Span[]): T =>
    new Proxy(target, {
      get(object, property) {
        const value: unknown = Reflect.get(object, property);
        return typeof value === 'function'
          ? (...args: unknown[]) => timing(list, async () => value.apply(object, args))
          : value;
      },
    });

  // The four collections the check reads, on a client and store of our own: the store's `reads`
  // counts them, and a middleware next to the HTTP handler times each query until DynamoDB Local
  // answers (before the SDK unmarshals the items and zod parses them).
  const readClient = new DynamoDBClient({});
  readClient.middlewareStack.add((next) => (args) => timing(spans.query, () => next(args)), {
    step: 'deserialize',
    priority: 'low',
    name: 'benchQueryTimer',
  });
  const reads = new DynamoStore(
    DynamoDBDocumentClient.from(readClient, { marshallOptions: { removeUndefinedValues: true } }),
    tableName,
  );
  const timed = <T>(items: AsyncIterable<T>): AsyncIterable<T> =>
    (async function* () {
      const from = performance.now();
      yield* items;
      spans.load.push([from, performance.now()]);
    })();
  const units = new DynamoUnitRepository(reads);
  const submissions = new DynamoSubmissionRepository(reads);
  const hazards = new DynamoHazardRepository(reads);
  const zeroReports = new DynamoZeroReports(reads);
  const workbooks: { scope: string; bytes: number; span: Span }[] = [];
  const deps: DailyCheckDeps = {
    ...dailyCheckDeps(adapters, 'https://forms.example'),
    units: { all: () => timed(units.all()) },
    submissions: { allFilers: (d) => timed(submissions.allFilers(d)) },
    hazards: { all: () => timed(hazards.all()) },
    zeroReports: { all: () => timed(zeroReports.all()) },
    mailer: timeEvery(adapters.mailer, spans.send),
    mailLog: timeEvery(adapters.mailLog, spans.mailLog),
    digestWorkbook: async (c: Campaign, digest: Digest) => {
      const from = performance.now();
      const bytes = await digestWorkbook(c, digest);
      const scope = digest.scope.kind === 'office' ? 'office' : digest.scope.district;
      workbooks.push({ scope, bytes: bytes.byteLength, span: [from, performance.now()] });
      return bytes;
    },
  };

  collectGarbage();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  const profiler = await startProfiler();
  const started = performance.now();
  const report = await runDailyCheck(deps, AT);
  const totalMs = performance.now() - started;
  await profiler.stop();
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);

  const outcome = (o: string) => report.mails.filter((m) => m.outcome === o).length;
  const reminders = report.mails.filter((m) => m.purpose === 'reminder' && m.outcome === 'sent').length;
  const received = (await (await fetch(`${servers.endpoints.sesv2}/store`)).json()) as { emails: unknown[] };
  const office = workbooks.find((w) => w.scope === 'office');
  const done = logs.find((l) => l.message === 'daily check done');
  if (!done || done.hazards !== seeded.hazards)
    throw new Error(`the check read ${String(done?.hazards)} hazards, ${seeded.hazards} were written`);
  const loadMs = wall(spans.load);
  const loadEnd = Math.max(...spans.load.map(([, to]) => to));
  const firstClaim = Math.min(...spans.mailLog.map(([from]) => from));
  const ms = (n: number) => n.toFixed(0);

  console.log(
    `Seeded ${seeded.units} units, ${seeded.hazards} hazards (${seeded.majors} major, ${seeded.open} open), ` +
      `${seeded.pointers} submission pointers, ${seeded.zeroReports} zero reports: ${seeded.items} items ` +
      `in ${(seeded.ms / 1000).toFixed(1)} s (not measured). Check at ${AT.toISOString()} (${report.day}).\n`,
  );
  console.log(
    '| units | hazards | total (ms) | load (ms) | queries | items read | capacity units | mails sent (reminders + digests) | received by SES | office xlsx | peak RSS (MiB) | RSS before (MiB) |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|');
  console.log(
    `| ${seeded.units} | ${seeded.hazards} | ${ms(totalMs)} | ${ms(loadMs)} | ` +
      `${reads.reads.queries} | ${reads.reads.items} | ${reads.reads.capacityUnits} | ` +
      `${outcome('sent')} (${reminders} + ${outcome('sent') - reminders}) | ${received.emails.length} | ` +
      `${((office?.bytes ?? 0) / 1024).toFixed(0)} KB | ${mib(peak).toFixed(0)} | ${mib(baseline).toFixed(0)} |`,
  );
  console.log(
    '\nWhere the wall time went (overlapping work merged; the phases overlap, so they do not add up):\n',
  );
  console.log(
    '| DynamoDB Local answering queries | load, rest (unmarshal, zod) | load end → first mail claim (computeState, reminders) | mail log writes | mailer.send (MIME + in-process SES) | 8 digest workbooks | office workbook | failed mails |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|');
  console.log(
    `| ${ms(wall(spans.query))} | ${ms(loadMs - wall(spans.query))} | ${ms(firstClaim - loadEnd)} | ` +
      `${ms(wall(spans.mailLog))} (${spans.mailLog.length} writes) | ${ms(wall(spans.send))} (${spans.send.length} mails) | ` +
      `${ms(wall(workbooks.map((w) => w.span)))} | ${ms((office?.span[1] ?? 0) - (office?.span[0] ?? 0))} | ${outcome('failed')} |`,
  );
  console.log(
    `\nWorkbooks: ${workbooks.map((w) => `${w.scope} ${(w.bytes / 1024).toFixed(0)} KB in ${ms(w.span[1] - w.span[0])} ms`).join(', ')}.`,
  );
  console.log(
    `Target ≤ ${TARGET_MS / 1000} s: ${totalMs <= TARGET_MS ? 'met' : 'MISSED'}. Process max RSS (seeding included): ` +
      `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB; the SES server runs in this process.`,
  );
} finally {
  await servers.stop();
}
