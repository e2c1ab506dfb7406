import type { CounterDelta } from '../../ports.ts';

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
