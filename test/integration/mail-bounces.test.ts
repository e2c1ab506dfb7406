import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import type { SNSEvent } from 'aws-lambda';
import ExcelJS from 'exceljs';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DailyCheckReport } from '../../functions/daily-check/daily-check.ts';
import { dailyCheckDeps, makeHandler as makeDailyCheck } from '../../functions/daily-check/handler.ts';
import { makeHandler as makeMailEvents } from '../../functions/mail-events/handler.ts';
import { NodemailerMailer } from '../../functions/shared/adapters/mail/nodemailer-mailer.ts';
import {
  RecipientsRefusedError,
  recordingBounces,
  stillBouncing,
} from '../../functions/shared/domain/delivery/mail-bounces.ts';
import { ValidationError } from '../../functions/shared/domain/errors.ts';
import { rollupRules } from '../../functions/shared/domain/report/rollup.ts';
import { METRIC } from '../../functions/shared/metrics.ts';
import type { BounceLog, Mailer, OutboundMail } from '../../functions/shared/ports.ts';
import { freePort } from '../../infra/local/embedded-servers.ts';
import { localContext } from '../../infra/local/http-bridge.ts';
import { demoCampaign, demoRoster } from '../support/fixtures.ts';
import { manualClock, type TestApp, testApp } from '../support/local-app.ts';
import { RecordingMetrics } from '../support/metrics.ts';
import { localhostCertificate } from '../support/tls.ts';

/**
 * Bounces and complaints, end to end on DynamoDB Local: SES's notifications through the
 * mail-events handler, an SMTP server refusing a recipient at send time, and what the office
 * then sees in the digest and on its page.
 */
const roster = demoRoster();
const emailOf = (code: string): string => {
  const unit = roster.units.find((u) => u.code === code);
  if (!unit) throw new Error(`no unit ${code}`);
  return unit.email;
};

/** An SNS delivery of one SES event-publishing message, as Lambda receives it. */
function snsEvent(message: unknown): SNSEvent {
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: 'subscription',
        Sns: {
          Type: 'Notification',
          MessageId: crypto.randomUUID(),
          TopicArn: 'topic',
          Subject: '',
          Message: typeof message === 'string' ? message : JSON.stringify(message),
          Timestamp: '2018-01-11T02:00:01.000Z',
          SignatureVersion: '1',
          Signature: 'sig',
          SigningCertUrl: 'https://sns.example/cert.pem',
          UnsubscribeUrl: 'https://sns.example/unsubscribe',
          MessageAttributes: {},
        },
      },
    ],
  };
}

const mail = (messageId: string, to: string) => ({
  timestamp: '2018-01-11T00:00:00.000Z',
  source: '常州市教育局 <noreply@czedu.example>',
  sendingAccountId: '123456789012',
  messageId,
  destination: [to],
  headersTruncated: false,
  tags: { 'ses:configuration-set': ['campaign'] },
});

