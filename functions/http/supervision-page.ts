import type { Campaign } from '../../schemas/campaign.ts';
import { UNIT_TYPE_LABELS } from '../../schemas/primitives.ts';
import type { UnitRecord } from '../../schemas/records.ts';
import { formatLocal, localDateOf } from '../shared/domain/calendar/calendar.ts';
import { type Html, html, type Lang, layout } from '../shared/web/html.ts';
import { dueLine, sizeLabel, stateTag, t } from './pages.ts';
import {
  decisionsOfVersion,
  type RefusedReview,
  type ReviewNotice,
  reviewForm,
  reviewNotice,
} from './review-blocks.ts';
import type { FiledDeliverable } from './unit-page.ts';
import { WORKSPACE } from './workspace/chrome.ts';

/**
 * Where the decision forms post, and the CSRF token they carry: given once the page is served
 * inside the supervisors' workspace (a session with CSRF protection); without it, no form.
 */
export interface ReviewFormTarget {
  /** The form's action for one version: `POST /w/units/{unit}/files/{deliverable}/{version}/review`. */
  action(deliverableId: string, version: number): string;
  csrfToken: string;
  /** A decision just refused: its deliverable's form comes back with what was typed. */
  refused?: RefusedReview;
}

function versionRows(
  filed: FiledDeliverable,
  lang: Lang,
  zone: string,
  unitPath: string,
  review: ReviewFormTarget | undefined,
): Html {
  if (filed.versions.length === 0)
    return html`<p class="muted">${t(lang, '尚未报送', 'Nothing filed yet')}</p>`;
  return html`<ol class="versions" reversed>${filed.versions.map(
    (v, i) =>
      html`<li><a href="${unitPath}/files/${filed.deliverable.id}/${v.version}">${v.displayName}</a>
<span class="muted">${t(lang, `第 ${v.version} 版`, `version ${v.version}`)}${i === 0 ? t(lang, '（当前）', ' (current)') : ''} · ${formatLocal(new Date(v.receivedAt), zone)} · ${v.onTime ? t(lang, '按时', 'on time') : t(lang, '逾期', 'late')} · ${sizeLabel(v.size)}${v.sha256 ? html` · <span class="sha256" title="SHA-256">SHA-256 ${v.sha256}</span>` : ''}</span>${decisionsOfVersion(filed.decisions, v.version, lang, zone)}${
        i === 0 && review
          ? reviewForm({
              action: review.action(filed.deliverable.id, v.version),
              csrfToken: review.csrfToken,
              version: v.version,
              basis: filed.decisions.at(-1)?.seq ?? 0,
              lang,
              ...(review.refused?.deliverableId === filed.deliverable.id ? { refused: review.refused } : {}),
            })
          : ''
      }</li>`,
  )}</ol>`;
}

/**
 * A supervised unit's filings, read-only, for the city office or a district bureau: who the unit
 * is, each deliverable's state and every version filed, each a plain link that opens it.
 */
export function supervisedUnitPage(input: {
  campaign: Campaign;
  /** The workspace's bar: who acts, the way home, signing out. */
  bar: Html;
  unit: UnitRecord;
  filings: FiledDeliverable[];
  now: Date;
  lang: Lang;
  /** Decision forms on each current version (inside the workspace only). */
  review?: ReviewFormTarget;
  /** What the decision just posted came to. */
  notice?: ReviewNotice;
}): string {
  const { campaign, unit, lang, now } = input;
  const zone = campaign.timeZone;
  const unitPath = `${WORKSPACE}/units/${unit.code}`;
  const district = campaign.districts.find((d) => d.code === unit.district);
  const body = html`
${input.bar}
${reviewNotice(input.notice, lang)}
<h1>${unit.name}</h1>
<p class="muted">${unit.code} · ${UNIT_TYPE_LABELS[unit.type][lang]}${district ? html` · ${district.name[lang]}` : ''} · ${campaign.name[lang]}</p>
<p>${t(lang, '联系人', 'Contact')}：${unit.contact} · ${unit.phone} · <a href="mailto:${unit.email}">${unit.email}</a></p>
<p><a href="${WORKSPACE}/sanctions/new?unit=${unit.code}${lang === 'en' ? '&lang=en' : ''}">${t(lang, '记录约谈/通报', 'Record a summons or circular')}</a></p>
<p class="muted">${t(lang, '今天', 'Today')} ${localDateOf(now, zone)} · ${t(lang, '每次查看、打开文件和审核决定都会记录', 'Every view, every file opened and every decision is recorded')}</p>
${
  input.filings.length === 0
    ? html`<p class="muted">${t(lang, '该单位无需报送材料', 'This unit owes no documents')}</p>`
    : input.filings.map(
        (filed) =>
          html`<section class="card" id="${filed.deliverable.id}"><h2>${filed.deliverable.name[lang]}</h2>${dueLine(filed.deliverable, campaign, lang)}<p>${stateTag(filed.state, lang, zone)}</p>
${versionRows(filed, lang, zone, unitPath, input.review)}</section>`,
      )
}`;
  return layout({ lang, title: `${unit.name} · ${campaign.name[lang]}`, body, switchHref: unitPath });
}
