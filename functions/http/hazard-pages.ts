import type { Campaign } from '../../schemas/campaign.ts';
import { type AttachmentKind, HAZARD_SOURCES, withoutControlCharacters } from '../../schemas/hazards.ts';
import type {
  HazardHistoryEntry,
  HazardImport,
  HazardRecord,
  UnitRecord,
  ZeroReport,
} from '../../schemas/records.ts';
import type { FieldIssue } from '../../schemas/validation.ts';
import { formatLocal } from '../shared/domain/calendar/calendar.ts';
import {
  ACTION_LABELS,
  type HazardActor,
  hazardDeadline,
  isOpenHazard,
  isOverdueMajor,
  STATUS_LABELS,
} from '../shared/domain/hazards/hazard-lifecycle.ts';
import { Html, html, type Lang, layout } from '../shared/web/html.ts';

const t = (lang: Lang, zh: string, en: string) => (lang === 'zh' ? zh : en);

const SOURCE_LABELS: Record<(typeof HAZARD_SOURCES)[number], { zh: string; en: string }> = {
  'self-check': { zh: '自查', en: 'self-check' },
  supervision: { zh: '督查检查', en: 'supervision check' },
  report: { zh: '举报', en: 'report' },
};

function levelTag(hazard: HazardRecord, campaign: Campaign, lang: Lang): Html {
  const level = campaign.hazardDrive.levels.find((l) => l.id === hazard.level);
  return html`<span class="tag ${hazard.level === 'major' ? 'bad' : 'warn'}">${level?.name[lang] ?? hazard.level}</span>`;
}

function statusTag(hazard: HazardRecord, campaign: Campaign, now: Date, lang: Lang): Html {
  const overdue = isOverdueMajor(hazard, now, campaign.timeZone);
  const tone = hazard.status === 'closed' ? 'ok' : hazard.status === 'withdrawn' ? 'muted' : 'warn';
  return html`<span class="tag ${tone}">${STATUS_LABELS[hazard.status][lang]}</span>${
    overdue ? html` <span class="tag bad overdue">${t(lang, '督办逾期', 'overdue')}</span>` : ''
  }`;
}

/** The list of hazards on a unit's page or a supervisor's page: majors and open ones first. */
export function hazardList(input: {
  hazards: HazardRecord[];
  campaign: Campaign;
  now: Date;
  lang: Lang;
  base: string;
  /** Names the hazard's unit (a supervisor's list links it to the unit's page). */
  showUnit?: (code: string) => Html | string;
}): Html {
  const { hazards, campaign, now, lang, base } = input;
  if (hazards.length === 0)
    return html`<p class="muted">${t(lang, '暂无隐患记录', 'No hazards on record')}</p>`;
  return html`<ul class="hazards">${hazards.map((h) => {
    const deadline = hazardDeadline(h);
    return html`<li><a href="${base}/hazards/${h.unitCode}/${h.id}">${h.title}</a> ${levelTag(h, campaign, lang)} ${statusTag(h, campaign, now, lang)}
<div class="muted">${h.id}${input.showUnit ? html` · ${input.showUnit(h.unitCode)}` : ''}${deadline ? html` · ${t(lang, '整改期限', 'deadline')} ${deadline}` : ''}</div></li>`;
  })}</ul>`;
}

/**
 * The zero report (零报告): offered while the unit has nothing on record, shown once confirmed,
 * and shown as withdrawn once a hazard was reported after all. Silence looks different from all three.
 */
