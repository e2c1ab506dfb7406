import type { Campaign } from '../../../../schemas/campaign.ts';
import { daysBetween } from '../calendar/calendar.ts';
import { deliverableStateOn } from '../calendar/deadlines.ts';
import { deliverablesOf } from '../filing/uploads.ts';
import type { CampaignInstant, CampaignState, UnitInputs, UnitState } from './model.ts';

/**
 * Every unit's standing on one campaign day. Reminders, the office digest, the district digests
 * and their spreadsheets all render this, so a number never differs between them. Plain data
 * in, plain data out.
 */
export function unitState(campaign: Campaign, inputs: UnitInputs, instant: CampaignInstant): UnitState {
  const { unit, hazards } = inputs;
  return {
    unit: { code: unit.code, name: unit.name, type: unit.type, district: unit.district, email: unit.email },
    deliverables: deliverablesOf(campaign, unit).map((d) => ({
      deliverableId: d.id,
      dueDate: d.dueDate,
      state: deliverableStateOn(d, inputs.pointers.get(d.id) ?? null, instant.today, campaign.timeZone),
    })),
    openHazards: { ...hazards.open },
    overdueMajors: hazards.overdueMajors,
    overdueMajorsSince: hazards.overdueMajorsSince,
    missingFive: hazards.missingFive,
    awaitingAcceptance: hazards.awaitingAcceptance,
    zeroReport: inputs.zeroReport ? (inputs.zeroReport.withdrawnAt ? 'withdrawn' : 'filed') : 'none',
  };
}

export function campaignState(
  campaign: Campaign,
  units: readonly UnitInputs[],
  instant: CampaignInstant,
): CampaignState {
  const daysLeft = daysBetween(instant.today, campaign.hazardDrive.closesOn);
  return {
    day: instant.today,
    at: instant.iso,
    units: units.map((inputs) => unitState(campaign, inputs, instant)),
    drive: { closesOn: campaign.hazardDrive.closesOn, daysLeft, closed: daysLeft < 0 },
  };
}
