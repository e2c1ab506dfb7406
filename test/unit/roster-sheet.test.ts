import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodeText } from '../../infra/roster-file.ts';
import { rosterFromSheet } from '../../infra/roster-sheet.ts';
import { demoCampaign, demoRoster } from '../support/fixtures.ts';

const campaign = demoCampaign();
/** The units a campaign already holds: the demo roster. */
const CAMPAIGN_UNITS = demoRoster().units;
const ZH = ['单位代码', '单位名称', '单位类型', '所属辖区', '联系人', '电子邮箱', '联系电话'];
const school = [
  'LY-150',
  '溧阳市新建小学',
  '学校',
  '溧阳市',
  '王老师',
  'ly-150@schools.example',
  '0519-87000150',
];

describe('a roster from a bureau spreadsheet', () => {
  it('reads Chinese headers in any order, types and districts by name or code, and skips empty rows', () => {
    const order = [6, 0, 2, 1, 3, 5, 4];
    const pick = (row: string[]) => order.map((i) => row[i] ?? '');
    const result = rosterFromSheet(
      campaign,
      [
        [],
        pick(ZH),
        pick(school),
        ['', '', '', '', '', '', ''],
        pick([
          'cz-002',
          ' 常州市直属示例中心 ',
          '直属单位',
          '',
          '李老师',
          'cz-002@czedu.example',
          '0519-88000002',
        ]),
        pick([
          'JT-150',
          '金坛区新建中学',
          'school',
          'Jintan',
          '赵老师',
          'jt-150@schools.example',
          '0519-82000150',
        ]),
      ],
      CAMPAIGN_UNITS,
    );
    expect(result).toMatchObject({
      ok: true,
      value: {
        campaign: campaign.id,
        units: [
          { code: 'LY-150', type: 'school', district: 'liyang', contact: '王老师' },
          { code: 'CZ-002', name: '常州市直属示例中心', type: 'affiliated-unit', district: null },
          { code: 'JT-150', type: 'school', district: 'jintan' },
        ],
      },
    });
  });

  it('reads English headers too, folding case, width and spaces', () => {
    const header = ['Code', 'NAME', ' type ', 'District', 'Contact', 'E-mail', 'Phone'];
    const result = rosterFromSheet(campaign, [header, ['ＬＹ-150', ...school.slice(1)]], CAMPAIGN_UNITS);
    expect(result.ok && result.value.units.map((u) => u.code)).toEqual(['LY-150']);
  });

  it('checks across the units the campaign keeps: a school needs its district bureau, in the file or kept', () => {
    const alone = rosterFromSheet(campaign, [ZH, school]);
    expect(alone).toMatchObject({ ok: false, issues: [{ code: 'district-without-bureau' }] });
    const taken = rosterFromSheet(campaign, [ZH, ['LY-101', ...school.slice(1)]], CAMPAIGN_UNITS);
    expect(taken.ok).toBe(true);
  });

  it('names every problem by its row and column, in Chinese and English, and gives no roster', () => {
    const result = rosterFromSheet(campaign, [
      ZH,
      school,
      ['LY-151', '溧阳市另一小学', '学校', '火星区', '王老师', 'not-an-email', '0519-87000151'],
      ['LY-152', '', '幼儿园', '溧阳市', '王老师', 'ly-152@schools.example', '0519-87000152'],
    ]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const paths = result.issues.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        '第 3 行「所属辖区」列 / row 3, column "所属辖区"',
        '第 3 行「电子邮箱」列 / row 3, column "电子邮箱"',
        '第 4 行「单位名称」列 / row 4, column "单位名称"',
        '第 4 行「单位类型」列 / row 4, column "单位类型"',
      ]),
    );
    for (const found of result.issues) {
      expect(found.zh).toMatch(/[\u4e00-\u9fff]/);
      expect(found.en).toMatch(/[a-z]/);
    }
    expect(result.issues.find((i) => i.path.includes('电子邮箱'))?.value).toBe('not-an-email');
  });

  it('says which column is missing', () => {
    const result = rosterFromSheet(campaign, [ZH.filter((h) => h !== '电子邮箱'), school.slice(0, 5)]);
    expect(result).toMatchObject({
      ok: false,
      issues: [{ code: 'roster-sheet.column-missing', zh: '缺少「电子邮箱」列' }],
    });
  });
});

describe('CSV text as Excel, WPS and LibreOffice write it', () => {
  const text = `${ZH.join(',')}\r\n${school.join(',')}\r\n`;
  it('reads UTF-8 with and without a byte-order mark, UTF-16 with one, and GB18030', () => {
    expect(decodeText(Buffer.from(`\uFEFF${text}`, 'utf8'))).toBe(text);
    expect(decodeText(Buffer.from(text, 'utf8'))).toBe(text);
    expect(decodeText(Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(text, 'utf16le')]))).toBe(text);
    const gb = iconv.encode(text, 'gb18030');
    expect(gb.equals(Buffer.from(text, 'utf8'))).toBe(false);
    expect(decodeText(gb)).toBe(text);
  });
});
