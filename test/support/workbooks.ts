import ExcelJS from 'exceljs';
import { TEMPLATE_COLUMNS } from '../../functions/shared/domain/hazards/hazard-import.ts';

/** The template's example row, one cell per column: a valid row to vary. */
export const EXAMPLE_ROW: readonly string[] = TEMPLATE_COLUMNS.map((c) => c.example);

/** A hazard workbook as a school fills it in: the template's header row, then `rows`. */
export async function hazardWorkbook(rows: readonly (readonly string[])[]): Promise<Uint8Array> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('隐患清单');
  sheet.addRow(TEMPLATE_COLUMNS.map((c) => c.header));
  for (const row of rows) sheet.addRow([...row]);
  return new Uint8Array(await book.xlsx.writeBuffer());
}

/** The example row with some cells changed, by the template's field names (`level`, `title`, …). */
export function hazardRow(fields: Readonly<Record<string, string>>): string[] {
  return TEMPLATE_COLUMNS.map((c) => fields[c.field] ?? c.example);
}
