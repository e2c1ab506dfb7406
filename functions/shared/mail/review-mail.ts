import type { Campaign, Deliverable } from '../../../schemas/campaign.ts';
import type { ReviewDecision, UnitRecord } from '../../../schemas/records.ts';
import { formatLocal } from '../domain/calendar/calendar.ts';
import type { MailKey } from '../domain/delivery/mail-once.ts';
import type { KeyedMail } from '../ports.ts';
import { keyedMail } from './envelope.ts';

/**
 * The mail a unit gets for one review decision on a filed version: sent back with the reason,
 * or accepted (with the note, if any). Chinese first, English below. It carries no link: the
 * HTTP function that records decisions does not hold the link key (only the daily check does),
 * so the mail points the unit to the form link it already has.
 */
export function reviewMail(
  key: MailKey,
  input: { campaign: Campaign; unit: UnitRecord; deliverable: Deliverable; decision: ReviewDecision },
): KeyedMail {
  const { campaign, unit, deliverable, decision } = input;
  const at = formatLocal(new Date(decision.at), campaign.timeZone);
  const organiser = campaign.organiser;
  const contact = [organiser.phone, organiser.email].filter(Boolean).join(' / ');
  const sentBack = decision.verdict === 'needs-changes';
  const reasonLines = (label: string) =>
    decision.reason ? [`${label}`, ...decision.reason.split('\n').map((line) => `  ${line}`)] : [];
  const text = [
    `${unit.name}：`,
    '',
    sentBack
      ? `贵单位报送的《${deliverable.name.zh}》第 ${decision.version} 版经 ${decision.byName} 审核，需要修改后重新报送（退回修改，${at}）。`
      : `贵单位报送的《${deliverable.name.zh}》第 ${decision.version} 版已经 ${decision.byName} 审核通过（${at}）。`,
    ...reasonLines(sentBack ? '退回理由：' : '审核意见：'),
    '',
    sentBack
      ? '请按意见修改后，通过原填报链接上传新版本；在新版本报送之前，该材料按“未通过审核”统计。'
      : '无需再做其他处理。',
    `如有疑问，请联系${organiser.name.zh}${contact ? `（${contact}）` : ''}。`,
    '',
    organiser.name.zh,
    '',
    '---',
    sentBack
      ? `${unit.name}: version ${decision.version} of your ${deliverable.name.en} was sent back for changes by ${decision.byName} (${at} ${campaign.timeZone}).`
      : `${unit.name}: version ${decision.version} of your ${deliverable.name.en} was accepted by ${decision.byName} (${at} ${campaign.timeZone}).`,
    ...reasonLines(sentBack ? 'Reason:' : 'Note:'),
    '',
    sentBack
      ? 'Please change it and upload a new version through your form link; until a new version is filed, the document counts as not accepted.'
      : 'Nothing more is needed.',
    `Questions: ${organiser.name.en}${contact ? ` (${contact})` : ''}.`,
    '',
    organiser.name.en,
  ].join('\n');
  const subject = sentBack
    ? `【退回修改】${deliverable.name.zh}（第 ${decision.version} 版）/ Sent back for changes: ${deliverable.name.en}`
    : `【审核通过】${deliverable.name.zh}（第 ${decision.version} 版）/ Accepted: ${deliverable.name.en}`;
  return keyedMail(campaign, key, { subject, text });
}