export function zeroReportBlock(input: {
  hazards: HazardRecord[];
  zero: ZeroReport | null;
  lang: Lang;
  base: string;
  today: string;
}): Html {
  const { zero, lang, base } = input;
  const current = zero && !zero.withdrawnAt ? zero : null;
  if (current) {
    return html`<p class="zero"><span class="tag ok">${t(lang, '已提交零报告', 'Zero report filed')}</span> ${t(lang, `${current.checkedOn} 自查未发现隐患`, `the self-check of ${current.checkedOn} found no hazards`)}</p>
<form method="post" action="${base}/zero-report"><input type="hidden" name="action" value="withdraw"><button type="submit">${t(lang, '撤回零报告', 'Withdraw the zero report')}</button></form>`;
  }
  const withdrawn = zero?.withdrawnAt
    ? html`<p class="muted zero">${t(lang, `零报告（${zero.checkedOn} 自查）已撤回`, `Zero report (self-check of ${zero.checkedOn}) withdrawn`)}${zero.withdrawnFor ? html`${t(lang, '：已上报隐患 ', ': hazard ')}${zero.withdrawnFor}` : ''}</p>`
    : html``;
  if (input.hazards.some(isOpenHazard)) return withdrawn;
  const prompt =
    input.hazards.length > 0
      ? t(
          lang,
          '隐患均已销号。如新一轮自查未发现隐患，可提交零报告：',
          'All hazards are closed out. If a new self-check found none, file a zero report:',
        )
      : t(
          lang,
          '尚未上报隐患，也未提交零报告。自查未发现隐患的，请提交零报告：',
          'No hazards reported and no zero report yet. If the self-check found no hazards, file a zero report:',
        );
  return html`${withdrawn}<form class="hazard zero" method="post" action="${base}/zero-report"><input type="hidden" name="action" value="confirm">
<p class="muted">${prompt}</p>
<label>${t(lang, '自查日期', 'Date of the self-check')}<input type="date" name="checkedOn" value="${input.today}" required></label>
<button type="submit">${t(lang, '确认：自查未发现隐患（零报告）', 'Confirm: no hazards found (zero report)')}</button></form>`;
}

/** Bulk import: the template, an upload form for the filled-in workbook, and what became of recent uploads. */
export function importBlock(input: {
  imports: HazardImport[];
  form: { url: string; fields: Record<string, string> } | null;
  lang: Lang;
  base: string;
}): Html {
  const { lang, base } = input;
  const status = (i: HazardImport) =>
    i.status === 'imported'
      ? html`<span class="tag ok">${t(lang, `已导入 ${i.rowCount} 条`, `${i.rowCount} imported`)}</span>`
      : i.status === 'importing'
        ? html`<span class="tag warn">${t(lang, '导入中', 'importing')}</span>`
        : html`<span class="tag bad">${t(lang, '未导入：有错误，整批未导入', 'Not imported: errors found, nothing was imported')}</span>`;
  return html`<details class="import"${input.imports.length > 0 ? new Html(' open') : ''}><summary>${t(lang, '批量导入（Excel）', 'Bulk import (Excel)')}</summary>
<p><a href="${base}/hazards/template.xlsx" download>${t(lang, '下载导入模板', 'Download the template')}</a> · ${t(lang, '任何一行有错则整批不导入', 'If any row has an error, nothing is imported')}</p>
${
  input.form
    ? html`<form class="upload" method="post" action="${input.form.url}" enctype="multipart/form-data" data-api="${base}/imports" data-import="1">
${Object.entries(input.form.fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
<label>${t(lang, '上传填好的模板（.xlsx）', 'Upload the filled-in template (.xlsx)')}<br><input type="file" name="file" required accept=".xlsx"></label>
<p class="error" role="alert" hidden></p><button type="submit">${t(lang, '上传并导入', 'Upload and import')}</button></form>`
    : ''
}
${input.imports
  .slice(0, 5)
  .map(
    (i) =>
      html`<div class="import-result"><p>${i.fileName} ${status(i)}</p>${
        i.errors.length > 0
          ? html`<table class="facts errors"><tr><th>${t(lang, '行', 'Row')}</th><th>${t(lang, '列', 'Column')}</th><th>${t(lang, '问题', 'Problem')}</th></tr>${i.errors.map((e) => html`<tr><td>${e.row > 0 ? e.row : ''}</td><td>${e.column}</td><td>${e[lang]}</td></tr>`)}</table>`
          : ''
      }</div>`,
  )}</details>`;
}

/** A field's error in place: the page's language first, then the other. */
function fieldError(issues: FieldIssue[], path: string, lang: Lang): Html {
  const issue = issues.find((i) => i.path === path || i.path.startsWith(`${path}.`));
  const other: Lang = lang === 'zh' ? 'en' : 'zh';
  return issue
    ? html`<span class="error">${issue[lang]} <span class="muted">${issue[other]}</span></span>`
    : html``;
}

/** The fields the report form shows; an issue about anything else is listed above the form. */
const FORM_FIELDS = [
  'area',
  'level',
  'title',
  'description',
  'location',
  'foundOn',
  'source',
  'fixedOnSpot',
  'fixNote',
  'five',
] as const;

/** The longest value shown back: the longest field takes 2,000 characters; a huge post is not echoed whole. */
const MAX_ECHO = 4000;

/** What was typed, as shown back: control characters removed (never rendered), cut to a sane length. */
export function echoValues(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values).map(([name, value]) => [name, withoutControlCharacters(value.slice(0, MAX_ECHO))]),
  );
}

