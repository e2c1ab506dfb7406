import type { Campaign } from '../../../../schemas/campaign.ts';
import {
  type HAZARD_SOURCES,
  type HazardReport,
  hazardReportInputSchema,
  type ReportContext,
} from '../../../../schemas/hazards.ts';
import type { Bilingual } from '../../../../schemas/validation.ts';
import { parseWith } from '../../../../schemas/validation.ts';
import { reportFromFields } from './hazard-fields.ts';

/**
 * Bulk import of hazards from the xlsx template. The template's columns carry the report form's
 * field names; cells hold the labels people read (消防, 重大, 自查, 是), mapped back to ids here.
 * Nothing is imported unless every row passes.
 */
export interface TemplateColumn {
  field: string;
  header: string;
  example: string;
  /** A drop-down list: the labels a cell may hold. */
  choices?: (campaign: Campaign) => string[];
}

export const SOURCE_LABELS_ZH: Record<(typeof HAZARD_SOURCES)[number], string> = {
  'self-check': '自查',
  supervision: '督查检查',
  report: '举报',
};

const YES_NO = ['是', '否'];

export const TEMPLATE_COLUMNS: readonly TemplateColumn[] = [
  {
    field: 'area',
    header: '隐患类别',
    example: '消防',
    choices: (c) => c.hazardDrive.areas.map((a) => a.name.zh),
  },
  {
    field: 'level',
    header: '隐患等级',
    example: '一般事故隐患',
    choices: (c) => c.hazardDrive.levels.map((l) => l.name.zh),
  },
  { field: 'title', header: '隐患名称', example: '消防通道堆放杂物' },
  { field: 'description', header: '隐患描述', example: '教学楼东侧消防通道堆放桌椅' },
  { field: 'location', header: '具体位置', example: '教学楼东侧' },
  { field: 'foundOn', header: '发现日期', example: '2018-01-15' },
  { field: 'source', header: '发现途径', example: '自查', choices: () => Object.values(SOURCE_LABELS_ZH) },
  { field: 'fixedOnSpot', header: '是否当场整改', example: '否', choices: () => YES_NO },
  { field: 'fixNote', header: '当场整改情况', example: '' },
  { field: 'five.owner.name', header: '责任人', example: '王某某' },
  { field: 'five.owner.role', header: '职务', example: '总务主任' },
  { field: 'five.owner.phone', header: '联系电话', example: '0519-00000000' },
  { field: 'five.measures', header: '整改措施', example: '清理杂物，设置禁停标志' },
  { field: 'five.funds.amountYuan', header: '整改资金（元）', example: '2000' },
  { field: 'five.funds.source', header: '资金来源', example: '学校公用经费' },
  { field: 'five.deadline', header: '整改时限', example: '2018-01-31' },
  { field: 'five.contingency', header: '应急预案', example: '安排专人值守' },
];

export const MAX_IMPORT_ROWS = 5000;

export interface ImportError extends Bilingual {
  /** The spreadsheet row (1 is the header). */
  row: number;
  /** The column header, or empty for the whole row. */
  column: string;
}

/** One data row: spreadsheet row number and cell text by field name. */
export interface ImportRow {
  row: number;
  cells: Record<string, string>;
}

/** What the xlsx adapter found in an uploaded workbook: its data rows, or why there are none to read. */
export type WorkbookRead = { ok: true; rows: ImportRow[] } | { ok: false; error: ImportError };

/**
 * The most an uploaded workbook may hold unpacked. Reading one takes about three times this in
 * memory (bench/RESULTS.md), and a 20 MB upload of repetitive cells can unpack to gigabytes.
 */
export const MAX_UNPACKED_MB = 100;

/**
 * The most parts an uploaded workbook's zip may hold. A filled-in template has about a dozen; a
 * zip of 215,000 tiny parts unpacks slowly and costs memory per part before any byte is counted.
 */
export const MAX_ZIP_ENTRIES = 10_000;

