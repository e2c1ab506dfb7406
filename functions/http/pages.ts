import type { Campaign, Deliverable } from '../../schemas/campaign.ts';
import { UNIT_TYPE_LABELS } from '../../schemas/primitives.ts';
import type { RejectedUpload, SanctionRecord, UnitRecord } from '../../schemas/records.ts';
import { daysBetween, formatLocal, localDateOf } from '../shared/domain/calendar/calendar.ts';
import type { Acceptance, DeliverableState } from '../shared/domain/calendar/deadlines.ts';
import { BOUNCE_KIND_LABELS, type BouncedUnit } from '../shared/domain/delivery/mail-bounces.ts';
import { FILE_TYPE_INFO } from '../shared/domain/filing/file-types.ts';
import { HARD_CLOSED, rejectionMessage } from '../shared/domain/filing/uploads.ts';
import { SANCTION_KIND_LABELS } from '../shared/domain/sanctions/sanctions.ts';
import { type Html, html, type Lang, layout } from '../shared/web/html.ts';
import { decisionsOfVersion, sentBackNotice } from './review-blocks.ts';
import type { DeliverablePanel } from './unit-page.ts';

export const t = (lang: Lang, zh: string, en: string) => (lang === 'zh' ? zh : en);

export function stateTag(state: DeliverableState, lang: Lang, zone: string): Html {
  switch (state.kind) {
    case 'due':
      return html`<span class="tag warn">${t(lang, `未报送 · 还剩 ${state.days} 天`, `not filed · ${state.days} day(s) left`)}</span>`;
    case 'due-today':
      return html`<span class="tag warn">${t(lang, '未报送 · 今天截止', 'not filed · due today')}</span>`;
    case 'overdue':
      return html`<span class="tag bad">${t(lang, `未报送 · 已逾期 ${state.days} 天`, `not filed · ${state.days} day(s) overdue`)}</span>`;
    case 'filed-on-time':
      return html`<span class="tag ok">${t(lang, '已按时报送', 'filed on time')}</span> <span class="muted">${formatLocal(new Date(state.filedAt), zone)}</span>${acceptedTag(state.accepted, lang, zone)}`;
    case 'filed-late':
      return html`<span class="tag bad">${t(lang, `逾期 ${state.days} 天报送`, `filed ${state.days} day(s) late`)}</span> <span class="muted">${formatLocal(new Date(state.filedAt), zone)}</span>${acceptedTag(state.accepted, lang, zone)}`;
    case 'sent-back':
      return html`<span class="tag bad">${t(lang, `退回修改 · 待重新报送`, 'sent back for changes · file a new version')}</span> <span class="muted">${t(lang, `第 ${state.version} 版，${formatLocal(new Date(state.at), zone)} 退回`, `version ${state.version}, sent back ${formatLocal(new Date(state.at), zone)}`)}</span>`;
  }
}

function acceptedTag(accepted: Acceptance | undefined, lang: Lang, zone: string): Html {
  if (!accepted) return html``;
  return html` <span class="tag ok">${t(lang, '审核通过', 'accepted')}</span> <span class="muted">${t(lang, `第 ${accepted.version} 版，${formatLocal(new Date(accepted.at), zone)}`, `version ${accepted.version}, ${formatLocal(new Date(accepted.at), zone)}`)}</span>`;
}

export function dueLine(deliverable: Deliverable, campaign: Campaign, lang: Lang): Html {
  return html`<div class="muted">${t(
    lang,
    `截止：${deliverable.dueDate} 当天 24:00 前（${campaign.timeZone}）`,
    `Due by the end of ${deliverable.dueDate} (${campaign.timeZone})`,
  )}</div>`;
}

function driveLine(campaign: Campaign, now: Date, lang: Lang): Html {
  const left = daysBetween(localDateOf(now, campaign.timeZone), campaign.hazardDrive.closesOn);
  const closes = campaign.hazardDrive.closesOn;
  const text =
    left >= 0
      ? t(
          lang,
          `隐患排查整治行动 ${closes} 结束，还剩 ${left} 天`,
          `The hazard drive closes on ${closes}: ${left} day(s) left`,
        )
      : t(lang, `隐患排查整治行动已于 ${closes} 结束`, `The hazard drive closed on ${closes}`);
  return html`<p class="muted">${text}</p>`;
}

export function landingPage(campaign: Campaign, now: Date, lang: Lang): string {
  const title = campaign.name[lang];
  const body = html`
<h1>${title}</h1>
<p class="muted">${campaign.organiser.name[lang]} · ${t(lang, '今天', 'Today')} ${localDateOf(now, campaign.timeZone)}</p>
<div class="card">
<h2>${t(lang, '报送材料', 'Deliverables')}</h2>
${campaign.deliverables.map((d) => html`<p><strong>${d.name[lang]}</strong>${dueLine(d, campaign, lang)}</p>`)}
</div>
${driveLine(campaign, now, lang)}
<p>${t(
    lang,
    '各地教育行政部门、直属单位和学校请使用邮件中收到的专属填报链接报送材料、上报隐患。',
    'District bureaus, directly affiliated units and schools file their documents and report hazards through the personal link they received by e-mail.',
  )}</p>`;
  return layout({ lang, title, body, switchHref: '/' });
}

