import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { SMTPServer } from 'smtp-server';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { NodemailerMailer } from '../../functions/shared/adapters/mail/nodemailer-mailer.ts';
import { S3DocumentStore } from '../../functions/shared/adapters/s3/document-store.ts';
import { mailerFor, readSecrets } from '../../functions/shared/wiring.ts';
import { freePort } from '../../infra/local/embedded-servers.ts';
import { freshBucket, testClients } from '../support/tables.ts';
import { localhostCertificate } from '../support/tls.ts';

interface StoredMail {
  messageId: string;
  subject: string;
  destination: { to: string[] };
  body: { text?: string; html?: string };
  attachments: { filename: string; contentType?: string; size?: number }[];
}

describe('S3 document store on s3rver', () => {
  let documents: S3DocumentStore;

  beforeAll(async () => {
    documents = new S3DocumentStore(testClients().s3, await freshBucket());
  });

  it('writes every upload to a new key and never overwrites', async () => {
    const first = await documents.putNew({
      prefix: 'incoming/LY-101',
      body: '%PDF-1 first',
      contentType: 'application/pdf',
    });
    const second = await documents.putNew({
      prefix: 'incoming/LY-101/',
      body: '%PDF-1 second',
      contentType: 'application/pdf',
    });
    expect(first.key).toMatch(/^incoming\/LY-101\/[0-9a-f-]{36}$/);
    expect(second.key).not.toBe(first.key);
    const read = async (key: string) =>
      (
        await testClients().s3.send(new GetObjectCommand({ Bucket: documents.bucket, Key: key }))
      ).Body?.transformToString();
    expect(await read(first.key)).toBe('%PDF-1 first');
    expect(await read(second.key)).toBe('%PDF-1 second');
  });

  it('heads an object with its metadata, and says null for a missing one', async () => {
    const stored = await documents.putNew({
      prefix: 'incoming/LY-102',
      body: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]),
      contentType: 'image/png',
      metadata: { unit: 'LY-102' },
    });
    expect(await documents.head(stored.key)).toMatchObject({
      size: 7,
      etag: stored.etag,
      metadata: { unit: 'LY-102' },
    });
    expect(await documents.head('incoming/LY-102/missing')).toBeNull();
  });

  it('reads only the first bytes', async () => {
    const body = new Uint8Array(64 * 1024).fill(7);
    body.set([0x25, 0x50, 0x44, 0x46, 0x2d], 0);
    const stored = await documents.putNew({
      prefix: 'incoming/LY-103',
      body,
      contentType: 'application/pdf',
    });
    const head = await documents.readFirstBytes(stored.key, 8);
    expect([...head]).toEqual([0x25, 0x50, 0x44, 0x46, 0x2d, 7, 7, 7]);
  });

  it('quarantines an object, keeping its bytes, under a key with non-ASCII characters', async () => {
    const stored = await documents.putNew({
      prefix: 'incoming/LY-104',
      body: 'MZ not a pdf',
      contentType: 'application/pdf',
    });
    const target = `quarantine/LY-104/可疑 文件-${Date.now()}`;
    await documents.quarantine(stored.key, { etag: stored.etag }, target);
    expect(await documents.head(stored.key)).toBeNull();
    expect(new TextDecoder().decode(await documents.readFirstBytes(target, 100))).toBe('MZ not a pdf');
  });
});

