import { describe, expect, it } from 'vitest';
import {
  archiveContents,
  archiveFileName,
  csvCell,
  type FiledVersions,
  manifestCsv,
  planDocumentsArchive,
  safeSegment,
} from '../../functions/shared/domain/filing/documents-archive.ts';
import type { SubmissionVersion, UnitRecord } from '../../schemas/records.ts';
import { demoCampaign, sampleUnit } from '../support/fixtures.ts';

const PLAN = 'implementation-plan';
const SUMMARY = 'work-summary';
const campaign = demoCampaign();
const now = new Date('2018-01-20T01:30:00Z');

function version(
  unitCode: string,
  deliverableId: string,
  n: number,
  displayName: string,
  more: Partial<SubmissionVersion> = {},
): SubmissionVersion {
  return {
    unitCode,
    deliverableId,
    version: n,
    fileKey: `files/${unitCode}/${deliverableId}/u${n}/${'a'.repeat(64)}`,
    displayName,
    contentType: 'application/pdf',
    size: 100 + n,
    etag: `etag-${n}`,
    sha256: `${n}`.repeat(64).slice(0, 64),
    receivedAt: `2018-01-1${n}T02:00:00.000Z`,
    onTime: true,
    ...more,
  };
}

function filed(versions: SubmissionVersion[]): FiledVersions {
  const [first] = versions;
  if (!first) throw new Error('no versions');
  return {
    unitCode: first.unitCode,
    deliverableId: first.deliverableId,
    currentVersion: Math.max(...versions.map((v) => v.version)),
    versions,
  };
}

const office = sampleUnit('CITY-000');
const liyangBureau = sampleUnit('LY-000');
const units: UnitRecord[] = ['CITY-000', 'LY-000', 'LY-101', 'LY-102', 'WJ-000', 'WJ-101', 'CZ-001'].map(
  (code) => sampleUnit(code),
);
const filings: FiledVersions[] = [
  filed([version('WJ-101', PLAN, 1, '武进实施方案.pdf')]),
  filed([version('LY-101', PLAN, 1, '实施方案.pdf'), version('LY-101', PLAN, 2, '实施方案（定稿）.pdf')]),
  filed([version('LY-101', SUMMARY, 1, '工作总结.docx')]),
  filed([version('CZ-001', PLAN, 1, '直属实施方案.pdf')]),
  filed([version('LY-000', PLAN, 1, '溧阳局方案.pdf')]),
];

