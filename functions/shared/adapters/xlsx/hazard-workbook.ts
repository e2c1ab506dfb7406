import type { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import type { Campaign } from '../../../../schemas/campaign.ts';
import {
  fieldOfHeader,
  type ImportRow,
  MAX_IMPORT_ROWS,
  MAX_UNPACKED_MB,
  MAX_ZIP_ENTRIES,
  TEMPLATE_COLUMNS,
  WORKBOOK_PROBLEMS,
  type WorkbookRead,
} from '../../domain/hazards/hazard-import.ts';

const DATA_SHEET = '隐患清单';
const LISTS_SHEET = '选项';

/**
 * The import template: Chinese headers, drop-down lists for the coded columns (kept on a hidden
 * sheet, so long labels fit), one example row and an instructions sheet. Every cell written is a
 * plain string: text like `=HYPERLINK(...)` stays text, never a formula.
 */
export async function buildHazardTemplate(campaign: Campaign): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = campaign.organiser.name.zh;
  const sheet = workbook.addWorksheet(DATA_SHEET, { views: [{ state: 'frozen', ySplit: 1 }] });
  const lists = workbook.addWorksheet(LISTS_SHEET, { state: 'hidden' });
  sheet.columns = TEMPLATE_COLUMNS.map((c) => ({
    header: c.header,
    key: c.field,
    width: Math.max(12, c.header.length * 2 + 4),
  }));
  sheet.getRow(1).font = { bold: true };
  sheet.addRow(Object.fromEntries(TEMPLATE_COLUMNS.map((c) => [c.field, c.example])));
  TEMPLATE_COLUMNS.forEach((column, index) => {
    const choices = column.choices?.(campaign);
    if (!choices) return;
    const letter = lists.getColumn(index + 1).letter;
    choices.forEach((choice, i) => {
      lists.getCell(i + 1, index + 1).value = choice;
    });
    const target = sheet.getColumn(index + 1).letter;
    for (let row = 2; row <= MAX_IMPORT_ROWS + 1; row += 1) {
      sheet.getCell(`${target}${row}`).dataValidation = {
        type: 'list',
        allowBlank: true,
        formulae: [`'${LISTS_SHEET}'!$${letter}$1:$${letter}$${choices.length}`],
        showErrorMessage: true,
        errorTitle: '请从列表中选择',
        error: `${column.header}：请从下拉列表中选择`,
      };
    }
  });
  const help = workbook.addWorksheet('填写说明');
  help.getColumn(1).width = 100;
  for (const line of [
    `${campaign.name.zh} · 隐患批量导入模板`,
    '1. 在「隐患清单」表中每行填写一条隐患，第 2 行为示例，导入前请删除或改写。',
    '2. 隐患类别、隐患等级、发现途径、是否当场整改请从下拉列表中选择。',
    '3. 日期写作 2018-01-15（或 2018/1/15）。',
    '4. 未当场整改的隐患和所有重大隐患，必须填写五落实：责任人、职务、联系电话、整改措施、整改资金、资金来源、整改时限、应急预案。',
    '5. 当场整改的隐患须填写“当场整改情况”。',
    '6. 任何一行有错时整批不导入，页面会按行、列列出全部错误；改正后重新上传即可。同一文件重复上传不会重复导入。',
  ]) {
    help.addRow([line]);
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** The text a person sees in a cell; a formula is kept as its source text, never evaluated or re-emitted as one. */
export function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((part) => part.text).join('');
    if ('formula' in value && typeof value.formula === 'string') return `=${value.formula}`;
    if ('sharedFormula' in value) return `=${String(value.sharedFormula)}`;
    if ('text' in value) return String(value.text);
    if ('error' in value) return String(value.error);
    return '';
  }
  return String(value);
}