type Values = Record<string, string>;

function textField(
  values: Values,
  issues: FieldIssue[],
  lang: Lang,
  name: string,
  label: string,
  type = 'text',
): Html {
  return html`<label>${label}<input type="${type}" name="${name}" value="${values[name] ?? ''}">${fieldError(issues, name, lang)}</label>`;
}

function textarea(values: Values, issues: FieldIssue[], lang: Lang, name: string, label: string): Html {
  return html`<label>${label}<textarea name="${name}" rows="3">${values[name] ?? ''}</textarea>${fieldError(issues, name, lang)}</label>`;
}

function select(
  values: Values,
  issues: FieldIssue[],
  lang: Lang,
  name: string,
  label: string,
  options: { value: string; label: string }[],
): Html {
  return html`<label>${label}<select name="${name}">${options.map(
    (o) =>
      html`<option value="${o.value}"${values[name] === o.value ? new Html(' selected') : ''}>${o.label}</option>`,
  )}</select>${fieldError(issues, name, lang)}</label>`;
}

/**
 * The report form. Works without script; after any refusal (invalid fields, a conflict, an error
 * of ours) it comes back filled in, with each error in place. It always carries a one-time key:
 * the one that was posted unless that one is spent, so a retry of a failed post is recognised.
 */
export function newHazardPage(input: {
  campaign: Campaign;
  unit: UnitRecord;
  values: Values;
  issues: FieldIssue[];
  /** Why the form came back, when not (only) for its fields: a conflict, or an error of ours. */
  notice?: { zh: string; en: string };
  formKey: string;
  lang: Lang;
  base: string;
}): string {
  const { campaign, unit, issues, lang, base } = input;
  const v = { fixedOnSpot: 'no', ...echoValues(input.values) };
  const title = t(lang, '上报隐患', 'Report a hazard');
  const body = html`<p><a href="${base}">← ${unit.name}</a></p><h1>${title}</h1>
${formNotices(issues, input.notice, lang)}
<form class="hazard" method="post" action="${base}/hazards">
<input type="hidden" name="formKey" value="${input.formKey}">
${reportFormFields(campaign, v, issues, lang)}
<button type="submit">${t(lang, '提交', 'Submit')}</button>
<p class="muted">${t(lang, '提交后可在隐患页面添加照片。', 'Photos can be added on the hazard page after submitting.')}</p>
</form>`;
  return layout({ lang, title, body, switchHref: `${base}/hazards/new` });
}