export function sizeLabel(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function versionList(panel: DeliverablePanel, lang: Lang, zone: string, base: string): Html {
  if (panel.versions.length === 0) return html``;
  return html`<ol class="versions" reversed>${panel.versions.map(
    (v, i) =>
      html`<li><a href="${base}/files/${panel.deliverable.id}/${v.version}" download>${v.displayName}</a>
<span class="muted">${t(lang, `第 ${v.version} 版`, `version ${v.version}`)}${i === 0 ? t(lang, '（当前）', ' (current)') : ''} · ${formatLocal(new Date(v.receivedAt), zone)} · ${v.onTime ? t(lang, '按时', 'on time') : t(lang, '逾期', 'late')} · ${sizeLabel(v.size)}${v.sha256 ? html` · <span class="sha256" title="SHA-256">SHA-256 ${v.sha256}</span>` : ''}</span>${decisionsOfVersion(panel.decisions, v.version, lang, zone)}</li>`,
  )}</ol>`;
}

function rejectionList(rejections: RejectedUpload[], campaign: Campaign, lang: Lang): Html {
  if (rejections.length === 0) return html``;
  return html`<div class="rejected"><strong>${t(lang, '被拒收的上传', 'Refused uploads')}</strong><ul>${rejections.map(
    (r) => {
      const message = rejectionMessage(r.reason, campaign);
      return html`<li>${r.displayName ? html`${r.displayName}：` : ''}${message[lang]} <span class="muted">${formatLocal(new Date(r.receivedAt), campaign.timeZone)}</span></li>`;
    },
  )}</ul></div>`;
}

function uploadForm(panel: DeliverablePanel, campaign: Campaign, lang: Lang, base: string): Html {
  if (!panel.form) return html`<p class="tag bad">${HARD_CLOSED(campaign)[lang]}</p>`;
  const accept = campaign.uploads.acceptedTypes.flatMap((type) =>
    FILE_TYPE_INFO[type].extensions.map((e) => `.${e}`),
  );
  const label =
    panel.versions.length > 0
      ? t(lang, '上传新版本', 'Upload a new version')
      : t(lang, '上传文件', 'Upload the file');
  return html`<form class="upload" method="post" action="${panel.form.url}" enctype="multipart/form-data" data-api="${base}/uploads" data-deliverable="${panel.deliverable.id}">
${Object.entries(panel.form.fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
<label>${label}<br><input type="file" name="file" required accept="${accept.join(',')}"></label>
<p class="error" role="alert" hidden></p>
<button type="submit">${t(lang, '上传', 'Upload')}</button>
<div class="muted">${t(lang, `可接受 ${accept.join(' ')}，不超过 ${(campaign.uploads.maxBytes / 1024 / 1024).toFixed(0)} MB`, `Accepted: ${accept.join(' ')}, up to ${(campaign.uploads.maxBytes / 1024 / 1024).toFixed(0)} MB`)}</div>
</form>`;
}

/** Units whose contact address bounces, for the office or bureau that can get it corrected. */
function bouncedList(
  bounced: BouncedUnit[],
  campaign: Campaign,
  lang: Lang,
  self: UnitRecord,
  selfPath: string,
): Html {
  return html`<section class="card" id="bounced"><h2>${t(lang, '退信：请核实联系邮箱', 'Bounced mail: check these contact addresses')}</h2>
<p class="muted">${t(lang, '发往以下单位联系邮箱的邮件被退回或被投诉为垃圾邮件，提醒和回执收不到。请在截止日期前核实并更新名册中的邮箱。', 'Mail to these contact addresses bounced or was marked as spam, so reminders and receipts do not arrive. Correct the address in the roster before a deadline passes.')}</p>
<ul>${bounced.map(
    (b) =>
      html`<li><strong>${b.unitCode === self.code ? b.unitName : html`<a href="${selfPath}/units/${b.unitCode}">${b.unitName}</a>`}</strong> <span class="muted">${b.unitCode}</span> · ${b.address} · <span class="tag bad">${BOUNCE_KIND_LABELS[b.kind][lang]}</span> ${[b.subtype, b.diagnostic].filter(Boolean).join(': ')} <span class="muted">${formatLocal(new Date(b.lastSeenAt), campaign.timeZone)}${b.count > 1 ? t(lang, `，共 ${b.count} 次`, ` · ${b.count} times`) : ''}</span></li>`,
  )}</ul></section>`;
}

/** The supervisors' way in to a unit's filings: a plain GET form, answered by a redirect or a 404. */
function findUnitForm(lang: Lang, selfPath: string): Html {
  return html`<section class="card" id="find-unit"><h2>${t(lang, '查看单位报送材料', "Open a unit's filings")}</h2>
<form method="get" action="${selfPath}/units"><label>${t(lang, '单位代码', 'Unit code')} <input name="code" required autocomplete="off"></label>${lang === 'en' ? html`<input type="hidden" name="lang" value="en">` : ''}
<button type="submit">${t(lang, '查看', 'Open')}</button></form>
<p class="muted">${t(lang, '可查看督查范围内单位报送的每一版材料；每次查看都会记录。', 'Every version a unit in your scope filed; each view is recorded.')}</p>
<p><a href="${selfPath}/workspace${lang === 'en' ? '?lang=en' : ''}">${t(lang, '进入督查工作台（全部单位的报送与隐患情况）', 'Open the supervision workspace (every unit in your scope)')}</a></p></section>`;
}

/** 约谈/通报记录: the decisions recorded against the unit, oldest first (shown only when there are some). */
export function sanctionCard(
  sanctions: readonly SanctionRecord[],
  campaign: Campaign,
  lang: Lang,
  selfPath: string,
): Html {
  if (sanctions.length === 0) return html``;
  return html`<section class="card" id="sanctions"><h2>${t(lang, '约谈/通报记录', 'Summons and circulars')}</h2>
<ul>${sanctions.map(
    (s) =>
      html`<li><span class="tag bad">${SANCTION_KIND_LABELS[s.kind][lang]}</span> <strong>${s.date}</strong> ${s.reason} <span class="muted">${t(lang, '记录于', 'recorded')} ${formatLocal(new Date(s.recordedAt), campaign.timeZone)}</span>${s.document ? html`<br>${t(lang, '文件', 'Document')}：<a href="${selfPath}/sanctions/${s.id}/document">${s.document.displayName}</a>` : ''}</li>`,
  )}</ul></section>`;
}

export function formPage(input: {
  campaign: Campaign;
  unit: UnitRecord;
  panels: DeliverablePanel[];
  otherRejections: RejectedUpload[];
  /** The unit's own hazards (null for the city office, which reports none). */
  hazards: Html | null;
  /** For a district bureau or the city office: the major hazards it supervises. */
  supervised: Html | null;
  /** For a district bureau or the city office: units whose contact address bounces (null for others). */
  bounced: BouncedUnit[] | null;
  /** Summons and circulars recorded against the unit (issue 13). */
  sanctions?: readonly SanctionRecord[];
  uploaded: string | undefined;
  now: Date;
  lang: Lang;
  selfPath: string;
}): string {
  const { campaign, unit, lang, now, selfPath } = input;
  const district = campaign.districts.find((d) => d.code === unit.district);
  const zone = campaign.timeZone;
  const body = html`
<h1>${unit.name}</h1>
<p class="muted">${UNIT_TYPE_LABELS[unit.type][lang]}${district ? html` · ${district.name[lang]}` : ''} · ${campaign.name[lang]}</p>
<p class="muted">${t(lang, '今天', 'Today')} ${localDateOf(now, zone)}</p>
${input.uploaded ? html`<p class="notice" role="status">${t(lang, '文件已上传，正在核验；稍后刷新本页即可看到结果。', 'Uploaded. It is being checked; reload this page in a moment to see the result.')}</p>` : ''}
${input.bounced && input.bounced.length > 0 ? bouncedList(input.bounced, campaign, lang, unit, selfPath) : ''}
${sanctionCard(input.sanctions ?? [], campaign, lang, selfPath)}
${input.panels.map(
  (panel) =>
    html`<section class="card" id="${panel.deliverable.id}"><h2>${panel.deliverable.name[lang]}</h2>${dueLine(panel.deliverable, campaign, lang)}<p>${stateTag(panel.state, lang, zone)}</p>${sentBackNotice(panel.state, panel.decisions, lang, zone)}
${versionList(panel, lang, zone, selfPath)}${rejectionList(panel.rejections, campaign, lang)}${uploadForm(panel, campaign, lang, selfPath)}</section>`,
)}
${input.otherRejections.length > 0 ? html`<section class="card">${rejectionList(input.otherRejections, campaign, lang)}</section>` : ''}
${input.supervised ? findUnitForm(lang, selfPath) : ''}
${input.supervised ? html`<section class="card" id="supervised"><h2>${t(lang, '挂牌督办的重大隐患', 'Major hazards under my supervision')}</h2>${input.supervised}</section>` : ''}
${input.hazards ? html`<section class="card" id="hazards"><h2>${t(lang, '隐患排查整治', 'Hazards')}</h2><p><a href="${selfPath}/hazards/new">${t(lang, '上报隐患', 'Report a hazard')}</a></p>${input.hazards}</section>` : ''}
${driveLine(campaign, now, lang)}
<script src="/assets/upload.js" defer></script>`;
  return layout({ lang, title: `${unit.name} · ${campaign.name[lang]}`, body, switchHref: selfPath });
}