/** Whole-file problems carry row 0: they belong to no row. */
export const WORKBOOK_PROBLEMS = {
  unreadable: {
    row: 0,
    column: '',
    zh: '无法读取：文件不是有效的 Excel 工作簿（.xlsx）。请用 Excel 或 WPS 打开导入模板，填写后另存为 .xlsx 再上传',
    en: 'Unreadable: the file is not a valid Excel workbook (.xlsx). Fill in the import template in Excel or WPS, save it as .xlsx and upload it again',
  },
  tooLarge: {
    row: 0,
    column: '',
    zh: `工作簿过大：解压后超过 ${MAX_UNPACKED_MB} MB。一次最多导入 ${MAX_IMPORT_ROWS} 行，请只保留「隐患清单」表并删去其他内容后再上传`,
    en: `The workbook is too large: over ${MAX_UNPACKED_MB} MB unpacked. An import takes at most ${MAX_IMPORT_ROWS} rows; keep only the 隐患清单 sheet and upload it again`,
  },
  tooManyEntries: {
    row: 0,
    column: '',
    zh: `工作簿结构异常：压缩包内文件超过 ${MAX_ZIP_ENTRIES.toLocaleString('en-US')} 个，不是正常的 Excel 文件。请在下载的导入模板中填写后另存为 .xlsx 再上传`,
    en: `The workbook is malformed: its zip holds more than ${MAX_ZIP_ENTRIES.toLocaleString('en-US')} parts, which no Excel file does. Fill in the downloaded template, save it as .xlsx and upload it again`,
  },
  noDataSheet: {
    row: 0,
    column: '',
    zh: '找不到「隐患清单」表：没有哪张表的第 1 行是模板的表头。请使用下载的导入模板，不要改动第 1 行',
    en: 'No 隐患清单 sheet: no sheet has the template headers in row 1. Use the downloaded template and leave row 1 as it is',
  },
} as const satisfies Record<string, ImportError>;

/** The template field a header cell names, if any; extra columns are ignored. */
export function fieldOfHeader(header: string): string | undefined {
  return TEMPLATE_COLUMNS.find((c) => c.header === header.trim())?.field;
}

function labelToId(campaign: Campaign, field: string, value: string): string {
  const text = value.trim();
  switch (field) {
    case 'area':
      return campaign.hazardDrive.areas.find((a) => a.name.zh === text || a.id === text)?.id ?? text;
    case 'level': {
      const level = campaign.hazardDrive.levels.find((l) => l.name.zh === text || l.id === text);
      if (level) return level.id;
      return text === '一般' ? 'general' : text === '重大' ? 'major' : text;
    }
    case 'source':
      return (Object.entries(SOURCE_LABELS_ZH).find(([, label]) => label === text)?.[0] ?? text) as string;
    case 'fixedOnSpot':
      return text === '是' || text === 'yes'
        ? 'yes'
        : text === '否' || text === 'no' || text === ''
          ? 'no'
          : text;
    case 'foundOn':
    case 'five.deadline': {
      // People write 2018/1/5 or 2018.1.5 as often as 2018-01-05.
      const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(text);
      return m ? `${m[1]}-${(m[2] ?? '').padStart(2, '0')}-${(m[3] ?? '').padStart(2, '0')}` : text;
    }
    default:
      return text;
  }
}

/**
 * Validates every row against the report form's own schema (`context`: today and the earliest
 * date found); returns the reports only if all pass, else every error by row and column.
 */
export function validateImport(
  campaign: Campaign,
  rows: readonly ImportRow[],
  context: ReportContext,
): { ok: true; reports: HazardReport[] } | { ok: false; errors: ImportError[] } {
  const schema = hazardReportInputSchema(context);
  const errors: ImportError[] = [];
  const reports: HazardReport[] = [];
  const header = (path: string) =>
    TEMPLATE_COLUMNS.find((c) => c.field === path || path.startsWith(`${c.field}.`))?.header ??
    (path.startsWith('five') ? '五落实' : '');
  if (rows.length === 0) {
    errors.push({ row: 2, column: '', zh: '没有数据行', en: 'there are no data rows' });
  }
  if (rows.length > MAX_IMPORT_ROWS) {
    errors.push({
      row: MAX_IMPORT_ROWS + 2,
      column: '',
      zh: `最多 ${MAX_IMPORT_ROWS} 行`,
      en: `at most ${MAX_IMPORT_ROWS} rows`,
    });
    return { ok: false, errors };
  }
  for (const { row, cells } of rows) {
    const fields = new Map(
      Object.entries(cells).map(([field, value]) => [field, labelToId(campaign, field, value)]),
    );
    const result = parseWith(schema, reportFromFields({ get: (name) => fields.get(name) ?? null }));
    if (result.ok) reports.push(result.value);
    else
      for (const issue of result.issues)
        errors.push({ row, column: header(issue.path), zh: issue.zh, en: issue.en });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, reports };
}