/** The notices above a report form: why it came back, and issues about fields it does not show. */
function formNotices(issues: FieldIssue[], notice: { zh: string; en: string } | undefined, lang: Lang): Html {
  const other: Lang = lang === 'zh' ? 'en' : 'zh';
  const shown = (path: string) => FORM_FIELDS.some((field) => path === field || path.startsWith(`${field}.`));
  const notices = [
    ...(notice ? [notice] : []),
    ...(issues.length > 0 && !notice
      ? [{ zh: '请改正标出的项目', en: 'Please correct the marked fields' }]
      : []),
    ...issues.filter((i) => !shown(i.path)),
  ];
  return html`${notices.map((n) => html`<p class="error" role="alert">${n[lang]} <span class="muted">${n[other]}</span></p>`)}`;
}

/**
 * The edit form of a registered report: the report form's fields, prefilled with the report (or
 * with what was typed, after a refusal, each error in place), posted as the `edit` action with
 * the version the page showed.
 */
export function editHazardPage(input: {
  campaign: Campaign;
  hazard: HazardRecord;
  values: Values;
  issues: FieldIssue[];
  notice?: { zh: string; en: string };
  version: number;
  lang: Lang;
  base: string;
}): string {
  const { campaign, hazard, issues, lang, base } = input;
  const v = { fixedOnSpot: 'no', ...echoValues(input.values) };
  const title = t(lang, '修改隐患上报内容', 'Edit the hazard report');
  const path = `${base}/hazards/${hazard.unitCode}/${hazard.id}`;
  const body = html`<p><a href="${path}">← ${hazard.title} · ${hazard.id}</a></p><h1>${title}</h1>
${formNotices(issues, input.notice, lang)}
<form class="hazard" method="post" action="${path}/actions">
<input type="hidden" name="action" value="edit"><input type="hidden" name="version" value="${input.version}">
${reportFormFields(campaign, v, issues, lang)}
<button type="submit">${t(lang, '保存修改', 'Save the changes')}</button>
<p class="muted">${t(lang, '开始整改后不能再修改；修改前后的内容都记入历史记录。', 'Once rectification starts the report can no longer be edited; the history keeps the old and the new values.')}</p>
</form>`;
  return layout({ lang, title, body, switchHref: `${path}/edit` });
}

/** The report form's fields, shared by the new report and the edit form. */
function reportFormFields(campaign: Campaign, v: Values, issues: FieldIssue[], lang: Lang): Html {
  return html`${select(
    v,
    issues,
    lang,
    'area',
    t(lang, '隐患类别', 'Area'),
    campaign.hazardDrive.areas.map((a) => ({ value: a.id, label: a.name[lang] })),
  )}
${select(
  v,
  issues,
  lang,
  'level',
  t(lang, '隐患等级', 'Level'),
  campaign.hazardDrive.levels.map((l) => ({ value: l.id, label: l.name[lang] })),
)}
${textField(v, issues, lang, 'title', t(lang, '隐患名称', 'Short title'))}
${textarea(v, issues, lang, 'description', t(lang, '隐患描述', 'Description'))}
${textField(v, issues, lang, 'location', t(lang, '具体位置', 'Location'))}
${textField(v, issues, lang, 'foundOn', t(lang, '发现日期', 'Date found'), 'date')}
${select(
  v,
  issues,
  lang,
  'source',
  t(lang, '发现途径', 'Source'),
  HAZARD_SOURCES.map((s) => ({ value: s, label: SOURCE_LABELS[s][lang] })),
)}
${select(v, issues, lang, 'fixedOnSpot', t(lang, '是否当场整改', 'Fixed on the spot?'), [
  { value: 'no', label: t(lang, '否', 'No') },
  { value: 'yes', label: t(lang, '是', 'Yes') },
])}
${textarea(v, issues, lang, 'fixNote', t(lang, '当场整改情况（当场整改时必填）', 'How it was fixed (if fixed on the spot)'))}
<fieldset><legend>${t(lang, '五落实（未当场整改或重大隐患必填）', 'Five implementations (required unless fixed on the spot; always for a major hazard)')}</legend>
${fieldError(issues, 'five', lang)}
${textField(v, issues, lang, 'five.owner.name', t(lang, '责任人姓名', 'Responsible person'))}
${textField(v, issues, lang, 'five.owner.role', t(lang, '职务', 'Role'))}
${textField(v, issues, lang, 'five.owner.phone', t(lang, '联系电话', 'Phone'), 'tel')}
${textarea(v, issues, lang, 'five.measures', t(lang, '整改措施', 'Measures'))}
${textField(v, issues, lang, 'five.funds.amountYuan', t(lang, '整改资金（元）', 'Funds (yuan)'))}
${textField(v, issues, lang, 'five.funds.source', t(lang, '资金来源', 'Source of funds'))}
${textField(v, issues, lang, 'five.deadline', t(lang, '整改时限', 'Deadline'), 'date')}
${textarea(v, issues, lang, 'five.contingency', t(lang, '应急预案（也可提交后在隐患页面上传文件）', 'Contingency plan (or upload it as a document on the hazard page)'))}
</fieldset>`;
}

