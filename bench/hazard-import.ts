// Times a 2,000-row hazard import end to end on the embedded servers (streaming xlsx read,
// validation, DynamoDB writes) and the memory it takes. Run: npm run bench -- hazard-import
import { PutObjectCommand } from '@aws-sdk/client-s3';
import ExcelJS from 'exceljs';
import { TEMPLATE_COLUMNS } from '../functions/shared/domain/hazard-import.ts';
import { localAwsEnvironment, startEmbeddedServers } from '../infra/local/embedded-servers.ts';
import { manualClock, testApp } from '../test/support/local-app.ts';
import { testClients } from '../test/support/tables.ts';

const ROWS = Number(process.env.ROWS ?? 2000);
const servers = await startEmbeddedServers({ dataDir: null });
Object.assign(process.env, localAwsEnvironment(servers.endpoints));
try {
  const clock = manualClock('2018-01-25T10:00:00+08:00');
  const app = await testApp({ clock });
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('隐患清单');
  sheet.addRow(TEMPLATE_COLUMNS.map((c) => c.header));
  for (let i = 0; i < ROWS; i += 1)
    sheet.addRow(TEMPLATE_COLUMNS.map((c, j) => (j === 2 ? `隐患 ${i + 1}` : c.example)));
  const bytes = new Uint8Array(await book.xlsx.writeBuffer());

  const asked = await app.http('POST', `/f/${app.links['LY-101']}/imports`, {
    body: JSON.stringify({ fileName: 'bench.xlsx', size: bytes.length }),
  });
  const { key } = JSON.parse(asked.body) as { key: string };
  const put = await testClients().s3.send(
    new PutObjectCommand({ Bucket: app.adapters.documents.bucket, Key: key, Body: bytes }),
  );
  const before = process.memoryUsage().rss;
  const started = performance.now();
  const outcome = await app.s3Created(key, (put.ETag ?? '').replaceAll('"', ''), clock.now());
  const ms = performance.now() - started;
  const grew = (process.memoryUsage().rss - before) / 1024 / 1024;
  console.log(`| rows | file | import (ms) | per row (ms) | RSS growth (MiB) | outcome |`);
  console.log(`|---:|---:|---:|---:|---:|---|`);
  console.log(
    `| ${ROWS} | ${(bytes.length / 1024).toFixed(0)} KB | ${ms.toFixed(0)} | ${(ms / ROWS).toFixed(2)} | ${grew.toFixed(0)} | ${JSON.stringify(outcome)} |`,
  );
  await app.cleanup();
} finally {
  await servers.stop();
}
