import type { Campaign, Deliverable } from '../../../schemas/campaign.ts';
import type { SubmissionVersion, UnitRecord } from '../../../schemas/records.ts';
import { formatLocal } from '../domain/calendar/calendar.ts';
import type { MailKey } from '../domain/delivery/mail-once.ts';
import type { KeyedMail } from '../ports.ts';
import { keyedMail } from './envelope.ts';

/** The receipt a unit gets for one filed version: what arrived, when, whether on time, and its SHA-256. */
export function receiptMail(
  key: MailKey,
  input: {
    campaign: Campaign;
    unit: UnitRecord;
    deliverable: Deliverable;
    version: SubmissionVersion;
  },
): KeyedMail {
  const { campaign, unit, deliverable, version } = input;
  const at = formatLocal(new Date(version.receivedAt), campaign.timeZone);
  const status = version.onTime
    ? { zh: '按时报送', en: 'filed on time' }
    : { zh: '逾期报送', en: 'filed late' };
  const text = [
    `${unit.name}：`,
    `市教育局已收到贵单位报送的《${deliverable.name.zh}》（第 ${version.version} 版，文件 ${version.displayName}，${at} 收到，${status.zh}）。`,
    ...(version.sha256 ? [`文件 SHA-256：${version.sha256}`] : []),
    '如需更正，可通过原填报链接重新上传；历次版本均会保留。',
    '',
    `${campaign.organiser.name.zh}`,
    '',
    '---',
    `Receipt: the ${deliverable.name.en} of ${unit.name} (version ${version.version}, file "${version.displayName}", received ${at} ${campaign.timeZone}) was ${status.en}.`,
    ...(version.sha256 ? [`SHA-256 of the file: ${version.sha256}`] : []),
    'To correct it, upload again through the same form link; every version is kept.',
    '',
    campaign.organiser.name.en,
  ].join('\n');
  return keyedMail(campaign, key, {
    subject: `【回执】${deliverable.name.zh} 已收到（第 ${version.version} 版）/ Receipt: ${deliverable.name.en} received`,
    text,
  });
}
