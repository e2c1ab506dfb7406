import type { Campaign } from '../../../../schemas/campaign.ts';
import type { SubmissionVersion, UnitRecord } from '../../../../schemas/records.ts';
import type { ArchiveContents, ArchiveEntry } from '../../ports.ts';
import { formatLocal, localDateOf } from '../calendar/calendar.ts';
import { supervises } from '../links/supervision-scope.ts';

/**
 * Every document in a supervisor's scope as one archive (issue 13, "Documents"): which files go
 * in, in what order, under which paths, and the manifest that lists them. Plain data in, plain
 * data out; the ZIP itself is written by an adapter that streams each entry's bytes in turn.
 *
 * Paths are `<district>/<unit code> <unit name>/<deliverable>/<file name>`, the directly
 * affiliated units under `市直属单位`; with every version, each file name gets `v<n>-` in front.
 * Every segment is made safe for Windows, macOS and Linux (see `safeSegment`) and unique among
 * its siblings regardless of case, so no entry overwrites another when the archive is unpacked.
 */

/** One row of `清单.csv`. */
export interface ManifestRow {
  district: string;
  unitCode: string;
  unitName: string;
  deliverable: string;
  version: number;
  current: boolean;
  fileName: string;
  path: string;
  /** In the campaign's zone, `yyyy-MM-dd HH:mm`. */
  filedAt: string;
  onTime: boolean;
  sha256: string;
  size: number;
}

export interface DocumentsArchive {
  /** `office` (every active unit) or one district's code. */
  scope: 'office' | { district: string };
  allVersions: boolean;
  /** The files, in order: affiliated units first, then districts in the config's order; units by code. */
  entries: ArchiveEntry[];
  manifest: { path: string; rows: ManifestRow[] };
  /** The campaign's zone: the entries' times are written as its wall-clock time. */
  timeZone: string;
  /** The name the download is saved under, e.g. `溧阳市-材料-2018-01-20.zip`. */
  fileName: string;
}

/** What a unit filed for one deliverable: its current version number and the versions read. */
export interface FiledVersions {
  unitCode: string;
  deliverableId: string;
  currentVersion: number;
  /** The current version alone, or every version; any order. */
  versions: SubmissionVersion[];
}

export const AFFILIATED_FOLDER = '市直属单位';
export const ARCHIVE_CONTENT_TYPE = 'application/zip';
export const MANIFEST_NAME = '清单.csv';
/** UTF-8 bytes per path segment: most file systems allow 255; room is left for ` (n)`. */
const MAX_SEGMENT_BYTES = 200;

// Characters no Windows file name may hold, path separators, C0/C1 controls and DEL, and the
// invisible bidi controls that could make a name read as something else.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNSAFE_IN_NAME = /[/\\:*?"<>|\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
/** Names Windows reserves for devices, with or without an extension. */
const RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\.|$)/i;

const utf8Length = (s: string) => new TextEncoder().encode(s).length;

/** Cuts `text` to at most `bytes` UTF-8 bytes, at a character boundary. */
function cutToBytes(text: string, bytes: number): string {
  let out = '';
  let used = 0;
  for (const char of text) {
    const size = utf8Length(char);
    if (used + size > bytes) break;
    out += char;
    used += size;
  }
  return out;
}

/**
 * One path segment safe to unpack anywhere: unsafe characters become `_`, no leading or trailing
 * spaces or dots (Windows drops trailing ones), no device names, never empty, `.` or `..`, and at
 * most `MAX_SEGMENT_BYTES` UTF-8 bytes with the extension kept.
 */
export function safeSegment(raw: string): string {
  let name = raw
    .normalize('NFC')
    .replace(UNSAFE_IN_NAME, '_')
    .trim()
    .replace(/^\.+/, '')
    .replace(/[. ]+$/, '');
  if (name === '') name = '_';
  if (RESERVED.test(name)) name = `_${name}`;
  if (utf8Length(name) > MAX_SEGMENT_BYTES) {
    const dot = name.lastIndexOf('.');
    const extension = dot > 0 && name.length - dot <= 10 ? name.slice(dot) : '';
    const stem = extension ? name.slice(0, dot) : name;
    name = `${cutToBytes(stem, MAX_SEGMENT_BYTES - utf8Length(extension)).trimEnd()}${extension}`;
  }
  return name;
}

