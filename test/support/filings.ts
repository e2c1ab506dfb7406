import { addDays, atLocalTime } from '../../functions/shared/domain/calendar/calendar.ts';
import { addFiledVersion } from '../../functions/shared/domain/filing/file-version.ts';
import type { Adapters } from '../../functions/shared/wiring.ts';

/**
 * Files version `version` of `unit`'s deliverable as received at `at` (ISO), without an upload
 * (`addFiledVersion`: the pointer and the unit's profile and rollup move together), on time by the
 * deliverable's due date in the campaign's time zone. For tests that set a campaign's filings up.
 */
export async function fileAt(
  adapters: Adapters,
  unit: string,
  deliverableId: string,
  at: string,
  version = 1,
): Promise<void> {
  const { campaign } = adapters;
  const deliverable = campaign.deliverables.find((d) => d.id === deliverableId);
  if (!deliverable) throw new Error(`no deliverable ${deliverableId}`);
  const receivedAt = new Date(at);
  await addFiledVersion(adapters, {
    unitCode: unit,
    deliverableId,
    version,
    fileKey: `incoming/${unit}/${deliverableId}-${version}`,
    displayName: `${deliverable.name.zh}.pdf`,
    contentType: 'application/pdf',
    size: 1000,
    etag: `"etag-${unit}-${deliverableId}-${version}"`,
    receivedAt: receivedAt.toISOString(),
    onTime: receivedAt < atLocalTime(addDays(deliverable.dueDate, 1), '00:00', campaign.timeZone),
  });
}
