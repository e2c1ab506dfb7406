import type { Campaign } from '../../../../schemas/campaign.ts';
import type {
  BounceLog,
  HazardRepository,
  SanctionRepository,
  SubmissionRepository,
  UnitRepository,
  ZeroReportRepository,
} from '../../ports.ts';
import { collect } from '../pages.ts';
import { sanctionChanges } from '../sanctions/sanctions.ts';
import { campaignState, pointersByUnit } from './campaign-state.ts';
import { filingChanges, inDigestOrder } from './changes.ts';
import { emptyFacts, passHazards } from './hazard-pass.ts';
import type {
  CampaignInstant,
  CampaignRecords,
  CampaignSnapshot,
  HazardPass,
  LedgerSpool,
  UnitInputs,
} from './model.ts';

/** Splits the records into each unit's inputs. The city office files and reports nothing, so it is left out. */
export function unitInputs(records: CampaignRecords, pass: Pick<HazardPass, 'facts'>): UnitInputs[] {
  const pointers = pointersByUnit(records.pointers);
  const zero = new Map(records.zeroReports.map((z) => [z.unitCode, z]));
  return records.units
    .filter((unit) => unit.type !== 'city-office')
    .map((unit) => ({
      unit,
      pointers: pointers.get(unit.code) ?? new Map(),
      hazards: pass.facts.get(unit.code) ?? emptyFacts(),
      zeroReport: zero.get(unit.code) ?? null,
    }));
}

/** The snapshot of records read and hazards passed at `instant`: the state and the day's changes derived once. */
export function campaignSnapshot(
  campaign: Campaign,
  records: CampaignRecords,
  hazards: HazardPass,
  instant: CampaignInstant,
): CampaignSnapshot {
  const state = campaignState(campaign, unitInputs(records, hazards), instant);
  const changes = inDigestOrder([
    ...filingChanges(campaign, records.pointers, state.units, instant),
    ...hazards.changes,
    ...sanctionChanges(records.sanctions, new Map(records.units.map((u) => [u.code, u])), instant),
  ]);
  return { campaign, instant, records, hazards, state, changes };
}

/** What `loadSnapshot` reads the campaign with (Query only). */
export interface CampaignReaders {
  units: Pick<UnitRepository, 'all'>;
  submissions: Pick<SubmissionRepository, 'allFilers'>;
  hazards: Pick<HazardRepository, 'all'>;
  zeroReports: Pick<ZeroReportRepository, 'all'>;
  bounces: Pick<BounceLog, 'all'>;
  sanctions: Pick<SanctionRepository, 'all'>;
}

/**
 * Reads the campaign once: units, filings and zero reports held, the hazards folded through
 * `passHazards` into `spool` as they arrive. A unit withdrawn from the roster leaves every
 * count, list and reminder; its records stay stored.
 */
export async function loadSnapshot(
  campaign: Campaign,
  readers: CampaignReaders,
  instant: CampaignInstant,
  spool: LedgerSpool,
): Promise<CampaignSnapshot> {
  const reads = [
    collect(readers.units.all()).then(async (all) => {
      const active = all.filter((u) => !u.withdrawnAt);
      return [active, await passHazards(campaign, active, readers.hazards.all(), instant, spool)] as const;
    }),
    Promise.all(campaign.deliverables.map((d) => collect(readers.submissions.allFilers(d.id)))).then(
      (lists) => lists.flat(),
    ),
    collect(readers.zeroReports.all()),
    collect(readers.bounces.all()),
    collect(readers.sanctions.all()),
  ] as const;
  const [[units, pass], pointers, zeroReports, bounces, sanctions] = await Promise.all(reads).catch(
    async (error: unknown) => {
      // A failed read must not end the run (and dispose the spool) while the hazard pass still writes.
      await Promise.allSettled(reads);
      throw error;
    },
  );
  const active = new Set(units.map((u) => u.code));
  const records: CampaignRecords = {
    units,
    pointers: pointers.filter((p) => active.has(p.unitCode)),
    zeroReports: zeroReports.filter((z) => active.has(z.unitCode)),
    bounces,
    sanctions: sanctions.filter((s) => active.has(s.unitCode)),
  };
  return campaignSnapshot(campaign, records, pass, instant);
}
