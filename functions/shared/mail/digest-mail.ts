import type { Campaign } from '../../../schemas/campaign.ts';
import { formatLocal } from '../domain/calendar/calendar.ts';
import { BOUNCE_KIND_LABELS, type BouncedUnit } from '../domain/delivery/mail-bounces.ts';
import { DOWNLOAD_LINK_DAYS } from '../domain/filing/download-links.ts';
import { STATUS_LABELS } from '../domain/hazards/hazard-lifecycle.ts';
import { CHANGE_LABELS, districtName } from '../domain/report/digest.ts';
import { LISTED_ROWS } from '../domain/report/hazard-pass.ts';
import type { DeliverableProgress, Digest, LedgerRow } from '../domain/report/model.ts';
import { SANCTION_KIND_LABELS } from '../domain/sanctions/sanctions.ts';
import type { MailAttachment } from '../ports.ts';
import { type Html, html } from '../web/html.ts';
import type { MailContent } from './envelope.ts';

/**
 * The digest e-mail's HTML and text parts. The HTML is what mail clients render reliably (QQ
 * Mail, Outlook, Gmail, phones): nested tables, inline styles, bars as table cells with a
 * width, no scripts, no external images. Every value from the database goes through `html`,
 * which escapes it. Long lists stop at `LIST_LIMIT` rows; the spreadsheet has them all.
 */
export const LIST_LIMIT = LISTED_ROWS;

const FONT = 'font-family:-apple-system,"PingFang SC","Microsoft YaHei",Arial,sans-serif';
const CELL = 'padding:4px 6px;border-bottom:1px solid #e3e5e8;font-size:13px;vertical-align:top';
const HEAD = `${CELL};background:#f1f3f4;font-weight:bold;text-align:left`;
const COLOURS = {
  onTime: '#34a853',
  late: '#fbbc04',
  sentBack: '#ff6d01',
  overdue: '#ea4335',
  pending: '#dadce0',
};

export interface DigestDelivery {
  /** The attached file's name, or the link to download it when it was too large to attach. */
  attachmentName: string;
  downloadUrl?: string;
}

export function digestSubject(campaign: Campaign, digest: Digest): string {
  const what = digest.closing ? '专项行动结束总结报告 / Closing report' : '每日汇总 / Daily digest';
  return `【${campaign.name.zh.slice(0, 20)}】${digest.scopeName.zh}${what} ${digest.day}`;
}

function percent(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((part / whole) * 1000) / 10;
}

function bar(p: DeliverableProgress): Html {
  const parts = [
    { n: p.onTime, colour: COLOURS.onTime },
    { n: p.late, colour: COLOURS.late },
    { n: p.sentBack, colour: COLOURS.sentBack },
    { n: p.overdue, colour: COLOURS.overdue },
    { n: p.pending, colour: COLOURS.pending },
  ].filter((part) => part.n > 0);
  if (parts.length === 0) return html``;
  const cells = parts.map(
    (part) =>
      html`<td width="${percent(part.n, p.required)}%" bgcolor="${part.colour}" style="background:${part.colour};height:12px;font-size:1px;line-height:1px">&nbsp;</td>`,
  );
  return html`<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="border-collapse:collapse;border-radius:3px"><tr>${cells}</tr></table>`;
}

function section(titleZh: string, titleEn: string, body: Html): Html {
  return html`<tr><td style="padding:16px 0 4px 0"><div style="${FONT};font-size:16px;font-weight:bold;color:#1a1a1a">${titleZh} <span style="font-weight:normal;color:#5f6368;font-size:13px">${titleEn}</span></div></td></tr>
<tr><td>${body}</td></tr>`;
}

function table(headers: string[], rows: Html[][], more: number): Html {
  return html`<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="border-collapse:collapse;${FONT}">
<tr>${headers.map((h) => html`<th style="${HEAD}">${h}</th>`)}</tr>
${rows.map((cells) => html`<tr>${cells.map((c) => html`<td style="${CELL}">${c}</td>`)}</tr>`)}
</table>${more > 0 ? html`<div style="${FONT};font-size:12px;color:#5f6368;padding:4px 0">另有 ${more} 条，见附件 / ${more} more in the spreadsheet</div>` : ''}`;
}

