import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parseString } from '@fast-csv/parse';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';

/**
 * A roster spreadsheet's cells as text, row by row, from the files Excel, WPS and LibreOffice
 * write: xlsx (the first worksheet), or CSV in UTF-8 (with or without a byte-order mark), UTF-16
 * with a mark, or GB18030 (what Excel's "CSV" writes on a Chinese Windows).
 */
export async function readSheetRows(path: string): Promise<string[][]> {
  const bytes = await readFile(path);
  const type = extname(path).toLowerCase();
  if (type === '.xlsx') return xlsxRows(bytes);
  if (type === '.csv') return csvRows(decodeText(bytes));
  throw new Error(`只能导入 .xlsx 或 .csv 文件 / only .xlsx and .csv files can be imported, got "${path}"`);
}

/** The text of CSV bytes: by their byte-order mark, else UTF-8 if they are valid UTF-8, else GB18030. */
export function decodeText(bytes: Buffer): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.subarray(3).toString('utf8');
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return iconv.decode(bytes.subarray(2), 'utf16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return iconv.decode(bytes.subarray(2), 'utf16be');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return iconv.decode(bytes, 'gb18030');
  }
}

function csvRows(text: string): Promise<string[][]> {
  return new Promise((resolve, reject) => {
    const rows: string[][] = [];
    parseString<string[], string[]>(text, { headers: false, ignoreEmpty: true })
      .on('data', (row: string[]) => rows.push(row))
      .on('error', reject)
      .on('end', () => resolve(rows));
  });
}

async function xlsxRows(bytes: Buffer): Promise<string[][]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  const sheet = workbook.worksheets[0];
  if (!sheet) return [];
  const rows: string[][] = [];
  for (let r = 1; r <= sheet.rowCount; r += 1) {
    const row = sheet.getRow(r);
    const cells: string[] = [];
    // `text` is what the cell shows: a phone stored as a number, an e-mail stored as a link.
    for (let c = 1; c <= sheet.columnCount; c += 1) cells.push(row.getCell(c).text ?? '');
    rows.push(cells);
  }
  return rows;
}
