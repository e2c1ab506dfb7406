import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { CounterDelta } from '../../ports.ts';
import { keys } from './keys.ts';
import { rollupAdd, unchanged } from './profile-writes.ts';
import type { DynamoStore, TransactItem } from './store.ts';

/**
 * The update of a unit's profile for a hazard change (or a finished import): the open counters,
 * never below zero (a decrement requires that much to be there), and the tally's counters, each
 * an attribute of its own (`h#…`, `od#…`, `mf`, `aa`; see `hazard-tally.ts`) moved with ADD, which
 * starts a missing one at zero. Every update that moves the tally also bumps `tallyRev`, so a
 * recount (`recountTally`, through `UnitRepository.replaceTally`) can tell that a change landed while it counted.
 * Null when nothing moves.
 */
export function counterUpdate(delta: CounterDelta): {
  UpdateExpression: string;
  ConditionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, unknown>;
} | null {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets: string[] = [];
  const adds: string[] = [];
  const floors: string[] = [];
  for (const [i, field] of (['openGeneral', 'openMajor'] as const).entries()) {
    const value = delta[field];
    if (value === undefined || value === 0) continue;
    names[`#c${i}`] = field;
    values[`:c${i}`] = value;
    sets.push(`#c${i} = #c${i} + :c${i}`);
    if (value < 0) {
      values[`:min${i}`] = -value;
      floors.push(`#c${i} >= :min${i}`);
    }
  }
  const tally = Object.entries(delta.tally ?? {}).filter(([, n]) => n !== 0);
  tally.forEach(([counter, n], i) => {
    names[`#t${i}`] = counter;
    values[`:t${i}`] = n;
    adds.push(`#t${i} :t${i}`);
  });
  if (tally.length > 0) {
    values[':rev'] = 1;
    adds.push('tallyRev :rev');
  }
  if (sets.length === 0 && adds.length === 0) return null;
  return {
    UpdateExpression: [
      ...(sets.length > 0 ? [`SET ${sets.join(', ')}`] : []),
      ...(adds.length > 0 ? [`ADD ${adds.join(', ')}`] : []),
    ].join(' '),
    ConditionExpression: ['attribute_exists(pk)', ...floors].join(' AND '),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/**
 * The items a hazard change adds to its transaction for the unit: the profile's counters
 * (`counterUpdate`) and, for a unit counted in a district rollup, the same tally change ADDed to
 * its rollup item (`rollup.ts`). The profile is read for its rollup key first, and the update is
 * conditioned on it, so a roster change that moved the unit's part meanwhile refuses the write
 * rather than count it in the wrong district.
 */
export async function unitCounterItems(
  store: DynamoStore,
  unitCode: string,
  delta: CounterDelta,
): Promise<TransactItem[]> {
  const update = counterUpdate(delta);
  if (!update) return [];
  const { Item } = await store.client.send(
    new GetCommand({
      TableName: store.tableName,
      Key: keys.unit(unitCode),
      ProjectionExpression: 'rollupKey, withdrawnAt',
      ConsistentRead: true,
    }),
  );
  const rollupKey = typeof Item?.rollupKey === 'string' && !Item.withdrawnAt ? Item.rollupKey : undefined;
  const values = { ...update.ExpressionAttributeValues };
  const condition =
    rollupKey === undefined
      ? '(attribute_not_exists(rollupKey) OR attribute_exists(withdrawnAt))'
      : `${unchanged('rollupKey', rollupKey, values)} AND attribute_not_exists(withdrawnAt)`;
  const rollup = rollupKey === undefined ? null : rollupAdd(store.tableName, rollupKey, delta.tally ?? {});
  return [
    {
      Update: {
        TableName: store.tableName,
        Key: keys.unit(unitCode),
        ...update,
        ConditionExpression: `${update.ConditionExpression} AND ${condition}`,
        ExpressionAttributeValues: values,
      },
    },
    ...(rollup ? [rollup] : []),
  ];
}