describe('mail through SES v2 (aws-ses-v2-local)', () => {
  it('sends a Chinese subject, text and HTML parts and an xlsx attachment', async () => {
    const mailer = mailerFor({ transport: 'ses', from: 'noreply@czedu.example' }, {}, testClients());
    const subject = `【除隐患防事故保安全】每日汇总 ${Date.now()}`;
    const sent = await mailer.send({
      from: 'noreply@czedu.example',
      to: ['safety-office@czedu.example'],
      replyTo: 'safety-office@czedu.example',
      subject,
      text: '已报送：12 / 52',
      html: '<p>已报送：<b>12</b> / 52</p>',
      attachments: [
        {
          filename: '汇总-2018-01-10.xlsx',
          content: new Uint8Array([0x50, 0x4b, 3, 4]),
          contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        },
      ],
    });
    expect(sent.messageId).not.toBe('');

    const store = (await (await fetch(`${inject('endpoints').sesv2}/store`)).json()) as {
      emails: StoredMail[];
    };
    const mail = store.emails.find((m) => m.subject === subject);
    expect(mail?.destination.to).toEqual(['safety-office@czedu.example']);
    expect(mail?.body.text).toContain('已报送：12 / 52');
    expect(mail?.body.html).toContain('<b>12</b>');
    expect(mail?.attachments.map((a) => a.filename)).toEqual(['汇总-2018-01-10.xlsx']);
  });
});

describe('mail through SMTP (the transport for regions without SES)', () => {
  it('logs in over STARTTLS with the secret credentials and delivers the MIME message', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'smtp-'));
    const { key, cert } = await localhostCertificate(dir);
    const received: { from?: string; data: string; user?: string; secure: boolean }[] = [];
    const server = new SMTPServer({
      key,
      cert,
      onAuth: (auth, _session, callback) =>
        auth.username === 'mailer' && auth.password === 's3cret'
          ? callback(null, { user: auth.username })
          : callback(new Error('bad credentials')),
      onData: (stream, session, callback) => {
        let data = '';
        stream.on('data', (chunk: Buffer) => {
          data += chunk.toString();
        });
        stream.on('end', () => {
          received.push({ data, user: String(session.user), secure: session.secure });
          callback();
        });
      },
    });
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    try {
      const smtp = {
        transport: 'smtp' as const,
        from: 'noreply@czedu.example',
        host: 'localhost',
        port,
        secure: false,
      };
      const secrets = await readSecrets(
        { TABLE_NAME: 't', BUCKET_NAME: 'b', SMTP_USER: 'mailer', SMTP_PASSWORD: 's3cret' },
        testClients(),
      );
      const mailer = mailerFor(smtp, {}, testClients(), secrets);
      // mailerFor builds the production transport; trust the test CA on a twin built the same way.
      const trusted = NodemailerMailer.smtp({
        host: 'localhost',
        port,
        secure: false,
        auth: { user: 'mailer', pass: 's3cret' },
        ca: cert,
      });
      await expect(
        mailer.send({ from: smtp.from, to: ['a@czedu.example'], subject: 'x', text: 'y' }),
      ).rejects.toThrow(/certificate/);
      await trusted.send({
        from: smtp.from,
        to: ['ly-101@schools.czedu.example'],
        subject: '【回执】工作总结',
        text: '已收到',
      });
      expect(received).toHaveLength(1);
      expect(received[0]).toMatchObject({ user: 'mailer', secure: true });
      expect(received[0]?.data).toContain('=?UTF-8?');
      expect(received[0]?.data).toContain('To: ly-101@schools.czedu.example');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('s3rver under the local runtime', () => {
  it('survives deletes and writes racing in one prefix (a refused upload moving while the unit uploads again)', async () => {
    const { s3 } = testClients();
    const bucket = await freshBucket();
    const { DeleteObjectCommand, ListObjectsV2Command, PutObjectCommand } = await import(
      '@aws-sdk/client-s3'
    );
    for (let round = 0; round < 40; round += 1) {
      const prefix = `incoming/R-${round}`;
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}/first`, Body: 'a' }));
      await Promise.all([
        s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: `${prefix}/first` })),
        s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}/second`, Body: 'b' })),
      ]);
    }
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'incoming/' }));
    expect((listed.Contents ?? []).map((o) => o.Key).sort()).toEqual(
      Array.from({ length: 40 }, (_, round) => `incoming/R-${round}/second`).sort(),
    );
  });
});
