import { createHash, randomBytes } from 'node:crypto';
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EXPORTS_PREFIX,
  S3DocumentsArchiveWriter,
} from '../../functions/shared/adapters/zip/documents-zip.ts';
import { exportDocuments } from '../../functions/shared/domain/filing/documents-export.ts';
import type { UnitRecord } from '../../schemas/records.ts';
import { manualClock, type TestApp, testApp } from '../support/local-app.ts';
import { testClients } from '../support/tables.ts';

/**
 * Issue 13, "Documents": every document in a supervisor's scope as one ZIP, streamed to the real
 * local S3 (s3rver) and downloaded through a presigned GET, then opened and checked: every path
 * (Chinese names, UTF-8 flag), every file's bytes against the SHA-256 it was filed with, the
 * manifest, the district scoping, every version, an empty scope, two exports at once, and a
 * source that breaks off in the middle.
 */
const PLAN = 'implementation-plan';
const SUMMARY = 'work-summary';
const pdf = (text: string) => new TextEncoder().encode(`%PDF-1.7\n% ${text}\n`);
const docx = (text: string) => new Uint8Array([0x50, 0x4b, 0x03, 0x04, ...new TextEncoder().encode(text)]);
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

interface Opened {
  /** Path → bytes, for every file entry (the manifest included). */
  files: Map<string, Uint8Array>;
  manifest: string[][];
  central: CentralRecord[];
}

interface CentralRecord {
  name: string;
  /** Bit 11: the name is UTF-8. */
  utf8: boolean;
  /** The DOS time, as written: `yyyy-MM-dd HH:mm`. */
  dosTime: string;
  /** The extra fields' header ids. */
  extras: number[];
}

/** Every central-directory record, read straight from the bytes. */
function centralRecords(zip: Uint8Array): CentralRecord[] {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const records: CentralRecord[] = [];
  const two = (n: number) => String(n).padStart(2, '0');
  for (let at = 0; at + 46 <= zip.length; at += 1) {
    if (view.getUint32(at, true) !== 0x02014b50) continue;
    const time = view.getUint16(at + 12, true);
    const date = view.getUint16(at + 14, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const extras: number[] = [];
    for (let x = at + 46 + nameLength; x < at + 46 + nameLength + extraLength; ) {
      extras.push(view.getUint16(x, true));
      x += 4 + view.getUint16(x + 2, true);
    }
    records.push({
      name: new TextDecoder().decode(zip.subarray(at + 46, at + 46 + nameLength)),
      utf8: (view.getUint16(at + 8, true) & 0x0800) !== 0,
      dosTime: `${(date >> 9) + 1980}-${two((date >> 5) & 0xf)}-${two(date & 0x1f)} ${two(time >> 11)}:${two((time >> 5) & 0x3f)}`,
      extras,
    });
    at += 45 + nameLength + extraLength + view.getUint16(at + 32, true);
  }
  return records;
}

/** Splits the manifest's CSV (no quoted line breaks in it) into cells. */
function csvRows(text: string): string[][] {
  return text
    .replace(/^\ufeff/, '')
    .split('\r\n')
    .filter((line) => line !== '')
    .map((line) => {
      const cells: string[] = [];
      const re = /("(?:[^"]|"")*"|[^,]*)(,|$)/g;
      for (let m = re.exec(line); m && m.index < line.length; m = re.exec(line)) {
        const cell = m[1] ?? '';
        cells.push(cell.startsWith('"') ? cell.slice(1, -1).replaceAll('""', '"') : cell);
        if (m[2] === '') break;
      }
      return cells;
    });
}

async function openZip(bytes: Uint8Array): Promise<Opened> {
  const zip = await JSZip.loadAsync(bytes, { checkCRC32: true });
  const files = new Map<string, Uint8Array>();
  for (const entry of Object.values(zip.files)) {
    if (!entry.dir) files.set(entry.name, await entry.async('uint8array'));
  }
  const manifest = files.get('清单.csv');
  if (!manifest) throw new Error('no manifest');
  // ignoreBOM keeps the byte-order mark in the text, so the check below sees it.
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(manifest);
  expect(text.startsWith('\ufeff')).toBe(true);
  return { files, manifest: csvRows(text), central: centralRecords(bytes) };
}

