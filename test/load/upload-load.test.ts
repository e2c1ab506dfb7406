import { describe, expect, inject, it } from 'vitest';
import { demoCampaign, demoRoster } from '../support/fixtures.ts';
import { testClients } from '../support/tables.ts';
import { fileConcurrently, filingSlots, storedHashes, untilFiled } from '../support/upload-load.ts';

/**
 * Issue 11's load: 1,000 concurrent filings through the running local system (HTTP server,
 * presigned POST to local S3, the event bridge, upload-received), 50 in flight at a time, on
 * units no other test files for (JK-104 and JK-105 belong to the hostile-input and S3-front tests). Exactly 1,000 versions, each holding its own bytes.
 * The figures (p50/p95/p99, throughput) come from bench/upload-load.ts.
 */
const UNITS = [
  'LY-105',
  'LY-106',
  'JT-105',
  'WJ-102',
  'WJ-103',
  'WJ-104',
  'WJ-105',
  'WJ-106',
  'WJ-107',
  'XB-000',
  'XB-101',
  'XB-102',
  'XB-103',
  'XB-104',
  'XB-105',
  'XB-106',
  'TN-105',
  'TN-106',
  'ZL-000',
  'ZL-101',
  'ZL-102',
  'ZL-103',
  'ZL-104',
  'ZL-105',
  'ZL-106',
  'JK-000',
  'JK-101',
  'JK-102',
  'JK-103',
  'CZ-002',
  'CZ-003',
  'CZ-004',
];
const COUNT = 1000;

describe('1,000 concurrent filings', () => {
  it('become exactly 1,000 versions, each with its own bytes', { timeout: 240_000 }, async () => {
    const system = inject('system');
    const slots = filingSlots(demoCampaign(), demoRoster(), UNITS);
    expect(slots.length).toBeGreaterThan(50);
    const filings = await fileConcurrently(system, slots, COUNT, 50);
    expect(filings).toHaveLength(COUNT);

    const versions = await untilFiled(testClients(), system, slots, COUNT, 180_000);
    expect(versions).toHaveLength(COUNT);
    // Gap-free numbering per deliverable: versions 1..n.
    for (const slot of slots) {
      const numbers = versions
        .filter((v) => v.unitCode === slot.unit && v.deliverableId === slot.deliverable)
        .map((v) => v.version)
        .sort((a, b) => a - b);
      expect(numbers).toEqual(numbers.map((_, i) => i + 1));
    }
    const sent = filings.map((f) => f.sha256).sort();
    expect(new Set(sent).size).toBe(COUNT);
    expect(versions.map((v) => v.sha256).sort()).toEqual(sent);
    const stored = await storedHashes(
      testClients().s3,
      system.bucket,
      versions.map((v) => v.fileKey),
    );
    expect(stored.sort()).toEqual(sent);
  });
});
