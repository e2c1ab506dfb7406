// The generated campaign the daily-check benches run on: seeded, so every run sees the same
// records. Shared by daily-check-city (written to DynamoDB Local) and daily-check-province (in
// memory); it sits in support/ because every .ts file directly in bench/ is a bench.
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { hazardId, hazardTally } from '../../functions/shared/domain/hazards/hazard-lifecycle.ts';
import { addTally, type HazardTally } from '../../functions/shared/domain/hazards/hazard-tally.ts';
import { deriveToken, hashToken } from '../../functions/shared/domain/links/form-links.ts';
import type { Campaign } from '../../schemas/campaign.ts';
import type { HazardReport } from '../../schemas/hazards.ts';
import type { HazardRecord, SubmissionPointer, UnitRecord, ZeroReport } from '../../schemas/records.ts';
import { type RosterRow, rosterForCampaign } from '../../schemas/roster.ts';

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

export interface Generated {
  units: UnitRecord[];
  pointers: SubmissionPointer[];
  zeroReports: ZeroReport[];
  hazardCount: number;
  /**
   * The hazards, made afresh on each call and one at a time (never all held), in the order the
   * table's hazard index returns them: by district key, unit code, id. Each unit's come from its
   * own seeded stream, so every call yields the same records.
   */
  hazards(): Generator<HazardRecord>;
}

/**
 * A city: the office, a bureau per district, ~2% affiliated units and schools spread over the
 * districts; hazards over schools and affiliated units (skewed: some report many); submission
 * pointers for ~70% of the units, some late, a few filed in the last day; zero reports for most
 * units without hazards. Every string is built per record, as records parsed from a table are.
 */
export function generate(
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
  for (let i = 0; i < hazardCount; i += 1) {
    const unit = reporting[reporter()];
    if (!unit) throw new Error('no reporting units');
    seq.set(unit.code, (seq.get(unit.code) ?? 0) + 1);
  }
  const areas = campaign.hazardDrive.areas.map((a) => a.id);
  const readOrder = reporting
    .map((unit, index) => ({ unit, index, key: `${unit.district ?? 'CITY'}#${unit.code}` }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));

  function* hazardsOf(unit: RosterRow, unitIndex: number, keep: boolean): Generator<HazardRecord> {
    const rand = random(20180320 + unitIndex * 7919);
    const pick = <T>(items: readonly T[]): T => {
      const item = items[Math.floor(rand() * items.length)];
      if (item === undefined) throw new Error('empty pool');
      return item;
    };
    const count = seq.get(unit.code) ?? 0;
    for (let n = 1; n <= count; n += 1) {
      const i = unitIndex * 100_000 + n;
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
      const record: HazardRecord = {
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
      };
      yield keep ? own(record) : record;
    }
  }

  const hazards = function* (keep: boolean): Generator<HazardRecord> {
    for (const { unit, index } of readOrder) yield* hazardsOf(unit, index, keep);
  };
  // The units' open counters and tallies, as the table keeps them, from one pass that keeps nothing.
  const open = new Map<string, { general: number; major: number }>();
  const tallies = new Map<string, HazardTally>();
  for (const h of hazards(false)) {
    const tally = tallies.get(h.unitCode) ?? {};
    addTally(tally, hazardTally(h));
    tallies.set(h.unitCode, tally);
    if (h.status === 'closed') continue;
    const counts = open.get(h.unitCode) ?? { general: 0, major: 0 };
    counts[h.level] += 1;
    open.set(h.unitCode, counts);
  }

  const units: UnitRecord[] = rows.map((r) => {
    const counts = open.get(r.code) ?? { general: 0, major: 0 };
    const linkVersion = linkKey ? 1 : 0;
    return own({
      ...r,
      hazardSeq: seq.get(r.code) ?? 0,
      openGeneral: counts.general,
      openMajor: counts.major,
      tally: tallies.get(r.code) ?? {},
      tallied: true,
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
  return { units, pointers, zeroReports, hazardCount, hazards: () => hazards(true) };
}

/** `gc()` without starting node with --expose-gc: only to settle the baseline before measuring. */
export function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** With CPU_PROFILE=<file>, a CPU profile of the measured part only (open it in Chrome DevTools). */
export async function startProfiler(): Promise<{ stop(): Promise<void> }> {
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