describe('supervisors download every document in scope as one streamed ZIP', () => {
  const clock = manualClock('2018-01-12T09:00:00+08:00');
  let app: TestApp;
  const filed = new Map<string, Uint8Array>();
  const unit = async (code: string) => (await app.adapters.units.get(code)) as UnitRecord;

  /** Files `bytes` for `code` the way a browser and S3 do: a signed form, the object, S3's event. */
  async function file(code: string, deliverableId: string, fileName: string, bytes: Uint8Array) {
    await app.file(code, deliverableId, fileName, bytes);
    filed.set(`${code}/${deliverableId}/${fileName}`, bytes);
  }

  /** Exports as `code` would, then downloads the archive through its presigned link. */
  async function exportAs(code: string, allVersions = false) {
    const body = await unit(code);
    const done = await exportDocuments(app.adapters, { body, actor: body.code }, { allVersions });
    const url = await app.adapters.documents.presignGet(done.key, done.fileName, 'application/zip');
    const response = await fetch(url);
    expect(response.status).toBe(200);
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect(bytes.length).toBe(done.size);
    return { done, bytes, opened: await openZip(bytes), url };
  }

  const exportsStored = async () =>
    (
      await testClients().s3.send(
        new ListObjectsV2Command({ Bucket: app.adapters.documents.bucket, Prefix: `${EXPORTS_PREFIX}/` }),
      )
    ).KeyCount ?? 0;
  const exportEvents = async () =>
    (await app.adapters.audit.listDay('2018-01-12', { limit: 500 })).items.filter(
      (e) => e.action === 'supervisor-exported-documents',
    );

  let names: Record<string, string>;
  beforeAll(async () => {
    app = await testApp({ clock });
    names = Object.fromEntries(
      await Promise.all(
        ['LY-000', 'LY-101', 'LY-102', 'WJ-101', 'CZ-001'].map(async (c) => [c, (await unit(c)).name]),
      ),
    );
    await file('LY-101', PLAN, '实施方案.pdf', pdf('实施方案 first draft'));
    await file('LY-101', PLAN, '实施方案（定稿）.pdf', pdf('实施方案 final'));
    await file('LY-101', SUMMARY, '工作总结.docx', docx('工作总结'));
    await file('LY-102', PLAN, '=HYPERLINK("x")南渡方案.pdf', pdf('nandu'));
    await file('WJ-101', PLAN, '武进实施方案.pdf', pdf('wujin'));
    await file('CZ-001', PLAN, '直属单位方案.pdf', pdf('affiliated'));
    await file('LY-000', PLAN, '溧阳局方案.pdf', pdf('bureau'));
  });
  afterAll(() => app.cleanup());

  it("the office's ZIP holds every unit's current documents under Chinese paths, each with its filed bytes", async () => {
    const { done, opened, url } = await exportAs('CITY-000');
    expect(done.fileName).toBe(`${app.adapters.campaign.organiser.name.zh}-材料-2018-01-12.zip`);
    expect(decodeURIComponent(new URL(url).searchParams.get('response-content-disposition') ?? '')).toContain(
      done.fileName,
    );
    const expected = {
      [`市直属单位/CZ-001 ${names['CZ-001']}/专项行动实施方案/直属单位方案.pdf`]:
        'CZ-001/implementation-plan/直属单位方案.pdf',
      [`溧阳市/LY-000 ${names['LY-000']}/专项行动实施方案/溧阳局方案.pdf`]:
        'LY-000/implementation-plan/溧阳局方案.pdf',
      [`溧阳市/LY-101 ${names['LY-101']}/专项行动实施方案/实施方案（定稿）.pdf`]:
        'LY-101/implementation-plan/实施方案（定稿）.pdf',
      [`溧阳市/LY-101 ${names['LY-101']}/工作总结/工作总结.docx`]: 'LY-101/work-summary/工作总结.docx',
      [`溧阳市/LY-102 ${names['LY-102']}/专项行动实施方案/=HYPERLINK(_x_)南渡方案.pdf`]:
        'LY-102/implementation-plan/=HYPERLINK("x")南渡方案.pdf',
      [`武进区/WJ-101 ${names['WJ-101']}/专项行动实施方案/武进实施方案.pdf`]:
        'WJ-101/implementation-plan/武进实施方案.pdf',
    };
    expect([...opened.files.keys()]).toEqual(['清单.csv', ...Object.keys(expected)]);
    for (const [path, source] of Object.entries(expected)) {
      expect(sha256(opened.files.get(path) as Uint8Array)).toBe(sha256(filed.get(source) as Uint8Array));
    }
    expect(opened.central.map((r) => r.name)).toEqual(['清单.csv', ...Object.keys(expected)]);
    expect(opened.central.every((r) => r.utf8)).toBe(true);
    // Times are the campaign's wall-clock time (filed at 09:00 in Shanghai), whatever the
    // process's zone, with no UTC field that a reader would prefer.
    expect(opened.central[3]?.dosTime).toBe('2018-01-12 09:00');
    expect(opened.central.every((r) => !r.extras.includes(0x5455))).toBe(true);
    expect(done.count).toBe(6);

    const [header, ...rows] = opened.manifest;
    expect(header).toEqual([
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
    ]);
    expect(rows.map((r) => r[7])).toEqual(Object.keys(expected));
    const ly101 = rows[2] as string[];
    const final = filed.get('LY-101/implementation-plan/实施方案（定稿）.pdf') as Uint8Array;
    expect(ly101).toEqual([
      '溧阳市',
      'LY-101',
      names['LY-101'],
      '专项行动实施方案',
      '2',
      '是',
      '实施方案（定稿）.pdf',
      Object.keys(expected)[2],
      '2018-01-12 09:00',
      '按时',
      sha256(final),
      String(final.length),
    ]);
    // Each row's SHA-256 is that of the bytes under its path.
    for (const row of rows) expect(sha256(opened.files.get(row[7] as string) as Uint8Array)).toBe(row[10]);
    // The school's file name is text in the sheet, never a formula.
    expect((rows[4] as string[])[6]).toBe(`'=HYPERLINK("x")南渡方案.pdf`);
  });

  it("a district bureau's ZIP holds its own district only: no other district's file, no affiliated unit", async () => {
    const { done, opened } = await exportAs('LY-000');
    expect(done.fileName).toBe('溧阳市-材料-2018-01-12.zip');
    const paths = [...opened.files.keys()].filter((p) => p !== '清单.csv');
    expect(paths).toHaveLength(3);
    for (const path of paths) expect(path.startsWith('溧阳市/LY-10')).toBe(true);
    const hashes = new Set([...opened.files.values()].map(sha256));
    for (const foreign of [
      'WJ-101/implementation-plan/武进实施方案.pdf',
      'CZ-001/implementation-plan/直属单位方案.pdf',
    ])
      expect(hashes.has(sha256(filed.get(foreign) as Uint8Array))).toBe(false);
    expect(opened.manifest.slice(1).every((row) => row[0] === '溧阳市')).toBe(true);

    const wujin = await exportAs('WJ-000', true);
    expect([...wujin.opened.files.keys()]).toEqual([
      '清单.csv',
      `武进区/WJ-101 ${names['WJ-101']}/专项行动实施方案/v1-武进实施方案.pdf`,
    ]);
  });

  it('with every version, each version of each deliverable is there, numbered, and the manifest says which is current', async () => {
    const { done, opened } = await exportAs('LY-000', true);
    expect(done.fileName).toBe('溧阳市-材料(全部版本)-2018-01-12.zip');
    const folder = `溧阳市/LY-101 ${names['LY-101']}/专项行动实施方案`;
    expect(sha256(opened.files.get(`${folder}/v1-实施方案.pdf`) as Uint8Array)).toBe(
      sha256(filed.get('LY-101/implementation-plan/实施方案.pdf') as Uint8Array),
    );
    expect(sha256(opened.files.get(`${folder}/v2-实施方案（定稿）.pdf`) as Uint8Array)).toBe(
      sha256(filed.get('LY-101/implementation-plan/实施方案（定稿）.pdf') as Uint8Array),
    );
    expect(opened.files.size).toBe(1 + 4);
    const plans = opened.manifest.filter((row) => row[1] === 'LY-101' && row[3] === '专项行动实施方案');
    expect(plans.map((row) => [row[4], row[5]])).toEqual([
      ['1', '否'],
      ['2', '是'],
    ]);
  });

  it('puts one supervisor-exported-documents event on the audit log per export: who, scope, count, mode', async () => {
    const before = (await exportEvents()).length;
    clock.set('2018-01-12T11:00:00+08:00');
    const { done } = await exportAs('LY-000', true);
    const events = await exportEvents();
    expect(events).toHaveLength(before + 1);
    expect(events.at(-1)).toEqual(
      expect.objectContaining({
        actor: 'LY-000',
        subject: 'LY-000',
        at: '2018-01-12T03:00:00.000Z',
        detail: { scope: 'district:liyang', count: 4, allVersions: true, key: done.key, size: done.size },
      }),
    );
    // A reviewer acting for the office is named as such.
    const office = await unit('CITY-000');
    // The log is ordered by time (then by a random id): a later export sorts last.
    clock.set('2018-01-12T11:05:00+08:00');
    await exportDocuments(app.adapters, { body: office, actor: 'reviewer:r1' }, { allVersions: false });
    expect((await exportEvents()).at(-1)).toEqual(
      expect.objectContaining({
        actor: 'reviewer:r1',
        subject: 'CITY-000',
        detail: expect.objectContaining({ scope: 'office', count: 6, allVersions: false }),
      }),
    );
  });

  it('two exports at once give two archives under their own keys with the same contents', async () => {
    const [a, b] = await Promise.all([exportAs('CITY-000', true), exportAs('CITY-000', true)]);
    expect(a.done.key).not.toBe(b.done.key);
    expect(a.done.key.startsWith(`${EXPORTS_PREFIX}/`)).toBe(true);
    expect([...a.opened.files.keys()]).toEqual([...b.opened.files.keys()]);
    for (const [path, bytes] of a.opened.files)
      expect(sha256(b.opened.files.get(path) as Uint8Array)).toBe(sha256(bytes));
    expect(a.opened.files.size).toBe(1 + 7);
  });

  it("GET /w/export/documents.zip sends a bureau (303) to its own district's ZIP, under its Chinese name", async () => {
    const bureau = await app.workspace(`/f/${app.links['LY-000']}/workspace`);
    const before = (await exportEvents()).length;
    const answer = await bureau.get('/w/export/documents.zip');
    expect(answer.statusCode).toBe(303);
    const location = answer.headers.location ?? '';
    expect(new URL(location).searchParams.get('response-content-disposition')).toMatch(
      /^attachment; filename="[^"]+"; filename\*=UTF-8''%E6%BA%A7%E9%98%B3%E5%B8%82-%E6%9D%90%E6%96%99-2018-01-12\.zip$/,
    );
    expect(new URL(location).searchParams.get('response-content-type')).toBe('application/zip');
    const opened = await openZip(new Uint8Array(await (await fetch(location)).arrayBuffer()));
    const paths = [...opened.files.keys()].filter((p) => p !== '清单.csv');
    expect(paths).toHaveLength(3);
    for (const path of paths) expect(path.startsWith('溧阳市/')).toBe(true);
    const hashes = new Set([...opened.files.values()].map(sha256));
    for (const [source, bytes] of filed)
      if (!source.startsWith('LY-10')) expect(hashes.has(sha256(bytes))).toBe(false);
    expect((await exportEvents()).length).toBe(before + 1);

    const every = await bureau.get('/w/export/documents.zip?versions=all');
    expect(every.statusCode).toBe(303);
    const all = await openZip(
      new Uint8Array(await (await fetch(every.headers.location ?? '')).arrayBuffer()),
    );
    expect([...all.files.keys()].filter((p) => p.includes('/v1-') || p.includes('/v2-'))).toHaveLength(4);
    expect([...all.files.keys()].every((p) => p === '清单.csv' || p.startsWith('溧阳市/'))).toBe(true);

    const office = await app.workspace(`/f/${app.links['CITY-000']}/workspace`);
    const city = await office.get('/w/export/documents.zip');
    const whole = await openZip(
      new Uint8Array(await (await fetch(city.headers.location ?? '')).arrayBuffer()),
    );
    expect(new Set([...whole.files.keys()].map((p) => p.split('/')[0]))).toEqual(
      new Set(['清单.csv', '市直属单位', '溧阳市', '武进区']),
    );
  });

  it("a district's named reviewer exports that district only, and the audit trail names the person", async () => {
    const li = await app.workspace(`/r/${app.reviewerLinks['li-liyang']}`);
    clock.set('2018-01-12T11:10:00+08:00');
    const answer = await li.get('/w/export/documents.zip?versions=all');
    expect(answer.statusCode).toBe(303);
    const opened = await openZip(
      new Uint8Array(await (await fetch(answer.headers.location ?? '')).arrayBuffer()),
    );
    const paths = [...opened.files.keys()].filter((p) => p !== '清单.csv');
    expect(paths).toHaveLength(4);
    for (const path of paths) expect(path.startsWith('溧阳市/')).toBe(true);
    expect((await exportEvents()).at(-1)).toEqual(
      expect.objectContaining({
        actor: 'reviewer:li-liyang',
        subject: 'LY-000',
        detail: expect.objectContaining({ scope: 'district:liyang', count: 4, allVersions: true }),
      }),
    );
  });

  it('refuses a versions value it does not know in both languages, and any request without a session', async () => {
    const bureau = await app.workspace(`/f/${app.links['WJ-000']}/workspace`);
    const stored = await exportsStored();
    const events = (await exportEvents()).length;
    const bogus = await bureau.get('/w/export/documents.zip?versions=every');
    expect(bogus.statusCode).toBe(400);
    expect(bogus.body).toContain('versions');
    expect(bogus.body).toContain('every');
    const nobody = await app.http('GET', '/w/export/documents.zip');
    expect(nobody.statusCode).toBe(401);
    const forged = await app.http('GET', '/w/export/documents.zip', { cookies: [`${bureau.cookie}x`] });
    expect(forged.statusCode).toBe(401);
    expect(await exportsStored()).toBe(stored);
    expect((await exportEvents()).length).toBe(events);
  });

  it('a scope with nothing filed is a valid ZIP holding only the manifest', async () => {
    const empty = await testApp({ clock, units: ['LY-000', 'WJ-000', 'WJ-101', 'CITY-000'] });
    try {
      const bureau = (await empty.adapters.units.get('WJ-000')) as UnitRecord;
      const done = await exportDocuments(
        empty.adapters,
        { body: bureau, actor: bureau.code },
        { allVersions: false },
      );
      expect(done.count).toBe(0);
      const url = await empty.adapters.documents.presignGet(done.key, done.fileName, 'application/zip');
      const opened = await openZip(new Uint8Array(await (await fetch(url)).arrayBuffer()));
      expect([...opened.files.keys()]).toEqual(['清单.csv']);
      expect(opened.manifest).toHaveLength(1);
    } finally {
      await empty.cleanup();
    }
  });

  it('a school may not export; nothing is written or recorded', async () => {
    const stored = await exportsStored();
    const events = (await exportEvents()).length;
    const school = await unit('LY-101');
    await expect(
      exportDocuments(app.adapters, { body: school, actor: school.code }, { allVersions: true }),
    ).rejects.toMatchObject({
      status: 403,
      zh: expect.stringContaining('只有市安稳处和区县教育局'),
    });
    expect(await exportsStored()).toBe(stored);
    expect((await exportEvents()).length).toBe(events);
  });

  it('streams a large archive in multipart parts, and a source missing in the middle fails it without a partial ZIP', async () => {
    const bucket = app.adapters.documents.bucket;
    const big = randomBytes(12 * 1024 * 1024);
    const bigKey = `files/TEST/big/${sha256(big)}`;
    await testClients().s3.send(new PutObjectCommand({ Bucket: bucket, Key: bigKey, Body: big }));
    const small = pdf('small');
    const smallKey = `files/TEST/small/${sha256(small)}`;
    await testClients().s3.send(new PutObjectCommand({ Bucket: bucket, Key: smallKey, Body: small }));
    const writer = new S3DocumentsArchiveWriter(app.adapters.documents);
    const at = '2018-01-12T01:00:00.000Z';
    const texts = [{ path: '清单.csv', content: '\ufeff区县\r\n', modifiedAt: at }];
    const timeZone = 'Asia/Shanghai';

    const stored = await writer.write({
      texts,
      timeZone,
      entries: [
        { path: '大文件/big.bin', fileKey: bigKey, size: big.length, modifiedAt: at },
        { path: '小文件/small.pdf', fileKey: smallKey, size: small.length, modifiedAt: at },
      ],
    });
    const bytes = new Uint8Array(
      await (
        await fetch(await app.adapters.documents.presignGet(stored.key, 'big.zip', 'application/zip'))
      ).arrayBuffer(),
    );
    expect(stored.size).toBe(bytes.length);
    expect(bytes.length).toBeGreaterThan(big.length);
    const opened = await openZip(bytes);
    expect(sha256(opened.files.get('大文件/big.bin') as Uint8Array)).toBe(sha256(big));
    expect(opened.files.get('小文件/small.pdf')).toEqual(small);

    const before = await exportsStored();
    await expect(
      writer.write({
        texts,
        timeZone,
        entries: [
          { path: 'a/big.bin', fileKey: bigKey, size: big.length, modifiedAt: at },
          { path: 'b/gone.pdf', fileKey: 'files/TEST/missing/0', size: 10, modifiedAt: at },
        ],
      }),
    ).rejects.toThrow(/opening files\/TEST\/missing\/0 failed/);
    // A record whose size differs from the object's fails too: no archive with a short file.
    await expect(
      writer.write({
        texts,
        timeZone,
        entries: [{ path: 'c/small.pdf', fileKey: smallKey, size: small.length + 1, modifiedAt: at }],
      }),
    ).rejects.toThrow(/unexpected number of bytes/);
    expect(await exportsStored()).toBe(before);
  });
});
