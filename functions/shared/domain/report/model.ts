import type { Campaign, HazardAreaId, HazardLevelId } from '../../../../schemas/campaign.ts';
import type { Label } from '../../../../schemas/primitives.ts';
import type {
  HazardRecord,
  MailBounce,
  SanctionRecord,
  SubmissionPointer,
  UnitRecord,
  ZeroReport,
} from '../../../../schemas/records.ts';
import type { LocalDate } from '../calendar/calendar.ts';
import type { DeliverableState } from '../calendar/deadlines.ts';
import type { BouncedUnit } from '../delivery/mail-bounces.ts';

/**
 * The campaign model's types: one snapshot of the campaign at one instant, and what the
 * reminders, the digests (mail and spreadsheet) and the supervisors' pages read of it. Plain
 * data; the functions that build it live next to this file, the renderers in `shared/mail/`
 * and the adapters.
 */

/** One instant of the campaign, with its local date worked out once. */
export interface CampaignInstant {
  at: Date;
  timeZone: string;
  /** `at` as an ISO string. */
  iso: string;
  /** The campaign day (in the campaign's time zone) that contains `at`. */
  today: LocalDate;
  yesterday: LocalDate;
}

/** Whose figures a digest shows: the whole city's, or one district bureau's. */
export type DigestScope = { kind: 'office' } | { kind: 'district'; district: string };

/**
 * What the daily check holds, for all scopes: the units, filings and zero reports. The hazards
 * are read once, through `passHazards`, and held only as what that pass folds them into.
 */
export interface CampaignRecords {
  units: UnitRecord[];
  pointers: SubmissionPointer[];
  zeroReports: ZeroReport[];
  /** Every address whose mail bounced or drew a complaint (a few; listed against the units using them). */
  bounces: MailBounce[];
  /** Every summons and circular (约谈/通报) of the campaign's units: a few per laggard. */
  sanctions: SanctionRecord[];
}

/** What the campaign state needs of one unit's hazards. */
export interface UnitHazardFacts {
  open: { general: number; major: number };
  /** Ids of open major hazards past their supervision deadline. */
  overdueMajors: string[];
  /** The earliest deadline among them: the overdue rhythm of reminders counts from it. */
  overdueMajorsSince: LocalDate | null;
  /** Ids of open hazards that need the five implementations and lack some of them. */
  missingFive: string[];
  awaitingAcceptance: string[];
}

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

/** Every unit's standing on one campaign day. */
export interface CampaignState {
  /** The campaign day the check ran on, and the instant it stands for. */
  day: LocalDate;
  at: string;
  units: UnitState[];
  drive: { closesOn: LocalDate; daysLeft: number; closed: boolean };
}

export type ChangeKind =
  | 'filed'
  | 'refiled'
  | 'sent-back'
  | 'became-overdue'
  | 'hazard-reported'
  | 'acceptance-requested'
  | 'hazard-closed'
  | 'hazard-withdrawn'
  | 'major-became-overdue'
  | 'sanction-recorded';

export interface Change {
  kind: ChangeKind;
  unitCode: string;
  unitName: string;
  district: string | null;
  /** A deliverable name or a hazard id and title. */
  subject: string;
  /** When it happened, if it happened at an instant (a filing, a report); overdue is a date change. */
  at?: string;
  late?: boolean;
  level?: HazardLevelId;
}

export interface LedgerRow {
  id: string;
  unitCode: string;
  unitName: string;
  district: string | null;
  area: HazardAreaId;
  level: HazardLevelId;
  status: HazardRecord['status'];
  title: string;
  description: string;
  location: string;
  foundOn: LocalDate;
  fixedOnSpot: boolean;
  owner: string;
  measures: string;
  fundsYuan: number | null;
  fundsSource: string;
  deadline: LocalDate | null;
  contingency: string;
  supervisor: string;
  overdue: boolean;
  createdAt: string;
  closedAt: string | null;
}

export interface AreaCount {
  area: HazardAreaId;
  name: Label;
  open: Record<HazardLevelId, number>;
  closed: Record<HazardLevelId, number>;
}