const none = (zh: string, en: string) =>
  html`<div style="${FONT};font-size:13px;color:#5f6368">${zh} / ${en}</div>`;

function ledgerCells(campaign: Campaign, row: LedgerRow): Html[] {
  return [
    html`${row.id}`,
    html`${row.unitName}<br><span style="color:#5f6368">${districtName(campaign, row.district).zh}</span>`,
    html`${row.title}`,
    html`${row.deadline ?? ''}`,
    html`${STATUS_LABELS[row.status].zh}`,
    html`${row.supervisor}`,
  ];
}

function driveLine(digest: Digest): { zh: string; en: string } {
  const { drive } = digest;
  if (drive.closed)
    return { zh: `隐患排查已于 ${drive.closesOn} 结束`, en: `The drive closed on ${drive.closesOn}` };
  return drive.daysLeft === 0
    ? { zh: `隐患排查今天（${drive.closesOn}）结束`, en: `The drive closes today (${drive.closesOn})` }
    : {
        zh: `距隐患排查结束（${drive.closesOn}）还有 ${drive.daysLeft} 天`,
        en: `${drive.daysLeft} day(s) until the drive closes (${drive.closesOn})`,
      };
}

/** Why a unit's mail bounced, in one line: kind, the server's reason, when. */
function bounceWhy(campaign: Campaign, b: BouncedUnit): string {
  const reason = [b.subtype, b.diagnostic].filter(Boolean).join('：');
  return `${BOUNCE_KIND_LABELS[b.kind].zh}${reason ? `（${reason}）` : ''}，${formatLocal(new Date(b.lastSeenAt), campaign.timeZone)}${b.count > 1 ? `，共 ${b.count} 次` : ''}`;
}

/** 约谈/通报: every decision recorded against the scope's units (the newest since yesterday are also in the changes). */
function sanctionsSection(campaign: Campaign, digest: Digest): Html {
  const rows = digest.sanctions.slice(0, LIST_LIMIT);
  return section(
    '约谈/通报记录',
    'Summons and circulars',
    digest.sanctions.length === 0
      ? none('尚无约谈或通报', 'No summons or circular recorded')
      : table(
          ['类型 Kind', '日期 Date', '单位 Unit', '事由 Reason'],
          rows.map((s) => [
            html`${SANCTION_KIND_LABELS[s.kind].zh}`,
            html`${s.date}`,
            html`${s.unitName}<br><span style="color:#5f6368">${districtName(campaign, s.district).zh}</span>`,
            html`${s.reason}`,
          ]),
          digest.sanctions.length - rows.length,
        ),
  );
}

/** The text part's lines for the same section. */
function sanctionLines(digest: Digest): string[] {
  return [
    '',
    '== 约谈/通报记录 Summons and circulars ==',
    ...(digest.sanctions.length === 0
      ? ['（无 none）']
      : digest.sanctions
          .slice(0, LIST_LIMIT)
          .map((s) => `- ${SANCTION_KIND_LABELS[s.kind].zh} ${s.date} ${s.unitName}：${s.reason}`)),
    ...(digest.sanctions.length > LIST_LIMIT
      ? [`… 另有 ${digest.sanctions.length - LIST_LIMIT} 条 / more in the spreadsheet`]
      : []),
  ];
}