/** SES's permanent bounce, shaped as its event publishing sends it. */
const permanentBounce = (to: string, feedbackId: string, timestamp = '2018-01-11T00:00:02.669Z') => ({
  eventType: 'Bounce',
  bounce: {
    bounceType: 'Permanent',
    bounceSubType: 'General',
    bouncedRecipients: [
      { emailAddress: to, action: 'failed', status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 user unknown' },
    ],
    timestamp,
    feedbackId,
    reportingMTA: 'dsn; a8-70.smtp-out.amazonses.com',
  },
  mail: mail(`ses-${feedbackId}`, to),
});

const logs: string[] = [];
const logger = {
  info: (message: string, fields?: Record<string, unknown>) =>
    logs.push(JSON.stringify({ message, ...fields })),
  warn: (message: string, fields?: Record<string, unknown>) =>
    logs.push(JSON.stringify({ message, ...fields })),
  error: (message: string, fields?: Record<string, unknown>) =>
    logs.push(JSON.stringify({ message, ...fields, error: String(fields?.error) })),
};

describe('SES bounce and complaint notifications (the mail-events function)', () => {
  const clock = manualClock('2018-01-11T08:00:00+08:00');
  let app: TestApp;
  let handler: ReturnType<typeof makeMailEvents>;
  const metrics = new RecordingMetrics();
  beforeAll(async () => {
    app = await testApp({ clock });
    handler = makeMailEvents({ bounces: app.adapters.bounces, logger, metrics });
  });
  afterAll(() => app.cleanup());
  const deliver = (message: unknown) => handler(snsEvent(message), localContext('mail-events'));

  it('records a permanent bounce against the address, once however often SNS delivers it', async () => {
    const address = emailOf('LY-101');
    const notification = permanentBounce(address.toUpperCase(), 'feedback-1');
    metrics.take();
    expect(await deliver(notification)).toEqual({ recorded: 1, duplicate: 0, ignored: 0 });
    expect(metrics.take()).toEqual({ [METRIC.mailsFailed]: 1 });
    const first = await app.adapters.bounces.get(address);
    expect(first).toEqual({
      address,
      kind: 'bounce',
      subtype: 'General',
      diagnostic: 'smtp; 550 5.1.1 user unknown',
      source: 'ses',
      firstSeenAt: '2018-01-11T00:00:02.669Z',
      lastSeenAt: '2018-01-11T00:00:02.669Z',
      count: 1,
      messageId: 'ses-feedback-1',
    });
    expect(await deliver(notification)).toEqual({ recorded: 0, duplicate: 1, ignored: 0 });
    expect(metrics.take()).toEqual({});
    expect(await app.adapters.bounces.get(address)).toEqual(first);
  });

  it('counts concurrent notifications for one address each once, and keeps the newest reason', async () => {
    const address = emailOf('LY-102');
    const notifications = Array.from({ length: 6 }, (_, i) =>
      permanentBounce(address, `feedback-c${i}`, `2018-01-1${i + 1}T00:00:00.000Z`),
    );
    // Each twice, all at once: six distinct feedback ids, each delivered twice.
    const reports = await Promise.all([...notifications, ...notifications].map(deliver));
    expect(reports.reduce((n, r) => n + r.recorded, 0)).toBe(6);
    expect(reports.reduce((n, r) => n + r.duplicate, 0)).toBe(6);
    expect(await app.adapters.bounces.get(address)).toMatchObject({
      count: 6,
      firstSeenAt: '2018-01-11T00:00:00.000Z',
      lastSeenAt: '2018-01-16T00:00:00.000Z',
      messageId: 'ses-feedback-c5',
    });
  });

  it('records each recipient of one notification, also in the identity-notification shape (notificationType)', async () => {
    const [a, b] = [emailOf('JT-101'), emailOf('JT-102')];
    const { eventType: _, ...rest } = permanentBounce(a, 'feedback-two');
    const both = {
      ...rest,
      notificationType: 'Bounce',
      bounce: {
        ...rest.bounce,
        bounceSubType: 'NoEmail',
        bouncedRecipients: [{ emailAddress: a }, { emailAddress: b, status: '5.1.1' }],
      },
    };
    expect(await deliver(both)).toEqual({ recorded: 2, duplicate: 0, ignored: 0 });
    expect(await deliver(both)).toEqual({ recorded: 0, duplicate: 2, ignored: 0 });
    expect(await app.adapters.bounces.get(a)).toMatchObject({ subtype: 'NoEmail', diagnostic: '', count: 1 });
    expect(await app.adapters.bounces.get(b)).toMatchObject({
      subtype: 'NoEmail',
      diagnostic: '5.1.1',
      count: 1,
    });
  });

  it('only logs a transient bounce', async () => {
    const address = emailOf('WJ-101');
    const transient = permanentBounce(address, 'feedback-t');
    transient.bounce.bounceType = 'Transient';
    transient.bounce.bounceSubType = 'MailboxFull';
    expect(await deliver(transient)).toEqual({ recorded: 0, duplicate: 0, ignored: 1 });
    expect(await app.adapters.bounces.get(address)).toBeNull();
    expect(logs.some((l) => l.includes('mail event ignored') && l.includes('Transient bounce'))).toBe(true);
  });

  it('records a complaint, which stands whatever is delivered later', async () => {
    const address = emailOf('CZ-001');
    const complaint = {
      eventType: 'Complaint',
      complaint: {
        complainedRecipients: [{ emailAddress: address }],
        timestamp: '2018-01-11T03:00:00.000Z',
        feedbackId: 'feedback-complaint',
        userAgent: 'QQMail',
        complaintFeedbackType: 'abuse',
        arrivalDate: '2018-01-11T02:59:00.000Z',
      },
      mail: mail('ses-complained', address),
    };
    expect(await deliver(complaint)).toEqual({ recorded: 1, duplicate: 0, ignored: 0 });
    expect(await deliver(complaint)).toEqual({ recorded: 0, duplicate: 1, ignored: 0 });
    await app.adapters.bounces.delivered(address, new Date('2018-01-12T00:00:00Z'));
    const record = await app.adapters.bounces.get(address);
    expect(record).toMatchObject({ kind: 'complaint', subtype: 'abuse', count: 1, source: 'ses' });
    expect(record && stillBouncing(record)).toBe(true);
  });

  it('refuses a notification it cannot read, in both languages, and stores nothing', async () => {
    const before = await app.adapters.bounces.get('nobody@czedu.example');
    await expect(deliver('{not json')).rejects.toThrow(ValidationError);
    const noRecipients = permanentBounce('nobody@czedu.example', 'feedback-bad');
    noRecipients.bounce.bouncedRecipients = [];
    const error = await deliver(noRecipients).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).zh).toContain('SES 通知无效');
    expect((error as ValidationError).en).toContain('bouncedRecipients');
    expect(await app.adapters.bounces.get('nobody@czedu.example')).toEqual(before);
  });
});

