import { BatchWriteCommand, type BatchWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../functions/shared/adapters/dynamo/keys.ts';
import { MARK_PREFIX } from '../../functions/shared/adapters/dynamo/profile-writes.ts';
import type { createAwsClients } from '../../functions/shared/aws-clients.ts';
import { addTally } from '../../functions/shared/domain/hazards/hazard-tally.ts';
import { pointersByUnit } from '../../functions/shared/domain/report/campaign-state.ts';
import {
  type Counters,
  markOf,
  type RolledUnit,
  rollupKeyOf,
  rollupRules,
} from '../../functions/shared/domain/report/rollup.ts';
import type { Campaign } from '../../schemas/campaign.ts';
import type { HazardRecord, SubmissionPointer, UnitRecord, ZeroReport } from '../../schemas/records.ts';

type WriteRequest = NonNullable<BatchWriteCommandInput['RequestItems']>[string][number];

/**
 * The generated records as the table's items, under the keys of `keys.ts`, as the repositories
 * write them: a unit's tally one attribute per counter, its filings' marks, lag keys and its part
 * of its district's rollup (`rollup.ts`), a supervised hazard in its supervisor's list.
 */
export function tableItems(
  campaign: Campaign,
  units: readonly UnitRecord[],
  pointers: readonly SubmissionPointer[],
  hazards: Iterable<HazardRecord>,
  zeroReports: readonly ZeroReport[],
): Record<string, unknown>[] {
  const districtOf = new Map(units.map((u) => [u.code, u.district]));
  const byUnit = pointersByUnit(pointers);
  const rules = rollupRules(campaign);
  const rollups = new Map<string, Counters>();
  const items: Record<string, unknown>[] = [
    ...units.map(({ tally, marks: _marks, ...u }) => {
      // As the roster load and each filing leave it: the marks, the lag keys, the rollup's part.
      const marks = Object.fromEntries(
        [...(byUnit.get(u.code)?.values() ?? [])].map((p) => [p.deliverableId, markOf(p)]),
      );
      const rolled: RolledUnit = { ...u, tally, marks };
      const rollupKey = rollupKeyOf(u);
      rollups.set(rollupKey, addTally(rollups.get(rollupKey) ?? {}, rules.contribution(rolled)));
      const lag = rules.lag(rolled);
      return {
        ...keys.unit(u.code),
        ...keys.unitIndex(u.district, u.type, u.code),
        ...(lag?.owedSince ? keys.owedIndex(u.district, lag.owedSince, u.code) : {}),
        ...(lag ? keys.lagIndex(u.district, lag.lateDays, u.code) : {}),
        ...u,
        ...tally,
        ...Object.fromEntries(Object.entries(marks).map(([d, mark]) => [`${MARK_PREFIX}${d}`, mark])),
        rollupKey,
        markRev: 0,
      };
    }),
    ...pointers.map((p) => ({
      ...keys.submissionPointer(p.unitCode, p.deliverableId),
      ...keys.submissionIndex(p.deliverableId, p.district, p.unitCode),
      ...p,
    })),
    ...zeroReports.map((z) => ({
      ...keys.zeroReport(z.unitCode),
      ...keys.zeroReportIndex(districtOf.get(z.unitCode) ?? null, z.unitCode),
      ...z,
    })),
  ];
  for (const [key, counters] of rollups) items.push({ ...keys.rollup(key), ...counters });
  items.push(keys.rollupReady());
  for (const h of hazards)
    items.push({
      ...keys.hazard(h.unitCode, h.id),
      ...keys.hazardIndex(h.district, h.unitCode, h.id),
      ...(h.supervision ? keys.supervisedIndex(h.supervision.supervisorUnit, h.unitCode, h.id) : {}),
      ...h,
    });
  return items;
}

/** Writes `items` 25 to a BatchWrite, `inFlight` batches at once, retrying unprocessed items. */
export async function batchWrite(
  doc: ReturnType<typeof createAwsClients>['doc'],
  tableName: string,
  items: Record<string, unknown>[],
  inFlight = 8,
): Promise<void> {
  const batches: WriteRequest[][] = [];
  for (let i = 0; i < items.length; i += 25)
    batches.push(items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })));
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      let requests = batches[next] ?? [];
      next += 1;
      for (let attempt = 0; requests.length > 0; attempt += 1) {
        if (attempt > 0)
          await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
        if (attempt > 12)
          throw new Error(`${requests.length} items still unprocessed after ${attempt} attempts`);
        const out = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
        requests = out.UnprocessedItems?.[tableName] ?? [];
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
}
