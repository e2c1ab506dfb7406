import type { Counters, LagParts } from '../../domain/report/rollup.ts';
import type { ProfileChange } from '../../ports.ts';
import { keys } from './keys.ts';
import type { TransactItem } from './store.ts';

/**
 * The writes of a unit's rollup part (`rollup.ts`): the ADD of a change to a district rollup item,
 * the profile's lag index keys, and the profile's side of a filing or decision. The repositories
 * add them to their own transactions.
 */

/** The filing marks' attribute on the profile, one per deliverable. */
export const MARK_PREFIX = 'fm#';

/** ADDs `counters` to the rollup item `rollupKey` (created at the first ADD); null when nothing moves. */
export function rollupAdd(tableName: string, rollupKey: string, counters: Counters): TransactItem | null {
  const moved = Object.entries(counters).filter(([, n]) => n !== 0);
  if (moved.length === 0) return null;
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const adds = moved.map(([counter, n], i) => {
    names[`#r${i}`] = counter;
    values[`:r${i}`] = n;
    return `#r${i} :r${i}`;
  });
  return {
    Update: {
      TableName: tableName,
      Key: keys.rollup(rollupKey),
      UpdateExpression: `ADD ${adds.join(', ')}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}

/** The rollup writes of a change of part from `before` (at `from`) to `after` (at `to`): one item when they are the same. */
export function rollupMove(
  tableName: string,
  from: { key: string; counters: Counters } | null,
  to: { key: string; counters: Counters } | null,
): TransactItem[] {
  if (from && to && from.key === to.key) {
    const diff: Counters = { ...to.counters };
    for (const [name, n] of Object.entries(from.counters)) diff[name] = (diff[name] ?? 0) - n;
    const item = rollupAdd(tableName, to.key, diff);
    return item ? [item] : [];
  }
  const negated = from
    ? Object.fromEntries(Object.entries(from.counters).map(([name, n]) => [name, -n]))
    : {};
  return [
    ...(from ? [rollupAdd(tableName, from.key, negated)] : []),
    ...(to ? [rollupAdd(tableName, to.key, to.counters)] : []),
  ].filter((item): item is TransactItem => item !== null);
}

/**
 * The lag index keys of a profile as parts of an update: SET while it is counted (and, for `owed`,
 * while it owes something), REMOVE otherwise.
 */
export function lagKeyParts(
  code: string,
  district: string | null,
  lag: LagParts | null,
): { sets: string[]; removes: string[]; values: Record<string, unknown> } {
  const sets: string[] = [];
  const removes: string[] = [];
  const values: Record<string, unknown> = {};
  if (lag?.owedSince) {
    const owed = keys.owedIndex(district, lag.owedSince, code);
    sets.push('gsi2pk = :owedPk', 'gsi2sk = :owedSk');
    values[':owedPk'] = owed.gsi2pk;
    values[':owedSk'] = owed.gsi2sk;
  } else removes.push('gsi2pk', 'gsi2sk');
  if (lag) {
    const index = keys.lagIndex(district, lag.lateDays, code);
    sets.push('gsi3pk = :lagPk', 'gsi3sk = :lagSk');
    values[':lagPk'] = index.gsi3pk;
    values[':lagSk'] = index.gsi3sk;
  } else removes.push('gsi3pk', 'gsi3sk');
  return { sets, removes, values };
}

/** The condition that the profile's `name` is still `value` as read (absent when undefined). */
export function unchanged(
  name: string,
  value: string | number | undefined,
  values: Record<string, unknown>,
): string {
  if (value === undefined) return `attribute_not_exists(${name})`;
  values[`:was_${name}`] = value;
  return `${name} = :was_${name}`;
}

/**
 * The profile's and the rollup's side of a filing or decision, in the same transaction as the
 * pointer: the deliverable's mark, the lag keys, `markRev` bumped, all on the condition that the
 * marks and the rollup key are still as the change was computed from.
 */
export function profileChangeItems(tableName: string, change: ProfileChange): TransactItem[] {
  const { unit } = change;
  const lag = lagKeyParts(unit.code, unit.district, change.lag);
  const values: Record<string, unknown> = { ...lag.values, ':mark': change.mark, ':one': 1 };
  const condition = [
    'attribute_exists(pk)',
    unchanged('markRev', unit.markRev, values),
    unchanged('rollupKey', unit.rollupKey, values),
  ].join(' AND ');
  const rollup = unit.rollupKey === undefined ? null : rollupAdd(tableName, unit.rollupKey, change.delta);
  return [
    {
      Update: {
        TableName: tableName,
        Key: keys.unit(unit.code),
        UpdateExpression: [
          `SET ${['#mark = :mark', ...lag.sets].join(', ')}`,
          'ADD markRev :one',
          ...(lag.removes.length > 0 ? [`REMOVE ${lag.removes.join(', ')}`] : []),
        ].join(' '),
        ConditionExpression: condition,
        ExpressionAttributeNames: { '#mark': `${MARK_PREFIX}${change.deliverableId}` },
        ExpressionAttributeValues: values,
      },
    },
    ...(rollup ? [rollup] : []),
  ];
}
