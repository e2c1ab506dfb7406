import type { Campaign } from '../../../../schemas/campaign.ts';
import type { SubmissionPointer, UnitRecord, ZeroReport } from '../../../../schemas/records.ts';
import { daysBetween, type LocalDate, localDateOf } from '../calendar/calendar.ts';
import { type DeliverableState, deliverableState } from '../calendar/deadlines.ts';
import { deliverablesOf } from '../filing/uploads.ts';
import type { UnitHazardFacts } from './hazard-pass.ts';

/**
 * The one campaign model a daily check computes: every unit's standing on one campaign day.
 * Reminders, the office digest, the district digests and their spreadsheets all render this,
 * so a number never differs between them. Plain data in, plain data out.
 */
export interface UnitInputs {
  unit: UnitRecord;
  /** The unit's submission pointer per deliverable id (absent: not filed). */
  pointers: ReadonlyMap<string, SubmissionPointer>;
  /** Its hazards, folded (`hazard-pass.ts`): the state never holds the hazards themselves. */
  hazards: UnitHazardFacts;
  zeroReport: ZeroReport | null;
}

export interface UnitState {
  unit: Pick<UnitRecord, 'code' | 'name' | 'type' | 'district' | 'email'>;
  deliverables: { deliverableId: string; dueDate: LocalDate; state: DeliverableState }[];
  openHazards: { general: number; major: number };
  /** Ids of open major hazards past their supervision deadline. */
  overdueMajors: string[];
  /** The earliest deadline among them: the overdue rhythm of reminders counts from it. */
  overdueMajorsSince: LocalDate | null;
  /** Ids of open hazards that need the five implementations and lack some of them. */
  missingFive: string[];
  awaitingAcceptance: string[];
  zeroReport: 'filed' | 'withdrawn' | 'none';
}

export interface CampaignState {
  /** The campaign day the check ran on, and the instant it stands for. */
  day: LocalDate;
  at: string;
  units: UnitState[];
  drive: { closesOn: LocalDate; daysLeft: number; closed: boolean };
}

export function unitState(campaign: Campaign, inputs: UnitInputs, at: Date): UnitState {
  const { unit, hazards } = inputs;
  return {
    unit: { code: unit.code, name: unit.name, type: unit.type, district: unit.district, email: unit.email },
    deliverables: deliverablesOf(campaign, unit).map((d) => ({
      deliverableId: d.id,
      dueDate: d.dueDate,
      state: deliverableState(d, inputs.pointers.get(d.id) ?? null, at, campaign.timeZone),
    })),
    openHazards: { ...hazards.open },
    overdueMajors: hazards.overdueMajors,
    overdueMajorsSince: hazards.overdueMajorsSince,
    missingFive: hazards.missingFive,
    awaitingAcceptance: hazards.awaitingAcceptance,
    zeroReport: inputs.zeroReport ? (inputs.zeroReport.withdrawnAt ? 'withdrawn' : 'filed') : 'none',
  };
}

export function campaignState(campaign: Campaign, units: readonly UnitInputs[], at: Date): CampaignState {
  const day = localDateOf(at, campaign.timeZone);
  const daysLeft = daysBetween(day, campaign.hazardDrive.closesOn);
  return {
    day,
    at: at.toISOString(),
    units: units.map((inputs) => unitState(campaign, inputs, at)),
    drive: { closesOn: campaign.hazardDrive.closesOn, daysLeft, closed: daysLeft < 0 },
  };
}
