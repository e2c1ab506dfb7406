// Reads one workbook file with the import reader and prints its time and peak memory as JSON.
// Run in its own process so that the peak RSS belongs to the read alone.
import { createReadStream } from 'node:fs';
import { readHazardRows } from '../../functions/shared/adapters/xlsx/hazard-workbook.ts';

const file = process.argv[2];
if (!file) throw new Error('usage: read-workbook.ts <file.xlsx>');
await import('exceljs');
const peakBefore = process.resourceUsage().maxRSS;
const started = performance.now();
const read = await readHazardRows(createReadStream(file));
const ms = performance.now() - started;
console.log(
  JSON.stringify({
    rows: read.ok ? read.rows.length : read.error.en,
    ms: Math.round(ms),
    peakRssBeforeMiB: Math.round(peakBefore / 1024),
    peakRssGrowthMiB: Math.round((process.resourceUsage().maxRSS - peakBefore) / 1024),
  }),
);
