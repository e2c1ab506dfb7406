import type { Campaign, HazardLevelId } from '../../../schemas/campaign.ts';
import { formatLocal } from '../../shared/domain/calendar/calendar.ts';
import { STATUS_LABELS } from '../../shared/domain/hazards/hazard-lifecycle.ts';
import {
  type CellTone,
  type DashboardQuery,
  type DashboardSort,
  type DashboardView,
  dashboardParams,
  type MajorRow,
  type MatrixRow,
  type Paged,
  SORTS,
  STATE_FILTERS,
  type StateFilter,
} from '../../shared/domain/report/dashboard.ts';
import { type Html, html, type Lang, layout } from '../../shared/web/html.ts';
import { CHART_COLOURS, lineChart, stackedBarChart } from '../../shared/web/svg-charts.ts';

/**
 * The supervisors' dashboard (`GET /w`): one page, no script, Chinese first. It lays out a
 * `DashboardView` and nothing else, so its figures are the digest's. Filters are one GET form
 * (and the major hazards' own), every other move a plain link that keeps the filters. Each
 * figure the digest also has carries `data-figure="<name>"`, so a test can read the page's
 * numbers back without parsing its prose.
 */

const t = (lang: Lang, zh: string, en: string) => (lang === 'zh' ? zh : en);

/**
 * The workspace's addresses, in one place: the hazard link is the one to change when the
 * workspace's hazard page moves (a one-line change).
 */
export const workspaceLinks = {
  dashboard: '/w',
  ledger: '/w/ledger.xlsx',
  unit: (code: string) => `/w/units/${encodeURIComponent(code)}`,
  // The workspace has no hazard page yet: a hazard opens its unit's page until `/w/hazards/{unit}/{id}` exists.
  hazard: (unitCode: string, id: string) =>
    `/w/hazards/${encodeURIComponent(unitCode)}/${encodeURIComponent(id)}`,
};

/** `path` with `params` and the page's language. */
function href(path: string, params: URLSearchParams, lang: Lang): string {
  const all = new URLSearchParams(params);
  if (lang === 'en') all.set('lang', 'en');
  const text = all.toString();
  return text ? `${path}?${text}` : path;
}

const DASHBOARD_STYLE = `
main{max-width:78rem}.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
table.grid{border-collapse:collapse;width:100%;font-size:.9rem;background:#fff}
table.grid caption{text-align:left;font-weight:bold;padding:.3rem 0}
table.grid th,table.grid td{border:1px solid #d0d4d9;padding:.3rem .45rem;text-align:left;vertical-align:top}
table.grid thead th{background:#eef1f5}table.grid .num{text-align:right;font-variant-numeric:tabular-nums}
td.cell{min-width:8.5rem}.cell .sym{font-weight:bold;margin-right:.2rem}
.t-ok{background:#e6f4ea;color:#0d5c27}.t-late{background:#fff0e0;color:#7a4000}.t-bad{background:#fce8e6;color:#8c0c0c}
.t-warn{background:#fef7e0;color:#6b4600}.t-pending{background:#f1f3f4;color:#3c4043}.t-none{background:#fff;color:#5f6368}
form.filters{display:flex;flex-wrap:wrap;gap:.4rem .8rem;align-items:flex-end}form.filters label{display:flex;flex-direction:column;font-size:.9rem}
form.filters select,form.filters input[type=search],form.filters input[type=date]{font:inherit;padding:.25rem;min-height:2.2rem;max-width:100%}
form.filters label.check{flex-direction:row;align-items:center;gap:.3rem;min-height:2.2rem}
nav.pages{display:flex;justify-content:space-between;align-items:center;text-align:left;margin:.5rem 0;gap:1rem}
nav.pages a{display:inline-block;padding:.3rem .2rem}.figures{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem}
.figures div{min-width:7rem}.figures strong{display:block;font-size:1.4rem}
figure.chart{margin:.8rem 0 1rem}figure.chart figcaption{font-weight:bold;font-size:.95rem}svg.chart{max-width:44rem;min-width:30rem;display:block}
#progress-table,#areas-table,#majors-table{min-width:40rem}#matrix-table{min-width:44rem}
#matrix-table tbody th{position:sticky;left:0;background:#fff;z-index:1;min-width:9rem}
a.skip{position:absolute;left:-999px}a.skip:focus{left:1rem;top:1rem;background:#fff;padding:.4rem}
@media print{nav,form.filters,a.skip{display:none}main{max-width:none;padding:0}.card{box-shadow:none;border:1px solid #d0d4d9;break-inside:avoid}}
`;