export function digestHtml(campaign: Campaign, digest: Digest, delivery: DigestDelivery): string {
  const drive = driveLine(digest);
  const title = digest.closing ? '专项行动结束总结报告' : '每日汇总';
  const progress = table(
    ['材料 Deliverable', '截止 Due', '进度 Progress', '按时/逾期报送/退回修改/逾期未报/未到期'],
    digest.progress.map((p) => [
      html`${p.name.zh}`,
      html`${p.dueDate}`,
      html`${bar(p)}<span style="color:#5f6368">${percent(p.onTime + p.late, p.required)}% 已报送 (${p.onTime + p.late}/${p.required})</span>`,
      html`${p.onTime} / ${p.late} / <b style="color:${COLOURS.sentBack}">${p.sentBack}</b> / <b style="color:${COLOURS.overdue}">${p.overdue}</b> / ${p.pending}${p.accepted > 0 ? html`<br><span style="color:#5f6368">审核通过 ${p.accepted}</span>` : ''}`,
    ]),
    0,
  );
  const changes = digest.changes.slice(0, LIST_LIMIT);
  const changeTable =
    digest.changes.length === 0
      ? none('昨日以来无变化', 'No changes since yesterday')
      : table(
          ['变化 Change', '单位 Unit', '事项 Subject', '时间 Time'],
          changes.map((c) => [
            html`${CHANGE_LABELS[c.kind].zh}`,
            html`${c.unitName}`,
            html`${c.subject}${c.late ? html` <span style="color:${COLOURS.overdue}">（逾期报送）</span>` : ''}`,
            html`${c.at ? formatLocal(new Date(c.at), campaign.timeZone) : ''}`,
          ]),
          digest.changes.length - changes.length,
        );
  let overdueRows = 0;
  const overdueUnits =
    digest.overdueByDistrict.length === 0
      ? none('没有逾期单位', 'No unit is overdue')
      : html`${digest.overdueByDistrict.map((group) => {
          const shown = group.units.slice(0, Math.max(0, LIST_LIMIT - overdueRows));
          overdueRows += shown.length;
          return html`<div style="${FONT};font-size:14px;font-weight:bold;padding:8px 0 2px 0">${group.name.zh}（${group.units.length} 个单位）</div>${table(
            ['单位 Unit', '逾期事项 Overdue'],
            shown.map((u) => [
              html`${u.state.unit.name}`,
              html`${[
                ...u.overdue.map((o) => `《${o.name.zh}》逾期 ${o.days} 天`),
                ...(u.overdueMajors > 0 ? [`重大隐患逾期 ${u.overdueMajors} 条`] : []),
              ].join('；')}`,
            ]),
            group.units.length - shown.length,
          )}`;
        })}`;
  const majors =
    digest.overdueMajors.length === 0
      ? none('没有逾期的重大隐患', 'No major hazard is overdue')
      : table(
          ['编号 Id', '单位 Unit', '隐患 Hazard', '期限 Deadline', '状态 State', '督办 Supervisor'],
          digest.overdueMajors.slice(0, LIST_LIMIT).map((row) => ledgerCells(campaign, row)),
          digest.overdueMajors.length - LIST_LIMIT,
        );
  const areas = table(
    ['领域 Area', '一般·未销号', '重大·未销号', '一般·已销号', '重大·已销号'],
    digest.areas.map((a) => [
      html`${a.name.zh}`,
      html`${a.open.general}`,
      html`<b style="color:${a.open.major > 0 ? COLOURS.overdue : '#1a1a1a'}">${a.open.major}</b>`,
      html`${a.closed.general}`,
      html`${a.closed.major}`,
    ]),
    0,
  );
  const bounced =
    digest.bounced.length === 0
      ? ''
      : section(
          '退信：请核实联系邮箱',
          'Bounced mail: check these contact addresses',
          table(
            ['单位 Unit', '邮箱 Address', '情况 Why'],
            digest.bounced
              .slice(0, LIST_LIMIT)
              .map((b) => [
                html`${b.unitName}<br><span style="color:#5f6368">${b.unitCode} · ${districtName(campaign, b.district).zh}</span>`,
                html`${b.address}`,
                html`${bounceWhy(campaign, b)}`,
              ]),
            digest.bounced.length - LIST_LIMIT,
          ),
        );
  const { stillOpen } = digest;
  const closingParts = digest.closing
    ? html`${section(
        '仍未销号的隐患',
        'Hazards still open',
        stillOpen.count === 0
          ? none('全部隐患均已销号', 'Every hazard is closed out')
          : table(
              ['编号 Id', '单位 Unit', '隐患 Hazard', '期限 Deadline', '状态 State', '督办 Supervisor'],
              stillOpen.rows.slice(0, LIST_LIMIT).map((row) => ledgerCells(campaign, row)),
              stillOpen.count - LIST_LIMIT,
            ),
      )}${section(
        '从未报送的单位',
        'Units that never filed',
        html`${digest.neverFiled.map(
          (d) =>
            html`<div style="${FONT};font-size:13px;padding:4px 0"><b>《${d.name.zh}》</b>（${d.units.length}）：${d.units
              .slice(0, LIST_LIMIT)
              .map((u) => u.unit.name)
              .join('、')}${d.units.length > LIST_LIMIT ? ` 等 ${d.units.length} 个单位` : ''}</div>`,
        )}`,
      )}`
    : '';
  const attachment = delivery.downloadUrl
    ? html`完整数据表格过大，未作附件，请下载：<a href="${delivery.downloadUrl}">${delivery.attachmentName}</a>（链接 ${DOWNLOAD_LINK_DAYS} 天内有效）<br>The spreadsheet is too large to attach: <a href="${delivery.downloadUrl}">download it</a> (the link works for ${DOWNLOAD_LINK_DAYS} days).`
    : html`完整数据见附件 ${delivery.attachmentName} / Full data in the attached spreadsheet.`;
  const body = html`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${title}</title></head>
<body style="margin:0;padding:0;background:#f5f6f8">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" bgcolor="#f5f6f8" style="background:#f5f6f8"><tr><td align="center" style="padding:12px">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:680px;background:#ffffff;border-radius:6px"><tr><td style="padding:16px">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0">
<tr><td style="${FONT};font-size:13px;color:#5f6368">${campaign.name.zh}</td></tr>
<tr><td style="${FONT};font-size:20px;font-weight:bold;color:#1a1a1a;padding:4px 0">${digest.scopeName.zh}${title} · ${digest.day}</td></tr>
<tr><td style="${FONT};font-size:13px;color:#5f6368">${digest.scopeName.en} — ${digest.closing ? 'closing report' : 'daily digest'}, ${digest.day}. ${drive.zh}；${drive.en}.</td></tr>
${section('报送进度', 'Filing progress', progress)}
${bounced}
${section('昨日以来变化', 'Changes since yesterday', changeTable)}
${section('逾期单位（约谈/通报候选）', 'Overdue units, by district', overdueUnits)}
${sanctionsSection(campaign, digest)}
${section('逾期未整改的重大隐患', 'Overdue major hazards', majors)}
${section('隐患分布（领域 × 等级）', 'Hazards by area and level', areas)}
${closingParts}
<tr><td style="${FONT};font-size:13px;color:#1a1a1a;padding:16px 0 0 0">${attachment}</td></tr>
<tr><td style="${FONT};font-size:12px;color:#5f6368;padding:12px 0 0 0">${campaign.organiser.name.zh} · 系统自动发送 / sent automatically</td></tr>
</table></td></tr></table>
</td></tr></table></body></html>`;
  return body.value;
}