/**
 * Reads the data rows of an uploaded template. The archive is read whole through its central
 * directory (exceljs's non-streaming reader), not with exceljs's streaming reader: that one reads
 * the zip in one forward pass and at times loses `xl/workbook.xml`, which exceljs itself writes
 * last, and then fails (exceljs#3064). The upload limit bounds the buffer.
 *
 * The data sheet is found by name, else as the first sheet whose row 1 holds template headers, so
 * sheets may be reordered or renamed; within it, columns are found by their headers. A file that
 * is no workbook, or has no such sheet, is a problem for the unit to fix, not an error: a stream
 * that fails to read still throws, so the event is retried.
 */
export async function readHazardRows(
  input: Readable,
  given: { maxUnpackedBytes?: number; maxEntries?: number } = {},
): Promise<WorkbookRead> {
  const limits = { maxUnpackedBytes: MAX_UNPACKED_MB * 1024 * 1024, maxEntries: MAX_ZIP_ENTRIES, ...given };
  const bytes = await buffer(input);
  const workbook = new ExcelJS.Workbook();
  try {
    // The count the zip declares is checked before anything is parsed, the parts found after.
    const declared = declaredEntries(bytes);
    if (declared !== null && declared > limits.maxEntries) {
      return { ok: false, error: WORKBOOK_PROBLEMS.tooManyEntries };
    }
    const zip = await JSZip.loadAsync(bytes);
    if (Object.keys(zip.files).length > limits.maxEntries) {
      return { ok: false, error: WORKBOOK_PROBLEMS.tooManyEntries };
    }
    if (await unpacksPast(zip, limits.maxUnpackedBytes)) {
      return { ok: false, error: WORKBOOK_PROBLEMS.tooLarge };
    }
    await workbook.xlsx.load(bytes as never);
  } catch {
    return { ok: false, error: WORKBOOK_PROBLEMS.unreadable };
  }
  const headerFields = (sheet: ExcelJS.Worksheet) =>
    ((sheet.findRow(1)?.values ?? []) as ExcelJS.CellValue[]).map((value) => fieldOfHeader(cellText(value)));
  const named = workbook.getWorksheet(DATA_SHEET);
  const sheet = [...(named ? [named] : []), ...workbook.worksheets].find((candidate) =>
    headerFields(candidate).some(Boolean),
  );
  if (!sheet) return { ok: false, error: WORKBOOK_PROBLEMS.noDataSheet };

  const fields = headerFields(sheet);
  const rows: ImportRow[] = [];
  for (let number = 2; number <= sheet.rowCount && rows.length <= MAX_IMPORT_ROWS; number += 1) {
    const values = (sheet.findRow(number)?.values ?? []) as ExcelJS.CellValue[];
    const cells: Record<string, string> = {};
    values.forEach((value, index) => {
      const field = fields[index];
      const text = cellText(value);
      if (field && text.trim() !== '') cells[field] = text;
    });
    if (Object.keys(cells).length > 0) rows.push({ row: number, cells });
  }
  return { ok: true, rows };
}

/**
 * The number of entries a zip's end-of-central-directory record declares, read from the last
 * 64 KiB without parsing anything else; null when there is no such record (then JSZip refuses
 * the file). 0xFFFF means "see the ZIP64 record", which only archives of that many entries use.
 */
function declaredEntries(bytes: Buffer): number | null {
  const EOCD = 0x06054b50;
  for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - 22 - 0xffff); at -= 1) {
    if (bytes.readUInt32LE(at) === EOCD) return bytes.readUInt16LE(at + 10);
  }
  return null;
}

/**
 * Whether the archive's parts unpack to more than `limit` bytes, counted as they inflate (the
 * sizes a zip declares may lie) and stopping once past it.
 */
async function unpacksPast(zip: JSZip, limit: number): Promise<boolean> {
  let total = 0;
  for (const part of Object.values(zip.files)) {
    if (part.dir) continue;
    const over = await new Promise<boolean>((resolve, reject) => {
      const inflating = part.nodeStream('nodebuffer');
      inflating
        .on('data', (chunk: Buffer) => {
          total += chunk.length;
          if (total > limit) {
            inflating.pause();
            resolve(true);
          }
        })
        .on('error', reject)
        .on('end', () => resolve(false))
        .resume();
    });
    if (over) return true;
  }
  return false;
}
