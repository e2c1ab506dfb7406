// Times a 2,000-row hazard import end to end on the embedded servers (xlsx read,
// validation, DynamoDB writes) and the memory it takes. Run: npm run bench -- hazard-import
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import ExcelJS from 'exceljs';
import { buildHazardTemplate } from '../functions/shared/adapters/xlsx/hazard-workbook.ts';
import { TEMPLATE_COLUMNS } from '../functions/shared/domain/hazards/hazard-import.ts';
import { localAwsEnvironment, startEmbeddedServers } from '../infra/local/embedded-servers.ts';
import { demoCampaign } from '../test/support/fixtures.ts';
import { manualClock, testApp } from '../test/support/local-app.ts';
import { testClients } from '../test/support/tables.ts';

const ROWS = Number(process.env.ROWS ?? 2000);
const servers = await startEmbeddedServers({ dataDir: null });
Object.assign(process.env, localAwsEnvironment(servers.endpoints));
try {
  const clock = manualClock('2018-01-25T10:00:00+08:00');
  const app = await testApp({ clock });
  // Filled in as people fill it: the real template, drop-downs on every data row included.
  const book = new ExcelJS.Workbook();
  await book.xlsx.load((await buildHazardTemplate(demoCampaign())) as never);
  const sheet = book.getWorksheet('隐患清单') as ExcelJS.Worksheet;
  for (let i = 0; i < ROWS; i += 1)
    sheet.getRow(i + 2).values = TEMPLATE_COLUMNS.map((c, j) => (j === 2 ? `隐患 ${i + 1}` : c.example));
  const bytes = new Uint8Array(await book.xlsx.writeBuffer());

  // The read alone, in a fresh process, so that its peak RSS is the read's own.
  const dir = await mkdtemp(join(tmpdir(), 'bench-import-'));
  await writeFile(join(dir, 'import.xlsx'), bytes);
  const { stdout } = await promisify(execFile)(process.execPath, [
    '--import',
    'tsx',
    fileURLToPath(new URL('support/read-workbook.ts', import.meta.url)),
    join(dir, 'import.xlsx'),
  ]);
  await rm(dir, { recursive: true });
  const read = JSON.parse(stdout) as { ms: number; peakRssGrowthMiB: number };

  const asked = await app.http('POST', `/f/${app.links['LY-101']}/imports`, {
    body: JSON.stringify({ fileName: 'bench.xlsx', size: bytes.length }),
  });
  const { key } = JSON.parse(asked.body) as { key: string };
  const put = await testClients().s3.send(
    new PutObjectCommand({ Bucket: app.adapters.documents.bucket, Key: key, Body: bytes }),
  );
  const started = performance.now();
  const outcome = await app.s3Created(key, (put.ETag ?? '').replaceAll('"', ''), clock.now());
  const ms = performance.now() - started;
  console.log(`outcome: ${JSON.stringify(outcome)}\n`);
  console.log(
    '| rows | file | read alone (ms) | read peak RSS growth (MiB) | import end to end (ms) | per row (ms) |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|');
  console.log(
    `| ${ROWS} | ${(bytes.length / 1024).toFixed(0)} KB | ${read.ms} | ${read.peakRssGrowthMiB} | ${ms.toFixed(0)} | ${(ms / ROWS).toFixed(2)} |`,
  );
  await app.cleanup();
} finally {
  await servers.stop();
}