export function digestText(campaign: Campaign, digest: Digest, delivery: DigestDelivery): string {
  const drive = driveLine(digest);
  const lines: string[] = [
    campaign.name.zh,
    `${digest.scopeName.zh}${digest.closing ? '专项行动结束总结报告' : '每日汇总'} ${digest.day} / ${digest.scopeName.en} ${digest.closing ? 'closing report' : 'daily digest'}`,
    `${drive.zh} / ${drive.en}`,
    '',
    '== 报送进度 Filing progress ==',
    ...digest.progress.map(
      (p) =>
        `${p.name.zh}（截止 ${p.dueDate}）：已报送 ${p.onTime + p.late}/${p.required}（${percent(p.onTime + p.late, p.required)}%），按时 ${p.onTime}，逾期报送 ${p.late}，退回修改 ${p.sentBack}，逾期未报 ${p.overdue}，未到期 ${p.pending}，审核通过 ${p.accepted}`,
    ),
    ...(digest.bounced.length === 0
      ? []
      : [
          '',
          '== 退信：请核实联系邮箱 Bounced mail: check these contact addresses ==',
          ...digest.bounced
            .slice(0, LIST_LIMIT)
            .map((b) => `- ${b.unitCode} ${b.unitName} <${b.address}>：${bounceWhy(campaign, b)}`),
          ...(digest.bounced.length > LIST_LIMIT
            ? [`… 另有 ${digest.bounced.length - LIST_LIMIT} 个单位 / more in the spreadsheet`]
            : []),
        ]),
    '',
    '== 昨日以来变化 Changes since yesterday ==',
    ...(digest.changes.length === 0
      ? ['（无 none）']
      : digest.changes
          .slice(0, LIST_LIMIT)
          .map(
            (c) => `- ${CHANGE_LABELS[c.kind].zh}：${c.unitName} ${c.subject}${c.late ? '（逾期报送）' : ''}`,
          )),
    ...(digest.changes.length > LIST_LIMIT
      ? [`… 另有 ${digest.changes.length - LIST_LIMIT} 条 / more in the spreadsheet`]
      : []),
    '',
    '== 逾期单位（约谈/通报候选）Overdue units ==',
    ...(digest.overdueByDistrict.length === 0
      ? ['（无 none）']
      : digest.overdueByDistrict.flatMap((group) => [
          `[${group.name.zh}] ${group.units.length}`,
          ...group.units
            .slice(0, LIST_LIMIT)
            .map(
              (u) =>
                `- ${u.state.unit.name}：${[...u.overdue.map((o) => `《${o.name.zh}》逾期 ${o.days} 天`), ...(u.overdueMajors > 0 ? [`重大隐患逾期 ${u.overdueMajors} 条`] : [])].join('；')}`,
            ),
        ])),
    ...sanctionLines(digest),
    '',
    '== 逾期未整改的重大隐患 Overdue major hazards ==',
    ...(digest.overdueMajors.length === 0
      ? ['（无 none）']
      : digest.overdueMajors
          .slice(0, LIST_LIMIT)
          .map(
            (row) =>
              `- ${row.id} ${row.unitName}：${row.title}（期限 ${row.deadline ?? ''}，督办 ${row.supervisor}）`,
          )),
    '',
    '== 隐患分布 Hazards by area (未销号 一般/重大 · 已销号 一般/重大) ==',
    ...digest.areas.map(
      (a) => `${a.name.zh}：${a.open.general}/${a.open.major} · ${a.closed.general}/${a.closed.major}`,
    ),
  ];
  if (digest.closing) {
    const { stillOpen } = digest;
    lines.push(
      '',
      '== 仍未销号的隐患 Hazards still open ==',
      ...(stillOpen.count === 0
        ? ['（无 none）']
        : stillOpen.rows
            .slice(0, LIST_LIMIT)
            .map((row) => `- ${row.id} ${row.unitName}：${row.title}（${STATUS_LABELS[row.status].zh}）`)),
      '',
      '== 从未报送的单位 Units that never filed ==',
      ...digest.neverFiled.map(
        (d) => `《${d.name.zh}》（${d.units.length}）：${d.units.map((u) => u.unit.name).join('、') || '无'}`,
      ),
    );
  }
  lines.push(
    '',
    delivery.downloadUrl
      ? `完整数据（表格过大未作附件）/ Full spreadsheet (too large to attach): ${delivery.downloadUrl}`
      : `完整数据见附件 ${delivery.attachmentName} / Full data in the attached spreadsheet.`,
    '',
    `${campaign.organiser.name.zh} · 系统自动发送 / sent automatically`,
  );
  return lines.join('\n');
}

/** The spreadsheet's file name: the scope, what it is, and the day. */
export function digestAttachmentName(digest: Digest): string {
  return `${digest.scopeName.zh}-${digest.closing ? '专项行动总结报告' : '每日汇总'}-${digest.day}.xlsx`;
}

/**
 * A scope's digest mail, rendered once and shared by the scope's recipients (`keyedMail`
 * addresses each copy): the spreadsheet attached, or linked when it was too large.
 */
export function digestMailContent(
  campaign: Campaign,
  digest: Digest,
  delivery: DigestDelivery & { attachments: MailAttachment[] },
): MailContent {
  const { attachments, ...linked } = delivery;
  return { ...digestEmailParts(campaign, digest, linked), attachments };
}

export function digestEmailParts(
  campaign: Campaign,
  digest: Digest,
  delivery: DigestDelivery,
): { subject: string; html: string; text: string } {
  return {
    subject: digestSubject(campaign, digest),
    html: digestHtml(campaign, digest, delivery),
    text: digestText(campaign, digest, delivery),
  };
}
