import type { Campaign } from '../../../../schemas/campaign.ts';
import type { SubmissionPointer } from '../../../../schemas/records.ts';
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
    deliverables: unitDeliverables(campaign, unit, inputs.pointers, instant),
    openHazards: { ...hazards.open },
    overdueMajors: hazards.overdueMajors,
    overdueMajorsSince: hazards.overdueMajorsSince,
    missingFive: hazards.missingFive,
    awaitingAcceptance: hazards.awaitingAcceptance,
    zeroReport: inputs.zeroReport ? (inputs.zeroReport.withdrawnAt ? 'withdrawn' : 'filed') : 'none',
  };
}

/** The filings by unit, then by deliverable: each unit's `UnitInputs['pointers']`. */
export function pointersByUnit(
  pointers: Iterable<SubmissionPointer>,
): Map<string, Map<string, SubmissionPointer>> {
  const byUnit = new Map<string, Map<string, SubmissionPointer>>();
  for (const p of pointers) {
    const mine = byUnit.get(p.unitCode) ?? new Map<string, SubmissionPointer>();
    mine.set(p.deliverableId, p);
    byUnit.set(p.unitCode, mine);
  }
  return byUnit;
}

/** Where the unit stands on each deliverable it owes, on the instant's day. */
export function unitDeliverables(
  campaign: Campaign,
  unit: Pick<UnitInputs['unit'], 'type'>,
  pointers: UnitInputs['pointers'],
  instant: Pick<CampaignInstant, 'today'>,
): UnitState['deliverables'] {
  return deliverablesOf(campaign, unit).map((d) => ({
    deliverableId: d.id,
    dueDate: d.dueDate,
    state: deliverableStateOn(d, pointers.get(d.id) ?? null, instant.today, campaign.timeZone),
  }));
}

/** The hazard drive on `today`: its last day, the days left, and whether it has closed. */
export function driveOn(campaign: Campaign, today: CampaignInstant['today']): CampaignState['drive'] {
  const daysLeft = daysBetween(today, campaign.hazardDrive.closesOn);
  return { closesOn: campaign.hazardDrive.closesOn, daysLeft, closed: daysLeft < 0 };
}

export function campaignState(
  campaign: Campaign,
  units: readonly UnitInputs[],
  instant: CampaignInstant,
): CampaignState {
  return {
    day: instant.today,
    at: instant.iso,
    units: units.map((inputs) => unitState(campaign, inputs, instant)),
    drive: driveOn(campaign, instant.today),
  };
}