/**
 * Ledger rows by scope, read back in ledger order: major before general, open before closed,
 * and within that in the order appended (the order hazards are read: district, unit, id).
 * `rows` may be called more than once per scope, once every row is appended.
 */
export interface LedgerSpool {
  append(scope: string, row: LedgerRow): Promise<void> | void;
  rows(scope: string): AsyncIterable<LedgerRow>;
}

export interface ScopeTally {
  areas: AreaCount[];
  ledgerCount: number;
  /** Open hazards: how many, and the first `LISTED_ROWS` of them in ledger order. */
  stillOpen: { count: number; rows: LedgerRow[] };
}

/** What one pass over the hazards folds them into (`passHazards`). */
export interface HazardPass {
  facts: ReadonlyMap<string, UnitHazardFacts>;
  /** Hazards of the campaign's units that were read. */
  count: number;
  /** What happened to hazards in the day before the check, in every scope. */
  changes: Change[];
  /** Open major hazards past their deadline, in every scope, in ledger order. */
  overdueMajors: LedgerRow[];
  /** Per scope key (`scopeKey`): the office's, and each district's that has units. */
  tallies: ReadonlyMap<string, ScopeTally>;
  spool: LedgerSpool;
}

/**
 * The campaign at one instant, built once (`campaignSnapshot`): the units, filings and zero
 * reports read, the hazards as the pass folded them, every unit's state, and what changed in
 * the day before. Every figure a digest or a supervisor's page shows derives from this one
 * object, so they agree by construction.
 */
export interface CampaignSnapshot {
  campaign: Campaign;
  instant: CampaignInstant;
  records: CampaignRecords;
  hazards: HazardPass;
  state: CampaignState;
  /** What changed in the window (at − 24 h, at], in every scope, in digest order. */
  changes: Change[];
}

export interface DeliverableProgress {
  deliverableId: string;
  name: Label;
  dueDate: LocalDate;
  required: number;
  /** Filed (on time or late) and standing: not sent back. */
  onTime: number;
  late: number;
  /** Of those, accepted by a supervisor (the current version). */
  accepted: number;
  /** Filed, but the current version was sent back for changes: not accepted until filed again. */
  sentBack: number;
  /** Not filed, and not yet due. */
  pending: number;
  /** Not filed, and past due. */
  overdue: number;
}

export interface OverdueUnit {
  state: UnitState;
  /** Deliverables past due and not filed, with days overdue. */
  overdue: { deliverableId: string; name: Label; days: number }[];
  overdueMajors: number;
}

/**
 * The daily digest as plain data: what the office (or one district bureau) reads each morning.
 * The HTML, text and xlsx renderers only lay this out, so they never disagree.
 */
export interface Digest {
  scope: DigestScope;
  /** 全市 / the district's name. */
  scopeName: Label;
  day: LocalDate;
  at: string;
  drive: CampaignState['drive'];
  /** The closing report: the first check after the drive closed. */
  closing: boolean;
  progress: DeliverableProgress[];
  changes: Change[];
  /** Candidates for summons and circulars (约谈/通报), grouped by district (null: affiliated units). */
  overdueByDistrict: { district: string | null; name: Label; units: OverdueUnit[] }[];
  overdueMajors: LedgerRow[];
  areas: AreaCount[];
  units: UnitState[];
  /**
   * How many hazards the scope's ledger holds. The ledger's rows are not here: the spreadsheet
   * reads them from the pass's spool (`HazardPass.spool`, key `scopeKey(scope)`).
   */
  ledgerCount: number;
  /** Open hazards: how many, and the first `LISTED_ROWS` in ledger order (for the closing report). */
  stillOpen: { count: number; rows: LedgerRow[] };
  /** Units that never filed a deliverable they owed, per deliverable (filled in on the closing report). */
  neverFiled: { deliverableId: string; name: Label; units: UnitState[] }[];
  /** Units of the scope (bureaus and the office included) whose contact address bounces: fix before a deadline. */
  bounced: BouncedUnit[];
  /** Every summons and circular of the scope's units (`inSanctionOrder`), with the unit's name. */
  sanctions: SanctionRow[];
}

/** A summons or circular as the digest lists it. */
export interface SanctionRow extends SanctionRecord {
  unitName: string;
}
