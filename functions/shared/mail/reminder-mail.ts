import type { Campaign } from '../../../schemas/campaign.ts';
import type { MailKey } from '../domain/delivery/mail-once.ts';
import type { UnitState } from '../domain/report/model.ts';
import type { Gap } from '../domain/report/reminders.ts';
import type { KeyedMail } from '../ports.ts';
import { keyedMail } from './envelope.ts';

function deliverableName(campaign: Campaign, id: string) {
  return campaign.deliverables.find((d) => d.id === id)?.name ?? { zh: id, en: id };
}

function gapLines(campaign: Campaign, gap: Gap): { zh: string; en: string } {
  switch (gap.kind) {
    case 'deliverable-due': {
      const name = deliverableName(campaign, gap.deliverableId);
      return gap.daysLeft === 0
        ? {
            zh: `《${name.zh}》今天（${gap.dueDate}）截止，尚未报送。`,
            en: `${name.en}: due today (${gap.dueDate}), not filed yet.`,
          }
        : {
            zh: `《${name.zh}》将于 ${gap.dueDate} 截止，还剩 ${gap.daysLeft} 天，尚未报送。`,
            en: `${name.en}: due ${gap.dueDate}, ${gap.daysLeft} day(s) left, not filed yet.`,
          };
    }
    case 'deliverable-overdue': {
      const name = deliverableName(campaign, gap.deliverableId);
      return {
        zh: `《${name.zh}》已逾期 ${gap.daysOverdue} 天（截止 ${gap.dueDate}），请尽快报送。`,
        en: `${name.en}: ${gap.daysOverdue} day(s) overdue (due ${gap.dueDate}); please file it now.`,
      };
    }
    case 'deliverable-sent-back': {
      const name = deliverableName(campaign, gap.deliverableId);
      const reason = gap.reason.replace(/\s+/g, ' ');
      return {
        zh: `《${name.zh}》第 ${gap.version} 版已于 ${gap.since} 被退回修改（理由：${reason}），请修改后重新报送。`,
        en: `${name.en}: version ${gap.version} was sent back for changes on ${gap.since} (reason: ${reason}); please file a changed version.`,
      };
    }
    case 'major-hazards-overdue':
      return {
        zh: `挂牌督办的重大隐患 ${gap.hazardIds.join('、')} 已超过整改期限，请立即整改或申请延期。`,
        en: `Major hazard(s) under listed supervision past their deadline: ${gap.hazardIds.join(', ')}. Rectify them or ask for an extension.`,
      };
    case 'missing-five':
      return {
        zh: `隐患 ${gap.hazardIds.join('、')} 尚未落实“五落实”（责任、措施、资金、时限、预案）。`,
        en: `Hazard(s) ${gap.hazardIds.join(', ')} lack the five implementations (owner, measures, funds, deadline, contingency plan).`,
      };
  }
}

/**
 * The reminder a unit gets: every gap it has, Chinese first and English below, with its form
 * link (or, when no link can be rebuilt, whom to ask for one).
 */
export function reminderMail(
  key: MailKey,
  input: {
    campaign: Campaign;
    unit: UnitState['unit'];
    gaps: readonly Gap[];
    link: string | null;
  },
): KeyedMail {
  const { campaign, unit, gaps, link } = input;
  const lines = gaps.map((gap) => gapLines(campaign, gap));
  const organiser = campaign.organiser;
  const contact = [organiser.phone, organiser.email].filter(Boolean).join(' / ');
  const text = [
    `${unit.name}：`,
    '',
    `“${campaign.name.zh}”中，贵单位有以下事项需要办理：`,
    ...lines.map((line, i) => `${i + 1}. ${line.zh}`),
    '',
    link
      ? `填报链接（请勿转发）：${link}`
      : `请联系${organiser.name.zh}获取填报链接${contact ? `（${contact}）` : ''}。`,
    '',
    `${organiser.name.zh}`,
    '（本邮件由系统自动发送，每天最多一封。）',
    '',
    '---',
    `${unit.name}: in "${campaign.name.en}", your unit has the following to do:`,
    ...lines.map((line, i) => `${i + 1}. ${line.en}`),
    '',
    link
      ? `Your form link (do not forward it): ${link}`
      : `Ask ${organiser.name.en} for your form link${contact ? ` (${contact})` : ''}.`,
    '',
    organiser.name.en,
    '(Sent automatically, at most once a day.)',
  ].join('\n');
  return keyedMail(campaign, key, {
    subject: `【提醒】${campaign.name.zh}：贵单位有 ${gaps.length} 项待办 / Reminder: ${gaps.length} item(s) to do`,
    text,
  });
}
