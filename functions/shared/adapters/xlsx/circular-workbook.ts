import ExcelJS from 'exceljs';
import type { DraftCircular } from '../../domain/sanctions/circular.ts';
import { SANCTION_KIND_LABELS } from '../../domain/sanctions/sanctions.ts';
import { cellString } from './digest-workbook.ts';

/** The circular's columns, Chinese then English. */
export const CIRCULAR_HEADERS = [
  ['序号', 'No.'],
  ['区县', 'District'],
  ['单位代码', 'Unit code'],
  ['单位名称', 'Unit name'],
  ['逾期未报材料（逾期天数）', 'Overdue deliverables (days)'],
  ['未销号重大隐患', 'Open major hazards'],
  ['逾期重大隐患', 'Overdue major hazards'],
  ['既往约谈/通报', 'Past summons and circulars'],
] as const;

const WIDTHS = [6, 12, 11, 28, 36, 12, 12, 40];

/**
 * The draft circular as a workbook: the title row "关于……的通报（草稿）", a line saying when it
 * was drawn up, a header row and one row per unit picked. Every text is a plain string cell, as in
 * the digest's workbook: a unit name or reason like `=HYPERLINK(…)` stays text, never a formula.
 */
export async function circularWorkbook(draft: DraftCircular, organiser: string): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = cellString(organiser);
  const at = new Date(draft.at);
  workbook.created = at;
  workbook.modified = at;
  const sheet = workbook.addWorksheet('通报草稿', { views: [{ state: 'frozen', ySplit: 3 }] });
  sheet.columns = WIDTHS.map((width) => ({ width }));
  sheet.mergeCells(1, 1, 1, CIRCULAR_HEADERS.length);
  const title = sheet.getCell(1, 1);
  title.value = cellString(draft.title);
  title.font = { bold: true, size: 14 };
  title.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
  sheet.getRow(1).height = 36;
  sheet.mergeCells(2, 1, 2, CIRCULAR_HEADERS.length);
  sheet.getCell(2, 1).value =
    `草稿，生成于 ${draft.day}，共 ${draft.rows.length} 个单位 / Draft of ${draft.day}, ${draft.rows.length} unit(s)`;
  const header = sheet.getRow(3);
  CIRCULAR_HEADERS.forEach(([zh, en], i) => {
    const cell = header.getCell(i + 1);
    cell.value = `${zh}\n${en}`;
    cell.font = { bold: true };
    cell.alignment = { vertical: 'middle', wrapText: true };
  });
  header.height = 32;
  draft.rows.forEach((row, i) => {
    const values = [
      i + 1,
      cellString(row.districtName.zh),
      cellString(row.unitCode),
      cellString(row.unitName),
      cellString(row.overdue.map((o) => `《${o.name.zh}》逾期 ${o.days} 天`).join('；') || '无'),
      row.openMajors,
      row.overdueMajors,
      cellString(
        row.sanctions.map((s) => `${s.date} ${SANCTION_KIND_LABELS[s.kind].zh}：${s.reason}`).join('\n') ||
          '无',
      ),
    ];
    const line = sheet.getRow(4 + i);
    values.forEach((value, c) => {
      const cell = line.getCell(c + 1);
      cell.value = value;
      cell.alignment = { vertical: 'top', wrapText: true };
    });
  });
  sheet.autoFilter = {
    from: { row: 3, column: 1 },
    to: { row: 3 + draft.rows.length, column: CIRCULAR_HEADERS.length },
  };
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
