import type { Campaign, Deliverable } from '../../schemas/campaign.ts';
import { UNIT_TYPE_LABELS } from '../../schemas/primitives.ts';
import type { UnitRecord } from '../../schemas/records.ts';
import { daysBetween, formatLocal, localDateOf } from '../shared/domain/calendar.ts';
import type { DeliverableState } from '../shared/domain/deadlines.ts';
import { type Html, html, type Lang, layout } from '../shared/web/html.ts';

const t = (lang: Lang, zh: string, en: string) => (lang === 'zh' ? zh : en);

function stateTag(state: DeliverableState, lang: Lang, zone: string): Html {
  switch (state.kind) {
    case 'due':
      return html`<span class="tag warn">${t(lang, `未报送 · 还剩 ${state.days} 天`, `not filed · ${state.days} day(s) left`)}</span>`;
    case 'due-today':
      return html`<span class="tag warn">${t(lang, '未报送 · 今天截止', 'not filed · due today')}</span>`;
    case 'overdue':
      return html`<span class="tag bad">${t(lang, `未报送 · 已逾期 ${state.days} 天`, `not filed · ${state.days} day(s) overdue`)}</span>`;
    case 'filed-on-time':
      return html`<span class="tag ok">${t(lang, '已按时报送', 'filed on time')}</span> <span class="muted">${formatLocal(new Date(state.filedAt), zone)}</span>`;
    case 'filed-late':
      return html`<span class="tag bad">${t(lang, `逾期 ${state.days} 天报送`, `filed ${state.days} day(s) late`)}</span> <span class="muted">${formatLocal(new Date(state.filedAt), zone)}</span>`;
  }
}

function dueLine(deliverable: Deliverable, campaign: Campaign, lang: Lang): Html {
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

export function formPage(input: {
  campaign: Campaign;
  unit: UnitRecord;
  states: { deliverable: Deliverable; state: DeliverableState }[];
  now: Date;
  lang: Lang;
  selfPath: string;
}): string {
  const { campaign, unit, lang, now } = input;
  const district = campaign.districts.find((d) => d.code === unit.district);
  const body = html`
<h1>${unit.name}</h1>
<p class="muted">${UNIT_TYPE_LABELS[unit.type][lang]}${district ? html` · ${district.name[lang]}` : ''} · ${campaign.name[lang]}</p>
<p class="muted">${t(lang, '今天', 'Today')} ${localDateOf(now, campaign.timeZone)}</p>
${input.states.map(
  ({ deliverable, state }) =>
    html`<div class="card"><h2>${deliverable.name[lang]}</h2>${dueLine(deliverable, campaign, lang)}<p>${stateTag(state, lang, campaign.timeZone)}</p></div>`,
)}
${driveLine(campaign, now, lang)}`;
  return layout({ lang, title: `${unit.name} · ${campaign.name[lang]}`, body, switchHref: input.selfPath });
}