const SYMBOLS: Record<CellTone, string> = {
  ok: '✓',
  late: '!',
  bad: '✗',
  warn: '!',
  pending: '…',
  none: '—',
};

const STATE_FILTER_LABELS: Record<StateFilter, { zh: string; en: string }> = {
  due: { zh: '未到期未报', en: 'not filed, not yet due' },
  overdue: { zh: '逾期未报', en: 'not filed, overdue' },
  'filed-on-time': { zh: '按时报送', en: 'filed on time' },
  'filed-late': { zh: '逾期报送', en: 'filed late' },
  'sent-back': { zh: '退回修改', en: 'sent back' },
};

const SORT_LABELS: Record<DashboardSort, { zh: string; en: string }> = {
  lateness: { zh: '逾期天数（多在前）', en: 'days late (most first)' },
  code: { zh: '单位代码', en: 'unit code' },
  name: { zh: '单位名称', en: 'unit name' },
  district: { zh: '区县', en: 'district' },
};

const LEVELS: HazardLevelId[] = ['major', 'general'];

/**
 * A region that scrolls sideways on a phone: focusable, so it scrolls from the keyboard too
 * (WCAG 2.1.1), and named for the screen reader that lands on it.
 */
function scrollable(label: string): Html {
  return html`tabindex="0" role="region" aria-label="${label}"`;
}

function option(value: string, label: string, selected: string | undefined): Html {
  return html`<option value="${value}"${value === (selected ?? '') ? html` selected` : ''}>${label}</option>`;
}

