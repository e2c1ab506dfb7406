import type { Campaign } from '../../../../schemas/campaign.ts';
import { addDays, localDateOf } from '../calendar/calendar.ts';
import type { CampaignInstant } from './model.ts';

/** The instant `at` of the campaign, its local date worked out here and nowhere else in the model. */
export function campaignInstant(campaign: Pick<Campaign, 'timeZone'>, at: Date): CampaignInstant {
  const today = localDateOf(at, campaign.timeZone);
  return { at, timeZone: campaign.timeZone, iso: at.toISOString(), today, yesterday: addDays(today, -1) };
}

/** "Since yesterday" in a digest: the 24 hours before the check, (at − 24 h, at]. */
export const CHANGE_WINDOW_MS = 24 * 60 * 60 * 1000;

/** True when `iso` falls in the change window ending at `instant`; false when absent. */
export function changedSince(instant: CampaignInstant): (iso: string | undefined) => boolean {
  const end = instant.at.getTime();
  const start = end - CHANGE_WINDOW_MS;
  return (iso) => {
    if (iso === undefined) return false;
    const t = Date.parse(iso);
    return t > start && t <= end;
  };
}
