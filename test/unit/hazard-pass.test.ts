import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileSpool } from '../../functions/shared/adapters/fs/ledger-spool.ts';
import { LISTED_ROWS, passHazards } from '../../functions/shared/domain/report/hazard-pass.ts';
import { campaignInstant } from '../../functions/shared/domain/report/instant.ts';
import type { LedgerRow, LedgerSpool } from '../../functions/shared/domain/report/model.ts';
import type { HazardRecord } from '../../schemas/records.ts';
import { demoCampaign, sampleReport, sampleUnit } from '../support/fixtures.ts';

/**
 * The single pass over the hazards: facts per unit, tallies per scope, and the ledger spooled in
 * ledger order (major open, major closed, general open, general closed; read order within each),
 * the same from memory and from disk.
 */
const campaign = demoCampaign();
const at = campaignInstant(campaign, new Date('2018-03-01T00:00:00Z'));
const units = [sampleUnit('LY-101'), sampleUnit('LY-102'), sampleUnit('CZ-001'), sampleUnit('WJ-101')];

function hazard(n: number, unitCode: string, level: 'general' | 'major', closed: boolean): HazardRecord {
  const unit = units.find((u) => u.code === unitCode);
  return {
    id: `${unitCode}-H${String(n).padStart(3, '0')}`,
    unitCode,
    district: unit?.district ?? null,
    area: 'fire-safety',
    level,
    status: closed ? 'closed' : 'rectifying',
    title: `隐患 ${n}`,
    version: 1,
    createdAt: '2018-01-15T03:00:00.000Z',
    updatedAt: '2018-01-15T03:00:00.000Z',
    report: sampleReport({ level }),
    supervision:
      level === 'major'
        ? { supervisorUnit: 'LY-000', listedOn: '2018-01-15', deadline: '2018-02-01', extensions: [] }
        : null,
    photos: [],
    ...(closed ? { closedAt: '2018-02-01T03:00:00.000Z' } : {}),
  };
}

// Read order, as the table gives it: district, unit, id. Levels and states interleaved.
const hazards = [
  hazard(1, 'CZ-001', 'general', true),
  hazard(2, 'CZ-001', 'major', false),
  hazard(1, 'LY-101', 'general', false),
  hazard(2, 'LY-101', 'major', true),
  hazard(3, 'LY-101', 'major', false),
  hazard(1, 'LY-102', 'general', false),
  hazard(1, 'GONE-1', 'major', false),
];

async function ids(spool: LedgerSpool, scope: string): Promise<string[]> {
  const out: string[] = [];
  for await (const row of spool.rows(scope)) out.push(row.id);
  return out;
}

describe('the hazard pass', () => {
  it('folds facts and tallies per scope and spools the ledger in ledger order, in memory and spilled to disk', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'spool-test-'));
    // Spills to disk after three rows, in the middle of the pass.
    const disk = await fileSpool({ parent, memoryRows: 3 });
    const held = await fileSpool({ parent });
    for (const spool of [disk, held]) {
      const pass = await passHazards(campaign, units, hazards, at, spool);
      expect(pass.count).toBe(6); // GONE-1 is no unit of the campaign (withdrawn, say)
      expect(await ids(spool, 'office')).toEqual([
        'CZ-001-H002',
        'LY-101-H003',
        'LY-101-H002',
        'LY-101-H001',
        'LY-102-H001',
        'CZ-001-H001',
      ]);
      // Read again, the same; a district sees its own only.
      expect(await ids(spool, 'office')).toHaveLength(6);
      expect(await ids(spool, 'district:liyang')).toEqual([
        'LY-101-H003',
        'LY-101-H002',
        'LY-101-H001',
        'LY-102-H001',
      ]);
      expect(pass.facts.get('LY-101')).toMatchObject({
        open: { general: 1, major: 1 },
        overdueMajors: ['LY-101-H003'],
        overdueMajorsSince: '2018-02-01',
      });
      expect(pass.overdueMajors.map((r) => r.id)).toEqual(['CZ-001-H002', 'LY-101-H003']);
      const liyang = pass.tallies.get('district:liyang');
      expect(liyang?.ledgerCount).toBe(4);
      expect(liyang?.stillOpen.count).toBe(3);
      expect(liyang?.areas.find((a) => a.area === 'fire-safety')).toMatchObject({
        open: { general: 2, major: 1 },
        closed: { general: 0, major: 1 },
      });
      expect(pass.tallies.get('district:wujin')).toMatchObject({ ledgerCount: 0 });
    }
    await expect(disk.append('office', {} as LedgerRow)).rejects.toThrow('after reading began');
    // Only the spool that spilled made files; a city-sized ledger stays in memory.
    expect(await readdir(parent)).toHaveLength(1);
    await Promise.all([disk.dispose(), held.dispose()]);
    expect(await readdir(parent)).toEqual([]);
    // Disposed, it refuses work: a pass still running after a failed run writes nothing more.
    await expect(held.append('office', {} as LedgerRow)).rejects.toThrow('after dispose');
    await rm(parent, { recursive: true });
  });

  it(`lists at most ${LISTED_ROWS} open hazards, majors first, and counts them all`, async () => {
    const many = [
      ...Array.from({ length: 60 }, (_, i) => hazard(i + 1, 'LY-101', 'general', false)),
      ...Array.from({ length: 3 }, (_, i) => hazard(100 + i, 'LY-102', 'major', false)),
    ];
    const pass = await passHazards(campaign, units, many, at, await fileSpool());
    const office = pass.tallies.get('office');
    expect(office?.stillOpen.count).toBe(63);
    expect(office?.stillOpen.rows).toHaveLength(LISTED_ROWS);
    expect(office?.stillOpen.rows.slice(0, 4).map((r) => r.id)).toEqual([
      'LY-102-H100',
      'LY-102-H101',
      'LY-102-H102',
      'LY-101-H001',
    ]);
  });
});