/** Hidden inputs carrying the filters a form does not itself show. */
function hidden(params: URLSearchParams, lang: Lang): Html[] {
  const all = new URLSearchParams(params);
  if (lang === 'en') all.set('lang', 'en');
  return [...all].map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`);
}

function pager(
  paged: Paged<unknown>,
  lang: Lang,
  link: (page: number) => string,
  label: string,
  anchor: string,
): Html {
  if (paged.pages <= 1) return html``;
  return html`<nav class="pages" aria-label="${label}">
${paged.page > 1 ? html`<a href="${link(paged.page - 1)}#${anchor}" rel="prev">${t(lang, '‹ 上一页', '‹ Previous')}</a>` : html`<span></span>`}
<span>${t(lang, `第 ${paged.page} / ${paged.pages} 页`, `Page ${paged.page} of ${paged.pages}`)}</span>
${paged.page < paged.pages ? html`<a href="${link(paged.page + 1)}#${anchor}" rel="next">${t(lang, '下一页 ›', 'Next ›')}</a>` : html`<span></span>`}
</nav>`;
}

function percent(part: number, whole: number): string {
  return whole > 0 ? `${((part / whole) * 100).toFixed(1)}%` : '—';
}

function progressTable(view: DashboardView, lang: Lang): Html {
  return html`<div class="scroll" ${scrollable(t(lang, '材料报送进度', 'Filing progress'))}><table class="grid" id="progress-table">
<caption>${t(lang, '材料报送进度', 'Filing progress')}</caption>
<thead><tr><th scope="col">${t(lang, '材料', 'Deliverable')}</th><th scope="col">${t(lang, '截止日期', 'Due')}</th><th scope="col" class="num">${t(lang, '应报', 'Required')}</th><th scope="col" class="num">${t(lang, '按时报送', 'On time')}</th><th scope="col" class="num">${t(lang, '逾期报送', 'Late')}</th><th scope="col" class="num">${t(lang, '审核通过', 'Accepted')}</th><th scope="col" class="num">${t(lang, '退回修改', 'Sent back')}</th><th scope="col" class="num">${t(lang, '未到期未报', 'Pending')}</th><th scope="col" class="num">${t(lang, '逾期未报', 'Overdue')}</th><th scope="col" class="num">${t(lang, '报送率', 'Filed')}</th></tr></thead>
<tbody>${view.progress.map(
    (p) =>
      html`<tr><th scope="row">${p.name[lang]}</th><td>${p.dueDate}</td><td class="num" data-figure="progress.${p.deliverableId}.required">${p.required}</td><td class="num" data-figure="progress.${p.deliverableId}.onTime">${p.onTime}</td><td class="num" data-figure="progress.${p.deliverableId}.late">${p.late}</td><td class="num" data-figure="progress.${p.deliverableId}.accepted">${p.accepted}</td><td class="num" data-figure="progress.${p.deliverableId}.sentBack">${p.sentBack}</td><td class="num" data-figure="progress.${p.deliverableId}.pending">${p.pending}</td><td class="num" data-figure="progress.${p.deliverableId}.overdue">${p.overdue}</td><td class="num">${percent(p.onTime + p.late, p.required)}</td></tr>`,
  )}</tbody></table></div>`;
}

function progressCharts(view: DashboardView, lang: Lang): Html {
  return html`${view.series.map((s) => {
    const filed = s.cumulative.at(-1) ?? 0;
    const dueIndex = s.days.indexOf(s.dueDate);
    const title = t(lang, `${s.name.zh}：累计报送`, `${s.name.en}: filings to date`);
    const description = t(
      lang,
      `${s.days[0] ?? ''} 至 ${view.day}，每日累计报送单位数；截至 ${view.day} 已报 ${filed} 个，应报 ${s.required} 个，截止日期 ${s.dueDate}。`,
      `Units filed by each day from ${s.days[0] ?? ''} to ${view.day}: ${filed} of ${s.required} required by ${view.day}; due ${s.dueDate}.`,
    );
    return chartFigure(
      title,
      lineChart({
        id: `chart-${s.deliverableId}`,
        title,
        description,
        xLabels: s.days.map((d) => d.slice(5)),
        values: s.cumulative,
        target: { value: s.required, label: t(lang, `应报 ${s.required}`, `required ${s.required}`) },
        ...(dueIndex >= 0
          ? {
              marker: {
                index: dueIndex,
                label: t(lang, `截止 ${s.dueDate.slice(5)}`, `due ${s.dueDate.slice(5)}`),
              },
            }
          : {}),
      }),
    );
  })}`;
}

/** A chart with its title shown above it (the SVG's own `<title>` is what assistive technology reads). */
function chartFigure(title: string, chart: Html): Html {
  return html`<figure class="chart"><figcaption aria-hidden="true">${title}</figcaption><div class="scroll" ${scrollable(title)}>${chart}</div></figure>`;
}

function areaTable(view: DashboardView, campaign: Campaign, lang: Lang): Html {
  const level = (id: HazardLevelId) => campaign.hazardDrive.levels.find((l) => l.id === id)?.name[lang] ?? id;
  const total = { open: { general: 0, major: 0 }, closed: { general: 0, major: 0 } };
  for (const a of view.areas)
    for (const l of LEVELS) {
      total.open[l] += a.open[l];
      total.closed[l] += a.closed[l];
    }
  const cells = (counts: typeof total, key: string) =>
    html`<td class="num" data-figure="${key}.open.major">${counts.open.major}</td><td class="num" data-figure="${key}.open.general">${counts.open.general}</td><td class="num" data-figure="${key}.closed.major">${counts.closed.major}</td><td class="num" data-figure="${key}.closed.general">${counts.closed.general}</td><td class="num">${counts.open.major + counts.open.general + counts.closed.major + counts.closed.general}</td>`;
  return html`<div class="scroll" ${scrollable(t(lang, '隐患按类别和等级统计', 'Hazards by area and level'))}><table class="grid" id="areas-table">
<caption>${t(lang, '隐患按类别和等级统计', 'Hazards by area and level')}</caption>
<thead><tr><th scope="col">${t(lang, '隐患类别', 'Area')}</th><th scope="col" class="num">${level('major')} · ${t(lang, '未销号', 'open')}</th><th scope="col" class="num">${level('general')} · ${t(lang, '未销号', 'open')}</th><th scope="col" class="num">${level('major')} · ${t(lang, '已销号', 'closed')}</th><th scope="col" class="num">${level('general')} · ${t(lang, '已销号', 'closed')}</th><th scope="col" class="num">${t(lang, '合计', 'Total')}</th></tr></thead>
<tbody>${view.areas.map((a) => html`<tr><th scope="row">${a.name[lang]}</th>${cells(a, `areas.${a.area}`)}</tr>`)}
<tr><th scope="row">${t(lang, '合计', 'Total')}</th>${cells(total, 'areas.total')}</tr></tbody></table></div>`;
}

function areaChart(view: DashboardView, lang: Lang): Html {
  const segments = [
    { name: t(lang, '重大·未销号', 'major open'), colour: CHART_COLOURS.majorOpen },
    { name: t(lang, '一般·未销号', 'general open'), colour: CHART_COLOURS.generalOpen },
    { name: t(lang, '重大·已销号', 'major closed'), colour: CHART_COLOURS.majorClosed },
    { name: t(lang, '一般·已销号', 'general closed'), colour: CHART_COLOURS.generalClosed },
  ];
  const text = (a: DashboardView['areas'][number]) =>
    t(
      lang,
      `未销号 重大${a.open.major} 一般${a.open.general}；已销号 重大${a.closed.major} 一般${a.closed.general}`,
      `open: ${a.open.major} major, ${a.open.general} general; closed: ${a.closed.major} major, ${a.closed.general} general`,
    );
  const title = t(lang, '隐患按类别分布', 'Hazards by area');
  return chartFigure(
    title,
    stackedBarChart({
      id: 'chart-areas',
      title,
      description: view.areas.map((a) => `${a.name[lang]}：${text(a)}`).join(t(lang, '。', '. ')),
      segments,
      bars: view.areas.map((a) => ({
        label: a.name[lang],
        values: [a.open.major, a.open.general, a.closed.major, a.closed.general],
        text: text(a),
      })),
    }),
  );
}

function matrixFilters(view: DashboardView, campaign: Campaign, lang: Lang): Html {
  const q = view.query;
  const keep = dashboardParams(q);
  for (const name of ['district', 'type', 'state', 'deliverable', 'q', 'sort', 'page']) keep.delete(name);
  keep.delete('hpage');
  return html`<form class="filters" method="get" action="${workspaceLinks.dashboard}" role="search" aria-label="${t(lang, '筛选单位', 'Filter units')}">
${
  view.options.districts.length > 0
    ? html`<label>${t(lang, '区县', 'District')}<select name="district">${option('', t(lang, '全部', 'All'), q.district)}${view.options.districts.map((d) => option(d.code, d.name[lang], q.district))}</select></label>`
    : ''
}
<label>${t(lang, '单位类型', 'Unit type')}<select name="type">${option('', t(lang, '全部', 'All'), q.type)}${view.options.unitTypes.map((u) => option(u.id, u.name[lang], q.type))}</select></label>
<label>${t(lang, '报送状态', 'Filing state')}<select name="state">${option('', t(lang, '全部', 'All'), q.state)}${STATE_FILTERS.map((s) => option(s, STATE_FILTER_LABELS[s][lang], q.state))}</select></label>
<label>${t(lang, '材料', 'Deliverable')}<select name="deliverable">${option('', t(lang, '任一', 'Any'), q.deliverable)}${campaign.deliverables.map((d) => option(d.id, d.name[lang], q.deliverable))}</select></label>
<label>${t(lang, '单位名称或代码', 'Unit name or code')}<input type="search" name="q" value="${q.q}" maxlength="100"></label>
<label>${t(lang, '排序', 'Sort by')}<select name="sort">${SORTS.map((s) => option(s, SORT_LABELS[s][lang], q.sort))}</select></label>
${hidden(keep, lang)}
<button type="submit">${t(lang, '筛选', 'Filter')}</button>
<a href="${href(workspaceLinks.dashboard, new URLSearchParams(), lang)}">${t(lang, '清除筛选', 'Clear filters')}</a>
</form>`;
}

function cell(c: MatrixRow['cells'][number], zone: string, lang: Lang): Html {
  return html`<td class="cell t-${c.tone}" data-state="${c.kind}"><span class="sym" aria-hidden="true">${SYMBOLS[c.tone]}</span>${c.label[lang]}${c.filedAt ? html`<br><span>${formatLocal(new Date(c.filedAt), zone)}</span>` : ''}</td>`;
}

function matrixTable(view: DashboardView, campaign: Campaign, lang: Lang, selfCode: string): Html {
  const zone = campaign.timeZone;
  const unitLink = (row: MatrixRow) =>
    row.unit.code === selfCode
      ? html`${row.unit.name}`
      : html`<a href="${href(workspaceLinks.unit(row.unit.code), new URLSearchParams(), lang)}">${row.unit.name}</a>`;
  const typeName = (row: MatrixRow) =>
    view.options.unitTypes.find((u) => u.id === row.unit.type)?.name[lang] ?? row.unit.type;
  return html`<p class="muted" role="status" data-figure="matrix.total">${t(
    lang,
    `符合条件的单位 ${view.matrix.total} 个（范围内共 ${view.unitCount} 个）`,
    `${view.matrix.total} unit(s) match (of ${view.unitCount} in scope)`,
  )}</p>
<div class="scroll" ${scrollable(t(lang, '各单位材料报送情况', 'Each unit’s filings'))}><table class="grid" id="matrix-table">
<caption>${t(lang, '各单位材料报送情况', 'Each unit’s filings')}</caption>
<thead><tr><th scope="col">${t(lang, '单位', 'Unit')}</th><th scope="col">${t(lang, '区县', 'District')}</th><th scope="col">${t(lang, '类型', 'Type')}</th>${campaign.deliverables.map((d) => html`<th scope="col">${d.name[lang]}<br><span class="muted">${t(lang, `截止 ${d.dueDate}`, `due ${d.dueDate}`)}</span></th>`)}<th scope="col" class="num">${t(lang, '未销号隐患', 'Open hazards')}</th></tr></thead>
<tbody>${view.matrix.rows.map(
    (row) =>
      html`<tr data-unit="${row.unit.code}"><th scope="row">${unitLink(row)}<br><span class="muted">${row.unit.code}</span>${row.unit.code !== selfCode && (row.lateness > 0 || row.overdueMajors > 0) ? html`<br><a class="muted" href="/w/sanctions/new?unit=${row.unit.code}${lang === 'en' ? '&lang=en' : ''}">${t(lang, '约谈/通报', 'summon / circulate')}</a>` : ''}</th><td>${row.districtName[lang]}</td><td>${typeName(row)}</td>${row.cells.map((c) => cell(c, zone, lang))}<td class="num">${row.openHazards.major + row.openHazards.general}${row.overdueMajors > 0 ? html`<br><span class="tag bad">${t(lang, `重大逾期 ${row.overdueMajors}`, `${row.overdueMajors} major overdue`)}</span>` : ''}</td></tr>`,
  )}${view.matrix.rows.length === 0 ? html`<tr><td colspan="${4 + campaign.deliverables.length}">${t(lang, '没有符合条件的单位', 'No unit matches')}</td></tr>` : ''}</tbody></table></div>
${pager(view.matrix, lang, (page) => href(workspaceLinks.dashboard, dashboardParams(view.query, { page }), lang), t(lang, '单位分页', 'Unit pages'), 'units')}`;
}

function majorFilters(view: DashboardView, campaign: Campaign, lang: Lang): Html {
  const q = view.query;
  const keep = dashboardParams(q);
  for (const name of ['area', 'overdue', 'hq', 'hpage']) keep.delete(name);
  return html`<form class="filters" method="get" action="${workspaceLinks.dashboard}#majors" role="search" aria-label="${t(lang, '筛选重大隐患', 'Filter major hazards')}">
<label>${t(lang, '隐患类别', 'Area')}<select name="area">${option('', t(lang, '全部', 'All'), q.area)}${campaign.hazardDrive.areas.map((a) => option(a.id, a.name[lang], q.area))}</select></label>
<label>${t(lang, '编号、名称或单位', 'Id, title or unit')}<input type="search" name="hq" value="${q.hq}" maxlength="100"></label>
<label class="check"><input type="checkbox" name="overdue" value="1"${q.overdueOnly ? html` checked` : ''}>${t(lang, '仅看逾期', 'Overdue only')}</label>
${hidden(keep, lang)}
<button type="submit">${t(lang, '筛选', 'Filter')}</button>
</form>`;
}

function majorTable(view: DashboardView, lang: Lang): Html {
  const row = (m: MajorRow) =>
    html`<tr data-hazard="${m.row.id}"><th scope="row"><a href="${href(workspaceLinks.hazard(m.row.unitCode, m.row.id), new URLSearchParams(), lang)}">${m.row.id}</a></th><td>${m.row.title}</td><td>${m.row.unitName}<br><span class="muted">${m.row.unitCode}</span></td><td>${m.districtName[lang]}</td><td>${m.areaName[lang]}</td><td>${STATUS_LABELS[m.row.status][lang]}</td><td>${m.row.deadline ?? '—'}</td><td class="num${m.overdueDays !== null ? ' t-bad' : ''}">${m.overdueDays !== null ? t(lang, `逾期 ${m.overdueDays} 天`, `${m.overdueDays} d overdue`) : t(lang, '未逾期', 'not overdue')}</td></tr>`;
  return html`<p class="muted" role="status">${t(
    lang,
    `符合条件的重大隐患 ${view.majors.total} 项`,
    `${view.majors.total} major hazard(s) match`,
  )}</p>
<div class="scroll" ${scrollable(t(lang, '未销号的重大隐患', 'Open major hazards'))}><table class="grid" id="majors-table">
<caption>${t(lang, '未销号的重大隐患（挂牌督办）', 'Open major hazards under supervision')}</caption>
<thead><tr><th scope="col">${t(lang, '编号', 'Id')}</th><th scope="col">${t(lang, '隐患名称', 'Title')}</th><th scope="col">${t(lang, '单位', 'Unit')}</th><th scope="col">${t(lang, '区县', 'District')}</th><th scope="col">${t(lang, '类别', 'Area')}</th><th scope="col">${t(lang, '状态', 'Status')}</th><th scope="col">${t(lang, '督办时限', 'Deadline')}</th><th scope="col" class="num">${t(lang, '逾期', 'Overdue')}</th></tr></thead>
<tbody>${view.majors.rows.map(row)}${view.majors.rows.length === 0 ? html`<tr><td colspan="8">${t(lang, '没有符合条件的重大隐患', 'No major hazard matches')}</td></tr>` : ''}</tbody></table></div>
${pager(view.majors, lang, (hpage) => href(workspaceLinks.dashboard, dashboardParams(view.query, { hpage }), lang), t(lang, '重大隐患分页', 'Major hazard pages'), 'majors')}`;
}

function ledgerBlock(view: DashboardView, lang: Lang): Html {
  const params = dashboardParams(view.query);
  // The ledger covers the units the matrix's filters select; the major-hazard list's filters do not apply.
  for (const name of ['page', 'hpage', 'area', 'overdue', 'hq']) params.delete(name);
  return html`<p><a href="${href(workspaceLinks.ledger, params, lang)}" download>${t(lang, '下载当前筛选单位的台账（xlsx）', 'Download the ledger of the units as filtered (xlsx)')}</a></p>
<p class="muted">${t(lang, '与每日汇总的表格相同：概况、报送情况、隐患台账、逾期事项、昨日以来变化，只含上方单位筛选（区县、类型、状态、搜索）选中的单位。', "The daily digest's spreadsheet (overview, filings, hazard ledger, overdue, changes) for the units the filters above select (district, type, state, search).")}</p>
<form class="filters" method="get" action="${workspaceLinks.ledger}">
<label>${t(lang, '或某一天早上日报时的台账（与当天日报一致）', "Or a past day's ledger, as that morning's digest had it")}<input type="date" name="day" required max="${view.day}"></label>
${hidden(params, lang)}
<button type="submit">${t(lang, '下载', 'Download')}</button>
</form>`;
}

export interface DashboardPageProps {
  campaign: Campaign;
  view: DashboardView;
  lang: Lang;
  /** The supervising body's code: its own row is not linked (no unit supervises itself). */
  selfCode: string;
  /** Who is looking: the body's name, and the reviewer's when a named reviewer acts for it. */
  viewerName: string;
  /** The workspace's bar (who acts, home, sign out), inside a session. */
  bar?: Html;
}

export function dashboardPage(props: DashboardPageProps): string {
  const { campaign, view, lang } = props;
  const zone = campaign.timeZone;
  const figure = (key: string, value: number, label: string) =>
    html`<div><strong data-figure="${key}">${value}</strong>${label}</div>`;
  const body = html`<a class="skip" href="#units">${t(lang, '跳到单位列表', 'Skip to the units')}</a>${props.bar ?? ''}
<h1>${t(lang, '专项行动工作台', 'Campaign dashboard')} · ${view.scopeName[lang]}</h1>
<p class="muted">${campaign.name[lang]} · ${props.viewerName} · ${t(lang, '数据时间', 'As of')} ${formatLocal(new Date(view.at), zone)}（${zone}）</p>
<p class="muted">${
    view.drive.closed
      ? t(
          lang,
          `隐患排查整治行动已于 ${view.drive.closesOn} 结束`,
          `The hazard drive closed on ${view.drive.closesOn}`,
        )
      : t(
          lang,
          `隐患排查整治行动 ${view.drive.closesOn} 结束，还剩 ${view.drive.daysLeft} 天`,
          `The hazard drive closes on ${view.drive.closesOn}: ${view.drive.daysLeft} day(s) left`,
        )
  }</p>
<section class="card" id="summary"><h2>${t(lang, '概况', 'Overview')}</h2>
<div class="figures">${figure('units', view.unitCount, t(lang, '应报单位', 'units in scope'))}${figure('hazards.ledger', view.ledgerCount, t(lang, '隐患总数', 'hazards reported'))}${figure('hazards.open', view.openCount, t(lang, '未销号隐患', 'open hazards'))}${figure('hazards.openMajors', view.openMajorCount, t(lang, '未销号重大隐患', 'open major hazards'))}${figure('hazards.overdueMajors', view.overdueMajorCount, t(lang, '逾期重大隐患', 'major hazards overdue'))}</div>
${progressTable(view, lang)}
${progressCharts(view, lang)}
</section>
<section class="card" id="units"><h2>${t(lang, '单位 × 材料', 'Units × deliverables')}</h2>
${matrixFilters(view, campaign, lang)}
${matrixTable(view, campaign, lang, props.selfCode)}
</section>
<section class="card" id="hazards"><h2>${t(lang, '隐患', 'Hazards')}</h2>
${areaTable(view, campaign, lang)}
${areaChart(view, lang)}
</section>
<section class="card" id="majors"><h2>${t(lang, '重大隐患', 'Major hazards')}</h2>
${majorFilters(view, campaign, lang)}
${majorTable(view, lang)}
</section>
<section class="card" id="ledger"><h2>${t(lang, '台账下载', 'Ledger')}</h2>
${ledgerBlock(view, lang)}
</section>`;
  return layout({
    lang,
    title: `${t(lang, '工作台', 'Dashboard')} · ${view.scopeName[lang]} · ${campaign.name[lang]}`,
    body,
    switchHref: workspaceLinks.dashboard,
    style: DASHBOARD_STYLE,
  });
}

/** The query's filters as they travel in a link (for the route's redirects and the tests). */
export function dashboardHref(query: DashboardQuery, lang: Lang): string {
  return href(workspaceLinks.dashboard, dashboardParams(query), lang);
}