function actionForm(
  at: { base: string; extra: Html },
  hazard: HazardRecord,
  kind: string,
  label: string,
  fields: Html = html``,
): Html {
  return html`<form class="action" method="post" action="${at.base}/hazards/${hazard.unitCode}/${hazard.id}/actions">
${at.extra}<input type="hidden" name="action" value="${kind}"><input type="hidden" name="version" value="${hazard.version}">${fields}<button type="submit">${label}</button></form>`;
}

/** The actions `actor` may take now; the state machine refuses anything else anyway. */
function actionsFor(
  hazard: HazardRecord,
  actor: HazardActor,
  campaign: Campaign,
  base: string,
  lang: Lang,
  extra: Html,
): Html[] {
  const at = { base, extra };
  const label = (kind: keyof typeof ACTION_LABELS) => ACTION_LABELS[kind][lang];
  const forms: Html[] = [];
  const decider = hazard.level === 'major' ? actor.role === 'supervisor' : actor.role === 'owner';
  const pendingExtension = hazard.supervision?.extensions.find((e) => e.decision === 'pending');
  const open = isOpenHazard(hazard);
  if (actor.role === 'owner' && hazard.status === 'registered') {
    forms.push(actionForm(at, hazard, 'start-rectifying', label('start-rectifying')));
    forms.push(
      html`<p class="action"><a href="${base}/hazards/${hazard.unitCode}/${hazard.id}/edit">${label('edit')}</a> <span class="muted">${t(lang, '（开始整改前可修改）', '(until rectification starts)')}</span></p>`,
    );
    forms.push(
      actionForm(
        at,
        hazard,
        'withdraw',
        label('withdraw'),
        html`<label>${t(lang, '撤回理由（如误报、重复上报）', 'Reason (e.g. reported in error, a duplicate)')}<textarea name="reason" rows="2" required></textarea></label>`,
      ),
    );
  }
  if (actor.role === 'supervisor' && open) {
    const levels = campaign.hazardDrive.levels;
    const areas = campaign.hazardDrive.areas;
    forms.push(
      actionForm(
        at,
        hazard,
        'reclassify',
        label('reclassify'),
        html`<label>${t(lang, '隐患等级', 'Level')}<select name="level">${levels.map((l) => html`<option value="${l.id}"${l.id === hazard.level ? new Html(' selected') : ''}>${l.name[lang]}</option>`)}</select></label>
<label>${t(lang, '隐患类别', 'Area')}<select name="area">${areas.map((a) => html`<option value="${a.id}"${a.id === hazard.area ? new Html(' selected') : ''}>${a.name[lang]}</option>`)}</select></label>
<label>${t(lang, '调整理由', 'Reason')}<textarea name="reason" rows="2" required></textarea></label>
<p class="muted">${t(lang, '改为重大隐患即挂牌督办；改为一般隐患即撤销督办。', 'Major lists it for supervision; general lifts the supervision.')}</p>`,
      ),
    );
  }
  if (actor.role === 'owner' && hazard.status === 'rectifying') {
    forms.push(
      actionForm(
        at,
        hazard,
        'submit-for-acceptance',
        label('submit-for-acceptance'),
        html`<label>${t(lang, '整改情况', 'What was done')}<textarea name="note" rows="2" required></textarea></label>`,
      ),
    );
  }
  if (decider && hazard.status === 'awaiting-acceptance') {
    forms.push(
      actionForm(
        at,
        hazard,
        'accept',
        label('accept'),
        html`<label>${t(lang, '验收意见（可选）', 'Remarks (optional)')}<input name="note"></label>`,
      ),
    );
    forms.push(
      actionForm(
        at,
        hazard,
        'refuse',
        label('refuse'),
        html`<label>${t(lang, '不予验收的理由', 'Reason')}<textarea name="reason" rows="2" required></textarea></label>`,
      ),
    );
  }
  if (actor.role === 'owner' && hazard.supervision && open && !pendingExtension) {
    forms.push(
      actionForm(
        at,
        hazard,
        'request-extension',
        label('request-extension'),
        html`<label>${t(lang, '新的整改期限', 'New deadline')}<input type="date" name="newDeadline" required></label><label>${t(lang, '延期理由', 'Reason')}<textarea name="reason" rows="2" required></textarea></label>`,
      ),
    );
  }
  if (actor.role === 'supervisor' && pendingExtension && open) {
    const extensionForm = (grant: boolean) =>
      actionForm(
        at,
        hazard,
        'decide-extension',
        grant ? t(lang, '同意延期', 'Grant the extension') : t(lang, '不同意延期', 'Refuse the extension'),
        html`<input type="hidden" name="grant" value="${grant ? 'yes' : 'no'}"><label>${t(lang, '意见（可选）', 'Remarks (optional)')}<input name="note"></label>`,
      );
    forms.push(extensionForm(true), extensionForm(false));
  }
  return forms;
}