/** `name` with ` (n)` before its extension: the n-th file of that name in one folder. */
function numbered(name: string, n: number): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? `${name.slice(0, dot)} (${n})${name.slice(dot)}` : `${name} (${n})`;
}

/**
 * Hands out unique child names per folder, compared case-insensitively (Windows and macOS fold
 * case). The same `identity` in the same folder always gets the same name, so a unit's folder is
 * named once however many files it holds.
 */
class UniqueNames {
  private readonly taken = new Map<string, Set<string>>();
  private readonly given = new Map<string, string>();

  name(folder: string, wanted: string, identity: string): string {
    const known = this.given.get(`${folder}\u0000${identity}`);
    if (known !== undefined) return known;
    let names = this.taken.get(folder);
    if (!names) {
      names = new Set();
      this.taken.set(folder, names);
    }
    const base = safeSegment(wanted);
    let candidate = base;
    for (let n = 2; names.has(candidate.toLowerCase()); n += 1) candidate = numbered(base, n);
    names.add(candidate.toLowerCase());
    this.given.set(`${folder}\u0000${identity}`, candidate);
    return candidate;
  }
}

/**
 * A CSV cell: quoted when it holds a comma, quote or line break, and never a formula: a cell that
 * starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading apostrophe (OWASP's
 * advice against CSV injection), so a school's file name cannot run as one in Excel.
 */