describe('an SMTP server refusing a recipient at send time', () => {
  const clock = manualClock('2018-01-12T08:00:00+08:00');
  let app: TestApp;
  let dir: string;
  let server: SMTPServer;
  let port: number;
  let cert: string;
  const refuse = new Set<string>();
  const received: string[] = [];
  const messages: { to: string[]; raw: string }[] = [];

  beforeAll(async () => {
    app = await testApp({ clock });
    dir = await mkdtemp(join(tmpdir(), 'smtp-bounce-'));
    const pair = await localhostCertificate(dir);
    const key = pair.key;
    cert = pair.cert;
    server = new SMTPServer({
      key,
      cert,
      authOptional: true,
      onRcptTo: (address, _session, callback) => {
        if (!refuse.has(address.address)) return callback();
        const error = Object.assign(
          new Error(`5.1.1 <${address.address}>: Recipient address rejected: User unknown`),
          {
            responseCode: 550,
          },
        );
        return callback(error);
      },
      onData: (stream, session, callback) => {
        let raw = '';
        stream.on('data', (chunk: Buffer) => {
          raw += chunk.toString();
        });
        stream.on('end', () => {
          const to = session.envelope.rcptTo.map((r) => r.address);
          received.push(...to);
          messages.push({ to, raw });
          callback();
        });
      },
    });
    port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
    await app.cleanup();
  });

  const smtp = () => NodemailerMailer.smtp({ host: 'localhost', port, secure: false, ca: cert });
  const message = (to: string[]): OutboundMail => ({
    from: 'noreply@czedu.example',
    to,
    subject: '【提醒】专项行动实施方案',
    text: '请按时报送',
  });

  it('records a 550 against the address and still fails the send, so the mail log sees the failure', async () => {
    const gone = emailOf('WJ-101');
    refuse.add(gone);
    const mailer = recordingBounces(smtp(), app.adapters.bounces, clock, logger);
    const error = await mailer.send(message([gone])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RecipientsRefusedError);
    expect((error as RecipientsRefusedError).refused).toEqual([
      { address: gone, code: 550, response: expect.stringContaining('User unknown') },
    ]);
    expect(await app.adapters.bounces.get(gone)).toMatchObject({
      address: gone,
      kind: 'bounce',
      subtype: 'SMTP 550',
      diagnostic: expect.stringContaining('Recipient address rejected'),
      source: 'smtp',
      firstSeenAt: '2018-01-12T00:00:00.000Z',
      count: 1,
    });
    // A retry refused again counts again: each refusal is its own event.
    await expect(mailer.send(message([gone]))).rejects.toThrow(RecipientsRefusedError);
    expect((await app.adapters.bounces.get(gone))?.count).toBe(2);
  });

  it('reports a refused recipient beside an accepted one, and sends to the accepted one', async () => {
    const gone = emailOf('LY-106');
    const fine = emailOf('LY-105');
    refuse.add(gone);
    const mailer = recordingBounces(smtp(), app.adapters.bounces, clock, logger);
    const result = await mailer.send(message([gone, fine]));
    expect(result.refused?.map((r) => [r.address, r.code])).toEqual([[gone, 550]]);
    expect(received).toContain(fine);
    expect((await app.adapters.bounces.get(gone))?.count).toBe(1);
    expect(await app.adapters.bounces.get(fine)).toBeNull();
  });

  it('lets a bounce go once mail to the address is accepted again, after the bounce', async () => {
    const address = emailOf('WJ-101');
    refuse.delete(address);
    clock.set('2018-01-13T08:00:00+08:00');
    const mailer = recordingBounces(smtp(), app.adapters.bounces, clock, logger);
    await mailer.send(message([address]));
    const record = await app.adapters.bounces.get(address);
    expect(record?.deliveredAt).toBe('2018-01-13T00:00:00.000Z');
    expect(record && stillBouncing(record)).toBe(false);
    // Refused again later: it stands again.
    refuse.add(address);
    clock.set('2018-01-14T08:00:00+08:00');
    await expect(mailer.send(message([address]))).rejects.toThrow(RecipientsRefusedError);
    const again = await app.adapters.bounces.get(address);
    expect(again && stillBouncing(again)).toBe(true);
  });

  it("records the daily check's refused reminder through the SMTP campaign's own wiring, and the next digest lists the unit", async () => {
    // The relay's certificate is the test's own: trust it as the production transport would a real one.
    const defaults = tls.getCACertificates('default');
    tls.setDefaultCACertificates([...defaults, cert]);
    const campaign = {
      ...demoCampaign(),
      mail: {
        transport: 'smtp' as const,
        from: 'noreply@czedu.example',
        host: 'localhost',
        port,
        secure: false,
      },
    };
    const smtpClock = manualClock('2018-01-12T08:00:00+08:00');
    const smtpApp = await testApp({ clock: smtpClock, campaign });
    try {
      const gone = emailOf('LY-102');
      refuse.clear();
      refuse.add(gone);
      const check = makeDailyCheck(dailyCheckDeps(smtpApp.adapters, 'https://forms.example'));
      const run = (iso: string) => {
        smtpClock.set(iso);
        return check({ scheduledTime: new Date(iso).toISOString() }, localContext('daily-check')).catch(
          (e: unknown) => e,
        );
      };
      const first = await run('2018-01-12T08:00:00+08:00');
      // Refused for good: recorded as such, the bounce beside it, and the run does not fail on
      // it (a retry would be refused again, and the run would alarm every day until the fix).
      expect(first).not.toBeInstanceOf(Error);
      const report = first as DailyCheckReport;
      expect(report.mails.filter((m) => m.outcome === 'refused')).toEqual([
        expect.objectContaining({ purpose: 'reminder:LY-102', error: expect.stringContaining('550') }),
      ]);
      expect(report.mails.filter((m) => m.outcome === 'failed')).toEqual([]);
      expect(await smtpApp.adapters.mailLog.get(report.day, 'reminder:LY-102', gone)).toMatchObject({
        status: 'refused',
      });
      expect(await smtpApp.adapters.bounces.get(gone)).toMatchObject({ source: 'smtp', subtype: 'SMTP 550' });
      // A rerun of the day sends nothing again, to the refused address or anyone else.
      const sentBefore = messages.length;
      const again = (await run('2018-01-12T08:00:00+08:00')) as DailyCheckReport;
      expect(again.run).toBe('already-done');
      expect(messages.length).toBe(sentBefore);

      const before = messages.length;
      await run('2018-01-13T08:00:00+08:00');
      const digest = messages
        .slice(before)
        .find((m) => m.to.includes('safety-office@czedu.example') && m.raw.includes('Subject:'));
      if (!digest) throw new Error('no office digest on 2018-01-13');
      const parsed = await simpleParser(Buffer.from(digest.raw));
      expect(parsed.text).toContain(`LY-102 溧阳市`);
      expect(parsed.text).toContain(`<${gone}>`);
      expect(parsed.text).toContain('SMTP 550');
    } finally {
      tls.setDefaultCACertificates(defaults);
      await smtpApp.cleanup();
    }
  });

  it('never changes the outcome of a send when the bounce log fails', async () => {
    const broken: Pick<BounceLog, 'record' | 'delivered'> = {
      record: async () => {
        throw new Error('DynamoDB unavailable');
      },
      delivered: async () => {
        throw new Error('DynamoDB unavailable');
      },
    };
    refuse.add(emailOf('WJ-101'));
    const before = logs.length;
    const mailer: Mailer = recordingBounces(smtp(), broken, clock, logger);
    await expect(mailer.send(message([emailOf('WJ-101')]))).rejects.toThrow(RecipientsRefusedError);
    await expect(mailer.send(message([emailOf('LY-105')]))).resolves.toMatchObject({
      messageId: expect.any(String),
    });
    expect(logs.slice(before).filter((l) => l.includes('not recorded'))).toHaveLength(2);
  });
});