function historyList(
  entries: HazardHistoryEntry[],
  campaign: Campaign,
  lang: Lang,
  unitName: (code: string) => string,
): Html {
  return html`<ol class="history">${entries.map(
    (
      e,
    ) => html`<li><strong>${ACTION_LABELS[e.action as keyof typeof ACTION_LABELS]?.[lang] ?? e.action}</strong>
<span class="muted">${formatLocal(new Date(e.at), campaign.timeZone)} · ${unitName(e.byUnit)}${e.afterClose ? html` · <span class="tag warn">${t(lang, '行动结束后', 'after close')}</span>` : ''}</span>
${e.note ? html`<div>${e.note}</div>` : ''}${changesOf(e, lang)}</li>`,
  )}</ol>`;
}

/** Corrections show each field's old and new value; other steps name the fields they changed. */
const SHOWN_WITH_VALUES = new Set(['edit', 'withdraw', 'reclassify']);

/** A history value as text: empty as a dash, objects as JSON, cut to a readable length. */
function shownValue(value: unknown): string {
  const text =
    value === null || value === undefined || value === ''
      ? '—'
      : typeof value === 'string'
        ? value
        : typeof value === 'boolean'
          ? value
            ? '✓'
            : '✗'
          : JSON.stringify(value);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

function changesOf(e: HazardHistoryEntry, lang: Lang): Html | string {
  if (e.action === 'report' || e.action === 'import') return '';
  if (!SHOWN_WITH_VALUES.has(e.action))
    return html`<div class="muted">${t(lang, '变更', 'changed')}: ${e.changes.map((c) => c.field).join(', ')}</div>`;
  return html`<ul class="changes">${e.changes.map(
    (c) =>
      html`<li><code>${c.field}</code>: <del>${shownValue(c.from)}</del> → <ins>${shownValue(c.to)}</ins></li>`,
  )}</ul>`;
}

const ATTACHMENT_LABELS: Record<
  AttachmentKind,
  { zh: string; en: string; upload: { zh: string; en: string } }
> = {
  before: { zh: '整改前', en: 'before', upload: { zh: '上传隐患照片', en: 'Upload a photo of the hazard' } },
  after: { zh: '整改后', en: 'after', upload: { zh: '上传整改后照片', en: 'Upload an "after" photo' } },
  plan: {
    zh: '应急预案',
    en: 'contingency plan',
    upload: { zh: '上传应急预案文件', en: 'Upload the contingency plan' },
  },
};

function photoForm(
  base: string,
  hazard: HazardRecord,
  photo: { photoKind: AttachmentKind; form: { url: string; fields: Record<string, string> } },
  lang: Lang,
): Html {
  const label = ATTACHMENT_LABELS[photo.photoKind].upload[lang];
  const accept = photo.photoKind === 'plan' ? '' : '.jpg,.jpeg,.png,image/jpeg,image/png';
  return html`<form class="upload photo" method="post" action="${photo.form.url}" enctype="multipart/form-data" data-api="${base}/hazards/${hazard.unitCode}/${hazard.id}/photos" data-kind="${photo.photoKind}">
${Object.entries(photo.form.fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
<label>${label}<br><input type="file" name="file" required${accept ? html` accept="${accept}"` : ''}></label>
<p class="error" role="alert" hidden></p><button type="submit">${t(lang, '上传', 'Upload')}</button></form>`;
}

export function hazardPage(input: {
  campaign: Campaign;
  hazard: HazardRecord;
  history: HazardHistoryEntry[];
  actor: HazardActor;
  unitName: (code: string) => string;
  photoForms: { photoKind: AttachmentKind; form: { url: string; fields: Record<string, string> } }[];
  uploaded: boolean;
  now: Date;
  lang: Lang;
  base: string;
  /**
   * The supervisors' workspace: its bar in place of the way back, and the CSRF field every action
   * form carries; `readOnly` for a supervisor who may read the hazard (it is in scope) but is not
   * the one that acts on it (a bureau lists it, the office reads).
   */
  workspace?: { bar: Html; csrf: Html; readOnly: boolean };
}): string {
  const { campaign, hazard, actor, lang, now, base } = input;
  const report = hazard.report;
  const area = campaign.hazardDrive.areas.find((a) => a.id === hazard.area);
  const five = report.five;
  const sup = hazard.supervision;
  const row = (label: string, value: Html | string | number) =>
    html`<tr><th>${label}</th><td>${value}</td></tr>`;
  const body = html`${input.workspace ? input.workspace.bar : html`<p><a href="${base}">← ${input.unitName(actor.unitCode)}</a></p>`}
<h1>${hazard.title}</h1>
<p>${levelTag(hazard, campaign, lang)} ${statusTag(hazard, campaign, now, lang)} <span class="muted">${hazard.id} · ${input.unitName(hazard.unitCode)}</span></p>
${hazard.status === 'withdrawn' && hazard.withdrawal ? html`<p class="notice" role="status">${t(lang, `上报已于 ${formatLocal(new Date(hazard.withdrawal.at), campaign.timeZone)} 撤回，理由：`, `Report withdrawn on ${formatLocal(new Date(hazard.withdrawal.at), campaign.timeZone)}; reason: `)}${hazard.withdrawal.reason}</p>` : ''}
${hazard.refusal && hazard.status === 'rectifying' ? html`<p class="error">${t(lang, '验收未通过，继续挂账：', 'Acceptance refused; stays on the books: ')}${hazard.refusal.reason}</p>` : ''}
<section class="card"><table class="facts">
${row(t(lang, '类别', 'Area'), area?.name[lang] ?? hazard.area)}
${row(t(lang, '位置', 'Location'), report.location)}
${row(t(lang, '发现日期', 'Found on'), report.foundOn)}
${row(t(lang, '发现途径', 'Source'), SOURCE_LABELS[report.source][lang])}
${row(t(lang, '描述', 'Description'), report.description)}
${report.fixedOnSpot ? row(t(lang, '当场整改', 'Fixed on the spot'), report.fixNote ?? '') : ''}
</table></section>
${
  five
    ? html`<section class="card"><h2>${t(lang, '五落实', 'Five implementations')}</h2><table class="facts">
${row(t(lang, '责任', 'Owner'), `${five.owner.name}（${five.owner.role}）${five.owner.phone}`)}
${row(t(lang, '措施', 'Measures'), five.measures)}
${row(t(lang, '资金', 'Funds'), `${five.funds.amountYuan} ${t(lang, '元', 'yuan')} · ${five.funds.source}`)}
${row(
  t(lang, '时限', 'Deadline'),
  sup && sup.deadline !== five.deadline
    ? `${five.deadline} → ${sup.deadline}（${t(lang, '已延期', 'extended')}）`
    : five.deadline,
)}
${row(
  t(lang, '预案', 'Contingency'),
  five.contingency ??
    (hazard.photos.some((p) => p.kind === 'plan')
      ? t(lang, '见附件', 'attached')
      : html`<span class="error">${t(lang, '未提供：请填写或上传应急预案', 'missing: write or upload the contingency plan')}</span>`),
)}
</table></section>`
    : ''
}
${
  sup
    ? html`<section class="card"><h2>${t(lang, '挂牌督办', 'Listed supervision')}</h2><table class="facts">
${row(t(lang, '督办单位', 'Supervised by'), input.unitName(sup.supervisorUnit))}
${row(t(lang, '挂牌日期', 'Listed on'), sup.listedOn)}
${row(t(lang, '整改期限', 'Deadline'), sup.deadline)}
${sup.delistedOn ? row(t(lang, '摘牌销号', 'Delisted'), sup.delistedOn) : ''}
</table>${sup.extensions.length > 0 ? html`<ul>${sup.extensions.map((e) => html`<li>${t(lang, '延期至', 'Extend to')} ${e.newDeadline}：${e.reason} — ${e.decision === 'pending' ? t(lang, '待审批', 'pending') : e.decision === 'granted' ? t(lang, '已同意', 'granted') : t(lang, '未同意', 'refused')}${e.note ? `（${e.note}）` : ''}</li>`)}</ul>` : ''}</section>`
    : ''
}
${input.uploaded ? html`<p class="notice" role="status">${t(lang, '照片已上传，正在核验；稍后刷新本页即可看到。', 'Photo uploaded and being checked; reload in a moment.')}</p>` : ''}
<section class="card" id="photos"><h2>${t(lang, '照片', 'Photos')}</h2>${
    hazard.photos.length > 0
      ? html`<ul class="photos">${hazard.photos.map((p, i) => html`<li>${ATTACHMENT_LABELS[p.kind][lang]}：<a href="${base}/hazards/${hazard.unitCode}/${hazard.id}/photos/${i}">${p.displayName}</a></li>`)}</ul>`
      : html`<p class="muted">${t(lang, '暂无照片', 'No photos yet')}</p>`
  }${input.photoForms.map((p) => photoForm(base, hazard, p, lang))}</section>
<section class="card"><h2>${t(lang, '办理', 'Actions')}</h2>${(() => {
    if (input.workspace?.readOnly)
      return html`<p class="muted">${t(lang, '只读：由督办单位或上报单位办理', 'Read-only: the supervising or the reporting unit acts on it')}</p>`;
    const forms = actionsFor(hazard, actor, campaign, base, lang, input.workspace?.csrf ?? html``);
    return forms.length > 0
      ? forms
      : html`<p class="muted">${t(lang, '当前没有需要您办理的事项', 'Nothing for you to do now')}</p>`;
  })()}</section>
<section class="card"><h2>${t(lang, '历史记录', 'History')}</h2>${historyList(input.history, campaign, lang, input.unitName)}</section>
<script src="/assets/upload.js" defer></script>`;
  return layout({
    lang,
    title: `${hazard.title} · ${hazard.id}`,
    body,
    switchHref: `${base}/hazards/${hazard.unitCode}/${hazard.id}`,
  });
}
