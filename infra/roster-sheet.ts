import type { Campaign } from '../schemas/campaign.ts';
import { UNIT_TYPE_LABELS, type UnitType } from '../schemas/primitives.ts';
import { type Roster, type RosterRow, rosterForCampaign } from '../schemas/roster.ts';
import { type FieldIssue, type ParseResult, parseWith } from '../schemas/validation.ts';

/**
 * A roster from a bureau's own spreadsheet (`campaign roster import`): the first row that is not
 * empty names the columns, in Chinese or English, in any order; each later row is a unit (empty
 * rows are skipped). A unit's type and district may be written by code (`school`, `liyang`) or by
 * name (学校, 溧阳市, Liyang). The roster is then checked as a JSON roster is
 * (`rosterForCampaign`), and every problem is reported by its spreadsheet row and column.
 */

type RosterField = 'code' | 'name' | 'type' | 'district' | 'contact' | 'email' | 'phone';

/** Each field's column headers: the Chinese one first (what the template writes), then English ones. */
export const ROSTER_COLUMNS: Record<RosterField, readonly string[]> = {
  code: ['单位代码', 'code', 'unit code'],
  name: ['单位名称', 'name', 'unit name'],
  type: ['单位类型', 'type', 'unit type'],
  district: ['所属辖区', 'district'],
  contact: ['联系人', 'contact'],
  email: ['电子邮箱', 'email', 'e-mail'],
  phone: ['联系电话', 'phone', 'telephone'],
};

const FIELDS = Object.keys(ROSTER_COLUMNS) as RosterField[];

/** Headers and names compare with width, case and surrounding spaces folded. */
function fold(text: string): string {
  return text.normalize('NFKC').trim().toLowerCase();
}

function issue(path: string, value: unknown, code: string, zh: string, en: string): FieldIssue {
  return { path, value, code, zh, en };
}

function where(row: number, header: string): string {
  return `第 ${row} 行「${header}」列 / row ${row}, column "${header}"`;
}

/** A type by its code or its name in either language; the text itself when none matches (the check then names it). */
function typeOf(text: string): string {
  const folded = fold(text);
  for (const [type, label] of Object.entries(UNIT_TYPE_LABELS) as [UnitType, { zh: string; en: string }][])
    if (folded === type || folded === fold(label.zh) || folded === fold(label.en)) return type;
  return text.trim();
}

/** A district by its code or its name in either language; null when empty (city-level units). */
function districtOf(campaign: Campaign, text: string): string | null {
  const folded = fold(text);
  if (folded === '') return null;
  const found = campaign.districts.find(
    (d) => folded === fold(d.code) || folded === fold(d.name.zh) || folded === fold(d.name.en),
  );
  return found ? found.code : text.trim();
}

/**
 * The roster the sheet's `rows` (cell texts, row by row) list, or every problem by row and column.
 * `others`: the units the campaign keeps beside the file's (those it holds and the file does not
 * list, unless they are to be withdrawn): the roster's checks across units (one unit per code, a
 * bureau for every district with schools) see them too, so a file of a few new schools imports.
 */
export function rosterFromSheet(
  campaign: Campaign,
  rows: readonly (readonly string[])[],
  others: readonly RosterRow[] = [],
): ParseResult<Roster> {
  const headerIndex = rows.findIndex((row) => row.some((cell) => cell.trim() !== ''));
  const header = rows[headerIndex] ?? [];
  const columns = new Map<RosterField, number>();
  for (const field of FIELDS) {
    const names = ROSTER_COLUMNS[field].map(fold);
    const at = header.findIndex((cell) => names.includes(fold(cell)));
    if (at >= 0) columns.set(field, at);
  }
  const missing = FIELDS.filter((field) => !columns.has(field));
  if (missing.length > 0)
    return {
      ok: false,
      issues: missing.map((field) =>
        issue(
          `第 ${headerIndex + 1} 行（表头）/ row ${headerIndex + 1} (the header)`,
          header.join(', '),
          'roster-sheet.column-missing',
          `缺少「${ROSTER_COLUMNS[field][0]}」列`,
          `no "${ROSTER_COLUMNS[field][0]}" (${ROSTER_COLUMNS[field][1]}) column`,
        ),
      ),
    };

  const rowNumbers: number[] = [];
  const units = rows.flatMap((row, index) => {
    if (index <= headerIndex || row.every((cell) => cell.trim() === '')) return [];
    rowNumbers.push(index + 1);
    const cell = (field: RosterField) => (row[columns.get(field) ?? -1] ?? '').trim();
    // Codes, addresses and numbers typed with a Chinese input method come full-width: folded.
    const plain = (field: RosterField) => cell(field).normalize('NFKC');
    return [
      {
        code: plain('code').toUpperCase(),
        name: cell('name'),
        type: typeOf(cell('type')),
        district: districtOf(campaign, cell('district')),
        contact: cell('contact'),
        email: plain('email'),
        phone: plain('phone'),
      },
    ];
  });
  const listed = new Set(units.map((u) => u.code));
  const kept = others.filter((u) => !listed.has(u.code));
  const parsed = parseWith(rosterForCampaign(campaign), {
    campaign: campaign.id,
    units: [...units, ...kept],
  });
  if (parsed.ok)
    return { ok: true, value: { ...parsed.value, units: parsed.value.units.slice(0, units.length) } };
  return {
    ok: false,
    issues: parsed.issues.map((found) => {
      const at = /^units\[(\d+)\](?:\.(\w+))?/.exec(found.path);
      const index = at ? Number(at[1]) : -1;
      const row = rowNumbers[index];
      const other = kept[index - units.length];
      if (other)
        return { ...found, path: `系统中的单位 ${other.code} / ${other.code}, already in the campaign` };
      if (row === undefined) return found;
      const field = at?.[2] as RosterField | undefined;
      const headerName = field && columns.has(field) ? (header[columns.get(field) ?? -1] ?? field) : '';
      return {
        ...found,
        path: headerName ? where(row, headerName.trim()) : `第 ${row} 行 / row ${row}`,
      };
    }),
  };
}
