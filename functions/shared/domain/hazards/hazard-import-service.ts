import type { HazardImport, OutboxItem, UnitRecord } from '../../../../schemas/records.ts';
import type { CounterDelta, HazardImportRepository } from '../../ports.ts';
import { ConflictError } from '../errors.ts';
import { type ImportError, type ImportRow, validateImport } from './hazard-import.ts';
import { createHazard } from './hazard-lifecycle.ts';
import { noticesOwed } from './hazard-notices.ts';
import { assertMayReport, type HazardServiceDeps, reportContext, supervisorFor } from './hazard-service.ts';
import { addTally } from './hazard-tally.ts';

export interface ImportDeps extends HazardServiceDeps {
  imports: HazardImportRepository;
}

const PARALLEL_CREATES = 8;
const MAX_STORED_ERRORS = 500;

/**
 * Imports a unit's workbook: all rows or none. The file's ETag names the import, so the same
 * file twice imports once. Hazard numbers are reserved up front and each row's hazard is created
 * only if absent, so an import cut short and retried finishes without duplicates; the unit's
 * counters move once, with the import's completion.
 */
export async function importHazards(
  deps: ImportDeps,
  input: {
    unit: UnitRecord;
    etag: string;
    fileName: string;
    rows: ImportRow[];
    /** Why the file yielded no rows at all (not a workbook, no data sheet): recorded as the rejection. */
    problem?: ImportError;
    now: Date;
  },
): Promise<HazardImport> {
  const { unit, etag, now } = input;
  assertMayReport(unit);
  const previous = await deps.imports.get(unit.code, etag);
  if (previous?.status === 'imported') return previous;

  const checked = input.problem
    ? { ok: false as const, errors: [input.problem] }
    : validateImport(deps.campaign, input.rows, reportContext(deps.campaign, now));
  const base = {
    unitCode: unit.code,
    etag,
    fileName: input.fileName,
    rowCount: input.rows.length,
    createdAt: now.toISOString(),
  };
  if (!checked.ok) {
    const rejected: HazardImport = {
      ...base,
      status: 'rejected',
      errors: checked.errors.slice(0, MAX_STORED_ERRORS),
    };
    await deps.imports.save(rejected);
    return rejected;
  }

  let record = previous?.status === 'importing' ? previous : null;
  if (!record) {
    // Numbers come from one atomic counter; if this delivery then loses the race to store the
    // import (the same event twice at once), its numbers stay unused: a gap, never a duplicate.
    const firstSeq = await deps.units.reserveHazardSeq(unit.code, checked.reports.length);
    const mine: HazardImport = { ...base, status: 'importing', errors: [], firstSeq };
    try {
      await deps.imports.save(mine);
      record = mine;
    } catch (error) {
      const winner = error instanceof ConflictError ? await deps.imports.get(unit.code, etag) : null;
      if (!winner || winner.status === 'rejected') throw error;
      if (winner.status === 'imported') return winner;
      record = winner;
    }
  }
  const firstSeq = record.firstSeq ?? 1;
  const needsSupervisor = checked.reports.some((r) => r.level === 'major');
  const supervisorUnit = needsSupervisor ? await supervisorFor(unit, deps.units) : null;
  const delta: Required<CounterDelta> = { openGeneral: 0, openMajor: 0, tally: {} };

  const supervisor = supervisorUnit ? await deps.units.get(supervisorUnit) : null;
  const changes = checked.reports.map((report, i) =>
    createHazard({ campaign: deps.campaign, unit, report, supervisorUnit, seq: firstSeq + i, now }),
  );
  // Each major hazard owes its supervisor the immediate notice, in its own transaction, as a
  // reported one does. The school gets no receipt per row: the import's result is its receipt.
  const owed = changes.map((change) =>
    noticesOwed({
      campaign: deps.campaign,
      before: null,
      after: change.hazard,
      unit,
      supervisor,
      now,
    }).filter((item) => item.kind === 'major-hazard'),
  );
  for (const change of changes) {
    delta.openGeneral += change.delta.openGeneral ?? 0;
    delta.openMajor += change.delta.openMajor ?? 0;
    addTally(delta.tally, change.delta.tally ?? {});
  }
  // The notices this run stored, and only those, go out after the commit: a hazard an earlier
  // run created owes its notice under that run's day, which the sweep sends.
  const stored: OutboxItem[] = [];
  for (let i = 0; i < changes.length; i += PARALLEL_CREATES) {
    await Promise.all(
      changes.slice(i, i + PARALLEL_CREATES).map(async (change, j) => {
        try {
          const items = owed[i + j] ?? [];
          await deps.hazards.createReserved(
            change.hazard,
            { ...change.entry, action: 'import', note: input.fileName },
            items,
          );
          stored.push(...items);
        } catch (error) {
          // Created by an earlier, interrupted run of this same import? Only if it is really there.
          if (!(error instanceof ConflictError) || !(await deps.hazards.get(unit.code, change.hazard.id)))
            throw error;
        }
      }),
    );
  }
  try {
    await deps.imports.complete(record, delta, now);
  } catch (error) {
    // Completed meanwhile by the other delivery of the same file: the counters moved once, there.
    const done = error instanceof ConflictError ? await deps.imports.get(unit.code, etag) : null;
    if (done?.status !== 'imported') throw error;
    return done;
  }
  if (changes.length > 0) await deps.zeroReports.withdraw(unit.code, now, changes[0]?.hazard.id);
  await deps.notify?.(stored).catch(() => undefined);
  return { ...record, status: 'imported', finishedAt: now.toISOString() };
}
