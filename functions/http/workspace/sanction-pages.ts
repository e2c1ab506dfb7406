import type { Campaign } from '../../../schemas/campaign.ts';
import type { SanctionRecord, UnitRecord } from '../../../schemas/records.ts';
import { SANCTION_KINDS } from '../../../schemas/records.ts';
import type { Bilingual, FieldIssue } from '../../../schemas/validation.ts';
import { formatLocal } from '../../shared/domain/calendar/calendar.ts';
import { REASON_MAX_CHARS } from '../../shared/domain/reasons.ts';
import { CIRCULAR_MAX_UNITS } from '../../shared/domain/sanctions/circular.ts';
import { SANCTION_KIND_LABELS, sanctionDates } from '../../shared/domain/sanctions/sanctions.ts';
import { type Html, html, type Lang, layout } from '../../shared/web/html.ts';
import { t } from '../pages.ts';
import { WORKSPACE } from './chrome.ts';
import { csrfField, type Supervisor } from './session.ts';

/** The workspace's pages for summons and circulars (约谈/通报): the form that records one, and the list. */
export const SANCTIONS_PATH = `${WORKSPACE}/sanctions`;

const withLang = (path: string, lang: Lang) =>
  lang === 'en' ? `${path}${path.includes('?') ? '&' : '?'}lang=en` : path;

function fieldError(issues: readonly FieldIssue[], path: string, lang: Lang): Html {
  const issue = issues.find((i) => i.path === path);
  const other = lang === 'zh' ? 'en' : 'zh';
  return issue
    ? html`<span class="error" role="alert">${issue[lang]} <span class="muted">${issue[other]}</span></span>`
    : html``;
}

export interface SanctionFormValues {
  kind?: string;
  date?: string;
  reason?: string;
}

/** The form that records a summons or circular against one unit; a refused post comes back filled in. */
export function newSanctionPage(input: {
  campaign: Campaign;
  bar: Html;
  supervisor: Supervisor;
  unit: UnitRecord;
  values: SanctionFormValues;
  issues: readonly FieldIssue[];
  notice?: Bilingual;
  formKey: string;
  lang: Lang;
}): string {
  const { campaign, unit, values, issues, lang } = input;
  const { from, to } = sanctionDates(campaign);
  const other = lang === 'zh' ? 'en' : 'zh';
  const elsewhere = issues.filter((i) => !['kind', 'date', 'reason'].includes(i.path));
  const title = t(lang, '记录约谈/通报', 'Record a summons or circular');
  const body = html`
${input.bar}
<h1>${title}</h1>
<p>${unit.name} <span class="muted">${unit.code}</span> · <a href="${withLang(`${WORKSPACE}/units/${unit.code}`, lang)}">${t(lang, '查看该单位报送情况', "Open the unit's filings")}</a></p>
${input.notice ? html`<p class="error" role="alert">${input.notice[lang]} <span class="muted">${input.notice[other]}</span></p>` : ''}
${elsewhere.map((i) => html`<p class="error" role="alert">${i[lang]} <span class="muted">${i[other]}</span></p>`)}
<form class="hazard" method="post" action="${withLang(SANCTIONS_PATH, lang)}">
${csrfField(input.supervisor)}
<input type="hidden" name="formKey" value="${input.formKey}">
<input type="hidden" name="unit" value="${unit.code}">
<fieldset><legend>${t(lang, '类型', 'Kind')}</legend>
${SANCTION_KINDS.map(
  (kind) =>
    html`<label><input type="radio" name="kind" value="${kind}" required${values.kind === kind ? html` checked` : ''}> ${SANCTION_KIND_LABELS[kind][lang]}</label>`,
)}${fieldError(issues, 'kind', lang)}</fieldset>
<label>${t(lang, '日期', 'Date')}<input type="date" name="date" required min="${from}" max="${to}" value="${values.date ?? ''}">${fieldError(issues, 'date', lang)}</label>
<label>${t(lang, `事由（不超过 ${REASON_MAX_CHARS} 字）`, `Reason (up to ${REASON_MAX_CHARS} characters)`)}<textarea name="reason" rows="4" required maxlength="${REASON_MAX_CHARS}">${values.reason ?? ''}</textarea>${fieldError(issues, 'reason', lang)}</label>
<button type="submit">${t(lang, '记录', 'Record')}</button>
</form>
<p class="muted">${t(lang, '记录后该单位会在其填报页面看到，次日每日汇总中列出；记录不可修改。', 'The unit sees it on its page and the next daily digest lists it; a record cannot be changed.')}</p>`;
  return layout({ lang, title, body, switchHref: SANCTIONS_PATH });
}

export interface SanctionListItem extends SanctionRecord {
  unitName: string;
  /** Whether the viewer may upload (or replace) its document: the deciding body, or the office. */
  mayUpload: boolean;
}

/** Where a decision's document is uploaded (a page) and read (a download), in the workspace. */
export const sanctionLinks = {
  upload: (s: Pick<SanctionRecord, 'unitCode' | 'id'>) => `${SANCTIONS_PATH}/${s.unitCode}/${s.id}/document`,
  file: (s: Pick<SanctionRecord, 'unitCode' | 'id'>) =>
    `${SANCTIONS_PATH}/${s.unitCode}/${s.id}/document/file`,
};

/** The decision's document as a line of a list: a download link, or that there is none yet. */
export function sanctionDocumentLine(s: SanctionRecord, href: string, lang: Lang): Html {
  return s.document
    ? html`${t(lang, '文件', 'Document')}：<a href="${href}">${s.document.displayName}</a>`
    : html`<span class="muted">${t(lang, '尚未上传文件', 'No document yet')}</span>`;
}