describe('the documents archive plan (issue 13)', () => {
  it('the office gets every unit but itself: affiliated units first, then districts in config order, current versions', () => {
    const plan = planDocumentsArchive({ campaign, viewer: office, units, filings, allVersions: false, now });
    const unitName = (code: string) => units.find((u) => u.code === code)?.name;
    expect(plan.entries.map((e) => e.path)).toEqual([
      `市直属单位/CZ-001 ${unitName('CZ-001')}/专项行动实施方案/直属实施方案.pdf`,
      `溧阳市/LY-000 ${unitName('LY-000')}/专项行动实施方案/溧阳局方案.pdf`,
      `溧阳市/LY-101 ${unitName('LY-101')}/专项行动实施方案/实施方案（定稿）.pdf`,
      `溧阳市/LY-101 ${unitName('LY-101')}/工作总结/工作总结.docx`,
      `武进区/WJ-101 ${unitName('WJ-101')}/专项行动实施方案/武进实施方案.pdf`,
    ]);
    expect(plan.scope).toBe('office');
    expect(plan.manifest.rows.every((r) => r.current)).toBe(true);
    expect(plan.entries[2]).toEqual({
      path: expect.any(String),
      fileKey: `files/LY-101/implementation-plan/u2/${'a'.repeat(64)}`,
      size: 102,
      sha256: '2'.repeat(64),
      modifiedAt: '2018-01-12T02:00:00.000Z',
    });
  });

  it("a bureau's archive holds its own district only, even when it is handed other districts' filings", () => {
    const plan = planDocumentsArchive({
      campaign,
      viewer: liyangBureau,
      units,
      filings,
      allVersions: true,
      now,
    });
    expect(plan.scope).toEqual({ district: 'liyang' });
    expect(plan.entries.map((e) => e.path.split('/').at(-1))).toEqual([
      'v1-实施方案.pdf',
      'v2-实施方案（定稿）.pdf',
      'v1-工作总结.docx',
    ]);
    expect(plan.entries.every((e) => e.path.startsWith('溧阳市/LY-101 '))).toBe(true);
    expect(plan.manifest.rows.map((r) => [r.version, r.current])).toEqual([
      [1, false],
      [2, true],
      [1, true],
    ]);
    expect(plan.fileName).toBe('溧阳市-材料(全部版本)-2018-01-20.zip');
  });

  it('withdrawn units and units of no one in scope are left out; an empty scope is an empty plan', () => {
    const withdrawn = units.map((u) => (u.code === 'WJ-101' ? { ...u, withdrawnAt: now.toISOString() } : u));
    const plan = planDocumentsArchive({
      campaign,
      viewer: office,
      units: withdrawn,
      filings,
      allVersions: false,
      now,
    });
    expect(plan.entries.some((e) => e.path.includes('WJ-101'))).toBe(false);
    const empty = planDocumentsArchive({
      campaign,
      viewer: sampleUnit('WJ-000'),
      units,
      filings: filings.filter((f) => f.unitCode !== 'WJ-101'),
      allVersions: false,
      now,
    });
    expect(empty.entries).toEqual([]);
    expect(manifestCsv(empty.manifest.rows).split('\r\n')).toHaveLength(2);
    // A school supervises nobody.
    expect(
      planDocumentsArchive({ campaign, viewer: sampleUnit('LY-101'), units, filings, allVersions: true, now })
        .entries,
    ).toEqual([]);
  });

  it('makes every segment safe to unpack anywhere', () => {
    expect(safeSegment('a/b\\c:d*e?f"g<h>i|j.pdf')).toBe('a_b_c_d_e_f_g_h_i_j.pdf');
    expect(safeSegment('x\u0000y\u001f\u007f\u202ez.pdf')).toBe('x_y___z.pdf');
    expect(safeSegment('..')).toBe('_');
    expect(safeSegment('  报告.pdf.  ')).toBe('报告.pdf');
    expect(safeSegment('CON.pdf')).toBe('_CON.pdf');
    expect(safeSegment('')).toBe('_');
    const long = safeSegment(`${'安'.repeat(120)}.pdf`);
    expect(new TextEncoder().encode(long).length).toBeLessThanOrEqual(200);
    expect(long.endsWith('安.pdf')).toBe(true);
  });

  it('keeps every version of a deliverable apart with its number, the names cleaned', () => {
    const versions = filed([
      version('LY-101', PLAN, 1, 'Plan.pdf'),
      version('LY-101', PLAN, 2, 'plan.PDF'),
      version('LY-101', PLAN, 3, 'Plan.pdf'),
      version('LY-101', PLAN, 4, 'Pl/an.pdf'),
      version('LY-101', PLAN, 5, 'Pl:an.pdf'),
    ]);
    const all = planDocumentsArchive({
      campaign,
      viewer: office,
      units,
      filings: [versions],
      allVersions: true,
      now,
    });
    expect(all.entries.map((e) => e.path.split('/').at(-1))).toEqual([
      'v1-Plan.pdf',
      'v2-plan.PDF',
      'v3-Plan.pdf',
      'v4-Pl_an.pdf',
      'v5-Pl_an.pdf',
    ]);
    const current = planDocumentsArchive({
      campaign,
      viewer: office,
      units,
      filings: [versions],
      allVersions: false,
      now,
    });
    expect(current.entries.map((e) => e.path.split('/').at(-1))).toEqual(['Pl_an.pdf']);
  });

  it('two units of one name stay apart by their codes', () => {
    const twins = [
      filed([version('LY-101', PLAN, 1, '方案.pdf')]),
      filed([version('LY-102', PLAN, 1, '方案.pdf')]),
    ];
    const sameName = units.map((u) =>
      u.code === 'LY-101' || u.code === 'LY-102' ? { ...u, name: '示例学校' } : u,
    );
    const paths = planDocumentsArchive({
      campaign,
      viewer: office,
      units: sameName,
      filings: twins,
      allVersions: false,
      now,
    }).entries.map((e) => e.path);
    expect(paths).toEqual([
      '溧阳市/LY-101 示例学校/专项行动实施方案/方案.pdf',
      '溧阳市/LY-102 示例学校/专项行动实施方案/方案.pdf',
    ]);
  });

  it('de-duplicates district folders that differ only in case', () => {
    const cased = {
      ...campaign,
      districts: [
        { code: 'liyang', name: { zh: 'Area', en: 'x' } },
        { code: 'wujin', name: { zh: 'AREA', en: 'y' } },
      ],
    };
    const paths = planDocumentsArchive({
      campaign: cased,
      viewer: office,
      units,
      filings,
      allVersions: false,
      now,
    }).entries.map((e) => e.path.split('/')[0]);
    expect([...new Set(paths)]).toEqual(['市直属单位', 'Area', 'AREA (2)']);
  });

  it('de-duplicates a deliverable name that sanitises to another, and a district that is called like the manifest', () => {
    const odd = {
      ...campaign,
      districts: [{ code: 'liyang', name: { zh: '清单.csv', en: 'x' } }, ...campaign.districts.slice(1)],
      deliverables: campaign.deliverables.map((d, i) => ({
        ...d,
        name: { zh: i === 0 ? '方案/总结' : '方案:总结', en: d.id },
      })),
    };
    const plan = planDocumentsArchive({
      campaign: odd,
      viewer: office,
      units,
      filings: filings.filter((f) => f.unitCode === 'LY-101'),
      allVersions: false,
      now,
    });
    expect(plan.entries.map((e) => e.path)).toEqual([
      `清单 (2).csv/LY-101 ${units[2]?.name}/方案_总结/实施方案（定稿）.pdf`,
      `清单 (2).csv/LY-101 ${units[2]?.name}/方案_总结 (2)/工作总结.docx`,
    ]);
  });

  it('writes the manifest formula-safe, quoted where needed, with a BOM and CRLF', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    for (const lead of ['+', '-', '@', '\t', '\r'])
      expect(csvCell(`${lead}1`).startsWith(`'`) || csvCell(`${lead}1`).startsWith(`"'`)).toBe(true);
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell(12)).toBe('12');
    const evil = filed([version('LY-101', PLAN, 1, '=cmd|calc.pdf', { onTime: false })]);
    const plan = planDocumentsArchive({
      campaign,
      viewer: office,
      units,
      filings: [evil],
      allVersions: false,
      now,
    });
    const csv = manifestCsv(plan.manifest.rows);
    expect(
      csv.startsWith(
        '\ufeff区县,单位代码,单位名称,材料,版本,当前版本,文件名,压缩包内路径,报送时间,是否按时,SHA-256,大小（字节）\r\n',
      ),
    ).toBe(true);
    const [, row] = csv.slice(1).split('\r\n');
    expect(row).toBe(
      `溧阳市,LY-101,${units[2]?.name},专项行动实施方案,1,是,'=cmd|calc.pdf,溧阳市/LY-101 ${units[2]?.name}/专项行动实施方案/=cmd_calc.pdf,2018-01-11 10:00,逾期,${'1'.repeat(64)},101`,
    );
    const contents = archiveContents(plan, now);
    expect(contents.texts).toEqual([{ path: '清单.csv', content: csv, modifiedAt: now.toISOString() }]);
    expect(contents.entries).toBe(plan.entries);
    expect(contents.timeZone).toBe('Asia/Shanghai');
  });

  it("names the download after the bureau's district or the organiser, on the campaign's day", () => {
    // 2018-01-19T17:00Z is already the 20th in Shanghai.
    expect(archiveFileName(campaign, office, new Date('2018-01-19T17:00:00Z'), false)).toBe(
      `${campaign.organiser.name.zh}-材料-2018-01-20.zip`,
    );
    expect(archiveFileName(campaign, sampleUnit('WJ-000'), now, false)).toBe('武进区-材料-2018-01-20.zip');
  });
});