export function csvCell(value: string | number): string {
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const MANIFEST_HEADER = [
  '区县',
  '单位代码',
  '单位名称',
  '材料',
  '版本',
  '当前版本',
  '文件名',
  '压缩包内路径',
  '报送时间',
  '是否按时',
  'SHA-256',
  '大小（字节）',
];

/** The manifest as Excel opens it: UTF-8 with a byte-order mark, CRLF line ends, formula-safe cells. */
export function manifestCsv(rows: readonly ManifestRow[]): string {
  const lines = [MANIFEST_HEADER.map(csvCell).join(',')];
  for (const row of rows) {
    lines.push(
      [
        row.district,
        row.unitCode,
        row.unitName,
        row.deliverable,
        row.version,
        row.current ? '是' : '否',
        row.fileName,
        row.path,
        row.filedAt,
        row.onTime ? '按时' : '逾期',
        row.sha256,
        row.size,
      ]
        .map(csvCell)
        .join(','),
    );
  }
  return `\ufeff${lines.join('\r\n')}\r\n`;
}

/** What the scope is called in the download's name: the district, or the organiser for the office. */
function scopeLabel(campaign: Pick<Campaign, 'districts' | 'organiser'>, viewer: UnitRecord): string {
  if (viewer.type === 'district-bureau' && viewer.district !== null) {
    return campaign.districts.find((d) => d.code === viewer.district)?.name.zh ?? viewer.district;
  }
  return campaign.organiser.name.zh;
}

/** The download's name: `<scope>-材料-<campaign day>.zip`, `-材料(全部版本)-` with every version. */
export function archiveFileName(
  campaign: Pick<Campaign, 'districts' | 'organiser' | 'timeZone'>,
  viewer: UnitRecord,
  now: Date,
  allVersions: boolean,
): string {
  const label = safeSegment(scopeLabel(campaign, viewer));
  return `${label}-材料${allVersions ? '(全部版本)' : ''}-${localDateOf(now, campaign.timeZone)}.zip`;
}

/**
 * Plans the archive of what `viewer` supervises (`supervises`: the office every active unit, a
 * bureau its own district). Units and filings out of scope are dropped here whatever the caller
 * passed, so a bureau's archive can never hold another district's file. Without `allVersions`,
 * only each deliverable's current version goes in.
 */
export function planDocumentsArchive(input: {
  campaign: Pick<Campaign, 'deliverables' | 'districts' | 'organiser' | 'timeZone'>;
  viewer: UnitRecord;
  units: Iterable<UnitRecord>;
  filings: Iterable<FiledVersions>;
  allVersions: boolean;
  now: Date;
}): DocumentsArchive {
  const { campaign, viewer, allVersions } = input;
  const inScope = new Map<string, UnitRecord>();
  for (const unit of input.units) if (supervises(viewer, unit)) inScope.set(unit.code, unit);

  const districtOrder = new Map(campaign.districts.map((d, i) => [d.code, i] as const));
  const deliverableOrder = new Map(campaign.deliverables.map((d, i) => [d.id, i] as const));
  const districtName = (code: string | null) =>
    code === null ? AFFILIATED_FOLDER : (campaign.districts.find((d) => d.code === code)?.name.zh ?? code);
  const deliverableName = (id: string) => campaign.deliverables.find((d) => d.id === id)?.name.zh ?? id;

  interface Item {
    unit: UnitRecord;
    version: SubmissionVersion;
    current: boolean;
  }
  const items: Item[] = [];
  for (const filed of input.filings) {
    const unit = inScope.get(filed.unitCode);
    if (!unit) continue;
    for (const version of filed.versions) {
      if (version.unitCode !== unit.code || version.deliverableId !== filed.deliverableId) continue;
      const current = version.version === filed.currentVersion;
      if (!allVersions && !current) continue;
      items.push({ unit, version, current });
    }
  }
  // Affiliated units first (as in the digest), then the config's district order; a district the
  // config no longer lists goes last, by code.
  const districtRank = (d: string | null) => (d === null ? -1 : (districtOrder.get(d) ?? districtOrder.size));
  const deliverableRank = (id: string) => deliverableOrder.get(id) ?? deliverableOrder.size;
  items.sort(
    (a, b) =>
      districtRank(a.unit.district) - districtRank(b.unit.district) ||
      (a.unit.district ?? '').localeCompare(b.unit.district ?? '') ||
      a.unit.code.localeCompare(b.unit.code) ||
      deliverableRank(a.version.deliverableId) - deliverableRank(b.version.deliverableId) ||
      a.version.deliverableId.localeCompare(b.version.deliverableId) ||
      a.version.version - b.version.version,
  );

  const names = new UniqueNames();
  // The manifest's name is taken first at the root, so no district folder can be called that.
  names.name('', MANIFEST_NAME, 'manifest');
  const entries: ArchiveEntry[] = [];
  const rows: ManifestRow[] = [];
  for (const { unit, version, current } of items) {
    const district = names.name('', districtName(unit.district), `district:${unit.district ?? ''}`);
    const unitPath = `${district}/${names.name(district, `${unit.code} ${unit.name}`, `unit:${unit.code}`)}`;
    const deliverablePath = `${unitPath}/${names.name(
      unitPath,
      deliverableName(version.deliverableId),
      `deliverable:${version.deliverableId}`,
    )}`;
    const fileName = allVersions ? `v${version.version}-${version.displayName}` : version.displayName;
    const path = `${deliverablePath}/${names.name(deliverablePath, fileName, `version:${version.version}`)}`;
    entries.push({
      path,
      fileKey: version.fileKey,
      size: version.size,
      ...(version.sha256 ? { sha256: version.sha256 } : {}),
      modifiedAt: version.receivedAt,
    });
    rows.push({
      district: districtName(unit.district),
      unitCode: unit.code,
      unitName: unit.name,
      deliverable: deliverableName(version.deliverableId),
      version: version.version,
      current,
      fileName: version.displayName,
      path,
      filedAt: formatLocal(new Date(version.receivedAt), campaign.timeZone),
      onTime: version.onTime,
      sha256: version.sha256 ?? '',
      size: version.size,
    });
  }
  return {
    scope:
      viewer.type === 'district-bureau' && viewer.district !== null
        ? { district: viewer.district }
        : 'office',
    allVersions,
    entries,
    manifest: { path: MANIFEST_NAME, rows },
    timeZone: campaign.timeZone,
    fileName: archiveFileName(campaign, viewer, input.now, allVersions),
  };
}

/**
 * What the ZIP holds: the manifest first (a reader sees it at the top), then every file in the
 * plan's order. The manifest's time is the export's.
 */
export function archiveContents(archive: DocumentsArchive, now: Date): ArchiveContents {
  return {
    timeZone: archive.timeZone,
    texts: [
      {
        path: archive.manifest.path,
        content: manifestCsv(archive.manifest.rows),
        modifiedAt: now.toISOString(),
      },
    ],
    entries: archive.entries,
  };
}