/** The form that uploads (or replaces) a decision's document straight to storage; works without script. */
export function sanctionDocumentPage(input: {
  campaign: Campaign;
  bar: Html;
  unit: UnitRecord;
  sanction: SanctionRecord;
  form: { url: string; fields: Record<string, string> };
  lang: Lang;
}): string {
  const { campaign, unit, sanction: s, form, lang } = input;
  const title = t(lang, '上传约谈/通报文件', 'Upload the document of a summons or circular');
  const types = campaign.uploads.acceptedTypes.join('、');
  const body = html`
${input.bar}
<h1>${title}</h1>
<p><span class="tag bad">${SANCTION_KIND_LABELS[s.kind][lang]}</span> <strong>${s.date}</strong> ${unit.name} <span class="muted">${unit.code}</span><br>${s.reason}</p>
<p>${sanctionDocumentLine(s, withLang(sanctionLinks.file(s), lang), lang)}</p>
<form class="upload" method="post" action="${form.url}" enctype="multipart/form-data">
${Object.entries(form.fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
<label>${s.document ? t(lang, '更换文件', 'Replace the document') : t(lang, '选择文件', 'Choose the file')} <input type="file" name="file" required></label>
<button type="submit">${t(lang, '上传', 'Upload')}</button>
</form>
<p class="muted">${t(lang, `可上传 ${types} 文件；单位会在其填报页面看到并可下载。`, `Files of type ${types}; the unit sees and downloads it on its page.`)}</p>
<p><a href="${withLang(SANCTIONS_PATH, lang)}">${t(lang, '返回约谈/通报记录', 'Back to summons and circulars')}</a></p>`;
  return layout({ lang, title, body, switchHref: sanctionLinks.upload(s) });
}

/** Every decision in the supervisor's scope, newest date first, each unit a link; and the draft-circular export. */
export function sanctionListPage(input: {
  campaign: Campaign;
  bar: Html;
  sanctions: readonly SanctionListItem[];
  /** The id of a decision just recorded, to confirm it. */
  recorded?: string;
  /** The id of a decision whose document was just uploaded. */
  uploaded?: string;
  lang: Lang;
}): string {
  const { campaign, sanctions, lang } = input;
  const title = t(lang, '约谈/通报记录', 'Summons and circulars');
  const units = [...new Map(sanctions.map((s) => [s.unitCode, s.unitName])).entries()];
  const body = html`
${input.bar}
<h1>${title}</h1>
${input.recorded && sanctions.some((s) => s.id === input.recorded) ? html`<p class="notice" role="status">${t(lang, '已记录。可在下方为该记录上传文件。', 'Recorded. Upload its document below.')}</p>` : ''}
${input.uploaded && sanctions.some((s) => s.id === input.uploaded) ? html`<p class="notice" role="status">${t(lang, '文件已上传，处理完成后即显示在记录中（如未显示请稍后刷新）。', 'The document was uploaded; it shows on the decision once stored (reload in a moment if not).')}</p>` : ''}
<section class="card" id="record"><h2>${t(lang, '记录新的约谈/通报', 'Record a new one')}</h2>
<form method="get" action="${SANCTIONS_PATH}/new"><label>${t(lang, '单位代码', 'Unit code')} <input name="unit" required autocomplete="off"></label>${lang === 'en' ? html`<input type="hidden" name="lang" value="en">` : ''}
<button type="submit">${t(lang, '下一步', 'Next')}</button></form></section>
<section class="card" id="list"><h2>${t(lang, `共 ${sanctions.length} 条`, `${sanctions.length} in all`)}</h2>
${
  sanctions.length === 0
    ? html`<p class="muted">${t(lang, '尚无约谈或通报', 'None recorded yet')}</p>`
    : html`<ul class="hazards">${sanctions.map(
        (s) =>
          html`<li id="s-${s.id}"><span class="tag bad">${SANCTION_KIND_LABELS[s.kind][lang]}</span> <strong>${s.date}</strong> <a href="${withLang(`${WORKSPACE}/units/${s.unitCode}`, lang)}">${s.unitName}</a> <span class="muted">${s.unitCode}</span><br>${s.reason}<br>${sanctionDocumentLine(s, withLang(sanctionLinks.file(s), lang), lang)}${s.mayUpload ? html` · <a href="${withLang(sanctionLinks.upload(s), lang)}">${s.document ? t(lang, '更换文件', 'Replace') : t(lang, '上传文件', 'Upload')}</a>` : ''}<br><span class="muted">${t(lang, '记录', 'Recorded by')} ${s.actor} · ${formatLocal(new Date(s.recordedAt), campaign.timeZone)}</span></li>`,
      )}</ul>`
}</section>
<section class="card" id="circular"><h2>${t(lang, '导出通报草稿（xlsx）', 'Export a draft circular (xlsx)')}</h2>
<form method="get" action="${WORKSPACE}/circular.xlsx">
${units.map(([code, name]) => html`<label><input type="checkbox" name="unit" value="${code}"> ${name} <span class="muted">${code}</span></label><br>`)}
<label>${t(lang, '其他单位代码（以逗号或空格分隔）', 'Other unit codes (comma or space separated)')} <input name="unit" autocomplete="off"></label>
<button type="submit">${t(lang, '导出', 'Export')}</button></form>
<p class="muted">${t(lang, `最多 ${CIRCULAR_MAX_UNITS} 个单位；每次导出都会记录。`, `Up to ${CIRCULAR_MAX_UNITS} units; every export is recorded.`)}</p></section>`;
  return layout({ lang, title, body, switchHref: SANCTIONS_PATH });
}