describe('bounced contacts in the digest and on the office pages', () => {
  const clock = manualClock('2018-01-12T08:00:00+08:00');
  let app: TestApp;
  const sent: OutboundMail[] = [];
  const recorder: Mailer = {
    send: async (m) => {
      sent.push(m);
      return { messageId: `recorded-${sent.length}` };
    },
  };
  const bounceOf = (code: string, feedbackId: string) =>
    app.adapters.bounces.record({
      address: emailOf(code),
      kind: 'bounce',
      subtype: 'General',
      diagnostic: 'smtp; 550 5.1.1 <script>alert(1)</script> user unknown',
      source: 'ses',
      at: '2018-01-11T01:00:00.000Z',
      messageId: `ses-${feedbackId}`,
      feedbackId,
    });
  const check = async (iso: string) => {
    clock.set(iso);
    const before = sent.length;
    await makeDailyCheck({ ...dailyCheckDeps(app.adapters, 'https://forms.example'), mailer: recorder })(
      { scheduledTime: new Date(iso).toISOString() },
      localContext('daily-check'),
    );
    return sent.slice(before);
  };
  const digestTo = (mails: OutboundMail[], to: string) => {
    const found = mails.find((m) => m.to.includes(to) && m.subject.includes('每日汇总'));
    if (!found) throw new Error(`no digest to ${to}`);
    return found;
  };

  beforeAll(async () => {
    app = await testApp({ clock });
    await bounceOf('LY-101', 'fb-ly');
    await bounceOf('WJ-101', 'fb-wj');
  });
  afterAll(() => app.cleanup());

  it('lists the bounced units in the office digest (HTML, text and a 退信 sheet), each district only its own', async () => {
    const mails = await check('2018-01-12T08:00:00+08:00');
    const office = digestTo(mails, 'safety-office@czedu.example');
    for (const part of [office.html ?? '', office.text]) {
      expect(part).toContain('退信');
      expect(part).toContain('溧阳市燕山示例小学');
      expect(part).toContain(emailOf('LY-101'));
      expect(part).toContain('武进区湖塘示例实验小学');
      expect(part).toContain('2018-01-11 09:00');
    }
    // The server's words are text, never markup.
    expect(office.html).not.toContain('<script>');
    expect(office.html).toContain('&lt;script&gt;');

    const workbook = new ExcelJS.Workbook();
    const attachment = office.attachments?.[0];
    if (!attachment) throw new Error('no spreadsheet');
    await workbook.xlsx.load(Buffer.from(attachment.content) as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet('退信');
    expect(sheet).toBeDefined();
    const rows = (sheet?.getSheetValues() ?? []).slice(2).map((row) => (row as unknown[]).slice(1, 5));
    expect(rows).toEqual([
      ['溧阳市', 'LY-101', '溧阳市燕山示例小学', emailOf('LY-101')],
      ['武进区', 'WJ-101', '武进区湖塘示例实验小学', emailOf('WJ-101')],
    ]);

    const liyang = digestTo(mails, emailOf('LY-000'));
    expect(liyang.text).toContain(emailOf('LY-101'));
    expect(liyang.text).not.toContain(emailOf('WJ-101'));
    expect(liyang.html).not.toContain('武进区湖塘示例实验小学');
  });

  it("shows them on the city office's page, and a bureau its own district's; a school sees no such list", async () => {
    const page = async (code: string) => {
      const response = await app.http('GET', `/f/${app.links[code]}`);
      expect(response.statusCode).toBe(200);
      return response.body;
    };
    const city = await page('CITY-000');
    expect(city).toContain('id="bounced"');
    expect(city).toContain(emailOf('LY-101'));
    expect(city).toContain(emailOf('WJ-101'));
    expect(city).toContain('&lt;script&gt;');
    const liyang = await page('LY-000');
    expect(liyang).toContain(emailOf('LY-101'));
    expect(liyang).not.toContain(emailOf('WJ-101'));
    expect(await page('LY-102')).not.toContain('id="bounced"');
  });

  it('drops a unit once its roster contact changes to a new address', async () => {
    const row = roster.units.find((u) => u.code === 'LY-101');
    if (!row) throw new Error('no LY-101');
    await app.adapters.units.upsertFromRoster(
      { ...row, email: 'yanshan-new@schools.czedu.example' },
      clock.now(),
      rollupRules(demoCampaign()),
    );
    const mails = await check('2018-01-13T08:00:00+08:00');
    const office = digestTo(mails, 'safety-office@czedu.example');
    expect(office.text).not.toContain('溧阳市燕山示例小学 <');
    expect(office.text).toContain(emailOf('WJ-101'));
    expect(digestTo(mails, emailOf('LY-000')).text).not.toContain('退信');
    expect(await app.http('GET', `/f/${app.links['CITY-000']}`).then((r) => r.body)).not.toContain(
      emailOf('LY-101'),
    );
  });
});
