import { BatchWriteCommand, type BatchWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../functions/shared/adapters/dynamo/keys.ts';
import type { createAwsClients } from '../../functions/shared/aws-clients.ts';
import type { HazardRecord, SubmissionPointer, UnitRecord, ZeroReport } from '../../schemas/records.ts';

type WriteRequest = NonNullable<BatchWriteCommandInput['RequestItems']>[string][number];

/**
 * The generated records as the table's items, under the keys of `keys.ts`, as the repositories
 * write them: a unit's tally one attribute per counter, a supervised hazard in its supervisor's list.
 */
export function tableItems(
  units: readonly UnitRecord[],
  pointers: readonly SubmissionPointer[],
  hazards: Iterable<HazardRecord>,
  zeroReports: readonly ZeroReport[],
): Record<string, unknown>[] {
  const districtOf = new Map(units.map((u) => [u.code, u.district]));
  const items: Record<string, unknown>[] = [
    ...units.map(({ tally, ...u }) => ({
      ...keys.unit(u.code),
      ...keys.unitIndex(u.district, u.type, u.code),
      ...u,
      ...tally,
    })),
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
