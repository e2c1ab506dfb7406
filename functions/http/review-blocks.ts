import type { ReviewDecision, SubmissionVersion } from '../../schemas/records.ts';
import type { Bilingual } from '../../schemas/validation.ts';
import { formatLocal } from '../shared/domain/calendar/calendar.ts';
import type { DeliverableState } from '../shared/domain/calendar/deadlines.ts';
import { VERDICT_LABELS } from '../shared/domain/filing/reviews.ts';
import { REASON_MAX_CHARS } from '../shared/domain/reasons.ts';
import { type Html, html, type Lang } from '../shared/web/html.ts';

/**
 * What the pages show of review decisions (issue 13): the school's notice of a send-back at
 * its deliverable, the decisions made on each version, and the supervisor's decision form.
 */

const t = (lang: Lang, zh: string, en: string) => (lang === 'zh' ? zh : en);

/** The notice the unit page shows after a decision (`?review=…`): what was done, and the mail's fate. */
export const REVIEW_NOTICES = ['recorded', 'repeat', 'mail-failed', 'mail-refused'] as const;
export type ReviewNotice = (typeof REVIEW_NOTICES)[number];

export function isReviewNotice(value: string | undefined): value is ReviewNotice {
  return (REVIEW_NOTICES as readonly (string | undefined)[]).includes(value);
}

export function reviewNotice(notice: ReviewNotice | undefined, lang: Lang): Html {
  if (!notice) return html``;
  const text = {
    recorded: t(
      lang,
      '审核决定已记录，并已邮件通知该单位。',
      'The decision is recorded, and the unit was notified by mail.',
    ),
    repeat: t(
      lang,
      '这一决定此前已记录，没有重复记录，也不会重复发信。',
      'This decision was recorded before: nothing was recorded or mailed twice.',
    ),
    'mail-failed': t(
      lang,
      '审核决定已记录，但通知邮件暂未发出；请稍后再次提交同一决定以重发（不会重复记录）。',
      'The decision is recorded, but its mail to the unit did not go out; submit the same decision again later to resend it (it is not recorded twice).',
    ),
    'mail-refused': t(
      lang,
      '审核决定已记录，但该单位的邮箱地址曾退信，未发送通知邮件；请电话告知并请其更正联系邮箱。',
      "The decision is recorded, but no mail went out: the unit's address has bounced. Call the unit and have its address corrected.",
    ),
  }[notice];
  return html`<p class="notice" role="status">${text}</p>`;
}

/** A reason as typed, its line breaks kept, escaped. */
function reasonText(reason: string): Html {
  const lines = reason.split('\n');
  return html`${lines.map((line, i) => (i === 0 ? html`${line}` : html`<br>${line}`))}`;
}

/** The school's notice at a deliverable whose current version was sent back. */
export function sentBackNotice(
  state: DeliverableState,
  decisions: readonly ReviewDecision[],
  lang: Lang,
  zone: string,
): Html {
  if (state.kind !== 'sent-back') return html``;
  const decision = decisions.findLast((d) => d.version === state.version && d.verdict === 'needs-changes');
  return html`<div class="notice" role="note"><strong>${t(lang, `第 ${state.version} 版被退回修改`, `Version ${state.version} was sent back for changes`)}</strong>${decision ? html` <span class="muted">${decision.byName} · ${formatLocal(new Date(decision.at), zone)}</span>` : ''}
<p>${t(lang, '退回理由：', 'Reason: ')}${reasonText(state.reason)}</p>
<p class="muted">${t(lang, '请按意见修改后上传新版本；在新版本报送之前，该材料按“未通过审核”统计。', 'Change it and upload a new version; until one is filed, this document counts as not accepted.')}</p></div>`;
}

/** The decisions made on one version, oldest first; empty when none. */
export function decisionsOfVersion(
  decisions: readonly ReviewDecision[],
  version: SubmissionVersion['version'],
  lang: Lang,
  zone: string,
): Html {
  const mine = decisions.filter((d) => d.version === version);
  if (mine.length === 0) return html``;
  return html`<ul class="decisions">${mine.map(
    (d) =>
      html`<li><span class="tag ${d.verdict === 'accepted' ? 'ok' : 'bad'}">${VERDICT_LABELS[d.verdict][lang]}</span> <span class="muted">${d.byName} · ${formatLocal(new Date(d.at), zone)}</span>${d.reason ? html`<br>${reasonText(d.reason)}` : ''}</li>`,
  )}</ul>`;
}

/**
 * The supervisor's decision on the current version: a POST form with the verdict (two radio
 * buttons), the reason, the CSRF token and the number of the latest decision this page shows
 * (`basis`): a decision made meanwhile by someone else refuses this one, instead of being
 * overwritten unseen.
 */
export function reviewForm(input: {
  action: string;
  csrfToken: string;
  version: number;
  basis: number;
  lang: Lang;
  /** A refused decision, back with what was typed and why it was refused. */
  refused?: RefusedReview;
}): Html {
  const { lang, refused } = input;
  const id = (name: string) => `review-${input.version}-${name}`;
  const other = lang === 'zh' ? 'en' : 'zh';
  const checked = (verdict: string) => (refused?.verdict === verdict ? html` checked` : '');
  return html`<form class="action review" method="post" action="${input.action}${lang === 'en' ? '?lang=en' : ''}">
<input type="hidden" name="csrf" value="${input.csrfToken}"><input type="hidden" name="basis" value="${input.basis}">
<fieldset><legend>${t(lang, `审核第 ${input.version} 版`, `Decide on version ${input.version}`)}</legend>
${refused ? refused.messages.map((m) => html`<p class="error" role="alert">${m[lang]} <span class="muted">${m[other]}</span></p>`) : ''}
<label><input type="radio" name="verdict" value="needs-changes" id="${id('needs-changes')}" required${checked('needs-changes')}> ${t(lang, '退回修改', 'Send back for changes')}</label>
<label><input type="radio" name="verdict" value="accepted" id="${id('accepted')}"${checked('accepted')}> ${t(lang, '审核通过', 'Accept')}</label>
<label>${t(lang, `理由或意见（退回时必填，最多 ${REASON_MAX_CHARS} 字；学校可见）`, `Reason or note (required to send back, up to ${REASON_MAX_CHARS} characters; the school reads it)`)}<textarea name="reason" rows="3" maxlength="${REASON_MAX_CHARS}"${refused ? html` autofocus` : ''}>${refused?.reason ?? ''}</textarea></label>
<button type="submit">${t(lang, '提交审核决定', 'Record the decision')}</button></fieldset></form>`;
}

/** A decision the server refused (invalid, or a rival decision or version came first), as posted. */
export interface RefusedReview {
  deliverableId: string;
  verdict: string;
  reason: string;
  messages: Bilingual[];
}
