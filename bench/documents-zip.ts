// Streams a supervisor's documents archive of a few hundred MB of generated objects from s3rver
// back into s3rver (and into a file, as the CLI will), each in a fresh process whose peak RSS is
// printed: memory must stay flat whatever the archive's size.
// Run: npm run bench -- documents-zip (FILES=300 MB_EACH=1 by default)
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { ArchiveContents } from '../functions/shared/ports.ts';
import { localAwsEnvironment, startEmbeddedServers } from '../infra/local/embedded-servers.ts';

const FILES = Number(process.env.FILES ?? 300);
const MB_EACH = Number(process.env.MB_EACH ?? 1);
const servers = await startEmbeddedServers({ dataDir: null });
Object.assign(process.env, localAwsEnvironment(servers.endpoints));
const dir = await mkdtemp(join(tmpdir(), 'bench-zip-'));
try {
  const s3 = new S3Client({ forcePathStyle: true });
  const bucket = `bench-${randomUUID()}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const contents: ArchiveContents = {
    timeZone: 'Asia/Shanghai',
    texts: [{ path: '清单.csv', content: '\ufeff区县\r\n', modifiedAt: new Date().toISOString() }],
    entries: [],
  };
  // One random body, each object a slice of it with its own prefix: incompressible, like PDFs.
  const body = randomBytes(MB_EACH * 1024 * 1024);
  for (let i = 0; i < FILES; i += 8) {
    await Promise.all(
      Array.from({ length: Math.min(8, FILES - i) }, async (_, j) => {
        const n = i + j;
        const key = `files/U-${n}/implementation-plan/${randomUUID()}/x`;
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
        contents.entries.push({
          path: `区县${n % 7}/U-${n} 示例学校${n}/专项行动实施方案/实施方案-${n}.pdf`,
          fileKey: key,
          size: body.length,
          modifiedAt: new Date().toISOString(),
        });
      }),
    );
  }
  const contentsFile = join(dir, 'contents.json');
  await writeFile(contentsFile, JSON.stringify(contents));
  const run = async (target: string) => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--import',
        'tsx',
        fileURLToPath(new URL('support/write-documents-zip.ts', import.meta.url)),
        bucket,
        contentsFile,
        target,
      ],
      { env: process.env, maxBuffer: 1024 * 1024 },
    );
    return JSON.parse(stdout) as { ms: number; size: number; peakRssBeforeMiB: number; peakRssMiB: number };
  };
  console.log(
    '| target | files | archive (MB) | time (ms) | MB/s | peak RSS before (MiB) | peak RSS (MiB) |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const target of ['s3', join(dir, 'out.zip')]) {
    const r = await run(target);
    const mb = r.size / 1024 / 1024;
    console.log(
      `| ${target === 's3' ? 'S3 exports/ (multipart)' : 'file'} | ${FILES} | ${mb.toFixed(0)} | ${r.ms} | ${(mb / (r.ms / 1000)).toFixed(0)} | ${r.peakRssBeforeMiB} | ${r.peakRssMiB} |`,
    );
    if (target !== 's3') await rm(target);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
  await servers.stop();
}
