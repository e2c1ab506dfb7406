import type { OutboxItem } from '../../../schemas/records.ts';
import { formatLocal } from '../domain/calendar/calendar.ts';
import type { MailKey } from '../domain/delivery/mail-once.ts';
import { hazardDeadline } from '../domain/hazards/hazard-lifecycle.ts';
import { deliverNotices, type NoticeContent, type NoticeDeps } from '../domain/hazards/hazard-notices.ts';
import type { KeyedMail } from '../ports.ts';
import { keyedMail } from './envelope.ts';

/**
 * The hazard notices, Chinese first then English: the receipt a unit gets for every report, and
 * the notice a supervisor gets when a major hazard is reported or a hazard is made major. Both
 * name the hazard's id, title, unit, level, area and deadline.
 */
export function hazardNoticeMail(key: MailKey, notice: NoticeContent): KeyedMail {
  const { campaign, hazard, unit, recipient } = notice;
  const level = campaign.hazardDrive.levels.find((l) => l.id === hazard.level)?.name ?? {
    zh: hazard.level,
    en: hazard.level,
  };
  const area = campaign.hazardDrive.areas.find((a) => a.id === hazard.area)?.name ?? {
    zh: hazard.area,
    en: hazard.area,
  };
  const deadline = hazardDeadline(hazard);
  const at = formatLocal(new Date(hazard.createdAt), campaign.timeZone);
  const facts = {
    zh: [
      `隐患编号：${hazard.id}`,
      `隐患名称：${hazard.title}`,
      `上报单位：${unit.name}（${unit.code}）`,
      `隐患等级：${level.zh}`,
      `隐患类别：${area.zh}`,
      `具体位置：${hazard.report.location}`,
      `整改期限：${deadline ?? '无（已当场整改）'}`,
      `上报时间：${at}`,
    ],
    en: [
      `Hazard: ${hazard.id}`,
      `Title: ${hazard.title}`,
      `Reported by: ${unit.name} (${unit.code})`,
      `Level: ${level.en}`,
      `Area: ${area.en}`,
      `Location: ${hazard.report.location}`,
      `Deadline: ${deadline ?? 'none (fixed on the spot)'}`,
      `Reported: ${at} ${campaign.timeZone}`,
    ],
  };
  const major = notice.kind === 'major-hazard';
  const intro = major
    ? {
        zh: `${recipient.name}：${unit.name} 的隐患「${hazard.title}」已列为重大事故隐患，由贵单位挂牌督办。请通过贵单位的填报链接查看并跟踪整改。`,
        en: `${recipient.name}: the hazard "${hazard.title}" of ${unit.name} is a major hazard listed for supervision by your unit. Open it through your unit's form link to follow its rectification.`,
      }
    : {
        zh: `${recipient.name}：市教育局已收到贵单位上报的隐患「${hazard.title}」。开始整改前，可通过原填报链接修改或撤回。`,
        en: `${recipient.name}: your report of the hazard "${hazard.title}" was received. Until rectification starts you can edit or withdraw it through your form link.`,
      };
  const text = [
    intro.zh,
    '',
    ...facts.zh,
    '',
    campaign.organiser.name.zh,
    '',
    '---',
    intro.en,
    '',
    ...facts.en,
    '',
    campaign.organiser.name.en,
  ].join('\n');
  const subject = major
    ? `【重大隐患督办】${unit.name}：${hazard.title}（${hazard.id}）/ Major hazard listed for your supervision: ${hazard.id}`
    : `【回执】隐患 ${hazard.id} 已登记 / Receipt: hazard ${hazard.id} reported`;
  return keyedMail(campaign, key, { subject, text });
}

/**
 * `deps` with `notify`: the mails a hazard change owes (in the outbox, written with it) go out
 * right after its commit, rendered here; what fails is left to the outbox sweep.
 */
export function withHazardNotices<D extends Omit<NoticeDeps, 'renderNotice'>>(
  deps: D,
): D & { notify: (items: readonly OutboxItem[]) => Promise<void> } {
  const notices: NoticeDeps = { ...deps, renderNotice: hazardNoticeMail };
  return { ...deps, notify: (items) => deliverNotices(notices, items) };
}
