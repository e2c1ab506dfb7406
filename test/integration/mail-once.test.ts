import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  type DailyCheckDeps,
  type DailyCheckReport,
  describeRun,
} from '../../functions/daily-check/daily-check.ts';
import {
  DayUnfinishedError,
  dailyCheckDeps,
  MailFailuresError,
  makeHandler,
} from '../../functions/daily-check/handler.ts';
import { DynamoMailLog } from '../../functions/shared/adapters/dynamo/mail-log.ts';
import { DynamoRunLeases, RUN_LEASE_MS } from '../../functions/shared/adapters/dynamo/run-leases.ts';
import { DynamoStore } from '../../functions/shared/adapters/dynamo/store.ts';
import { atLocalTime, localDateOf } from '../../functions/shared/domain/calendar/calendar.ts';
import { stableMessageId } from '../../functions/shared/mail/envelope.ts';
import type { Mailer, OutboundMail, RunLeases } from '../../functions/shared/ports.ts';
import { localContext } from '../../infra/local/http-bridge.ts';
import { faultyDynamo } from '../support/dynamo-faults.ts';
import { demoCampaign } from '../support/fixtures.ts';
import { manualClock, type TestApp, testApp } from '../support/local-app.ts';
import { testClients } from '../support/tables.ts';

/**
 * Every mail of a day exactly once, across failures, crashes and concurrent runs: the run lease
 * (`RUN#<day>`), fencing, `sending` → `sent`, and the stable Message-ID. The lease clock is a
 * manual one, so "a minute later" costs no minute.
 */
const campaign = demoCampaign();
const UNITS = ['LY-000', 'LY-101', 'LY-102', 'WJ-000', 'WJ-101', 'CZ-001', 'CITY-000'];
// 2018-01-12 is a reminder day for every unit (7 days before the plan is due): 11 mails.
const checkAt = (day: string) => atLocalTime(day, '08:00', campaign.timeZone);
const localDay = (at: Date) => localDateOf(at, campaign.timeZone);

/** Records every send; `key` names a mail by its recipient and subject. */
class RecordingMailer implements Mailer {
  readonly sent: OutboundMail[] = [];
  async send(mail: OutboundMail) {
    this.sent.push(mail);
    return { messageId: `ses-${this.sent.length}` };
  }
  counts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const m of this.sent) counts.set(keyOf(m), (counts.get(keyOf(m)) ?? 0) + 1);
    return counts;
  }
}
const keyOf = (m: OutboundMail) => `${m.to.join(',')} ${m.subject}`;

/** Calls `before(n)` ahead of the nth send (1-based); it may throw, or never return. */
class HookedMailer implements Mailer {
  private count = 0;
  constructor(
    private readonly inner: Mailer,
    private readonly before: (n: number, mail: OutboundMail) => Promise<void> | void,
  ) {}
  async send(mail: OutboundMail) {
    this.count += 1;
    await this.before(this.count, mail);
    return this.inner.send(mail);
  }
}

describe('every mail of a day exactly once', () => {
  const clock = manualClock('2018-01-12T00:00:00Z');
  const lease = manualClock('2026-12-01T00:00:00Z');
  let app: TestApp;
  let store: DynamoStore;
  let day = 0;

  beforeAll(async () => {
    app = await testApp({ clock, units: UNITS });
    store = new DynamoStore(testClients().doc, app.adapters.env.TABLE_NAME);
  });
  afterAll(() => app.cleanup());

  /** A fresh scheduled day per test, each a reminder day for every unit that has not filed (~10 mails). */
  const REMINDER_DAYS = [12, 16, 18, 19, 21, 23, 25, 27, 29];
  const nextDay = () => {
    day = REMINDER_DAYS.shift() ?? 31;
    const at = checkAt(`2018-01-${String(day).padStart(2, '0')}`);
    clock.set(at.toISOString());
    return at;
  };
  const deps = (mailer: Mailer, more: Partial<DailyCheckDeps> = {}): DailyCheckDeps => ({
    ...dailyCheckDeps(app.adapters, 'https://forms.example'),
    mailLog: new DynamoMailLog(store, lease),
    runLeases: new DynamoRunLeases(store, lease),
    mailer,
    ...more,
  });
  const run = (d: DailyCheckDeps, at: Date) =>
    makeHandler(d)({ scheduledTime: at.toISOString() }, localContext('daily-check'));
  const settle = (p: Promise<DailyCheckReport>) =>
    p.then(
      (report) => report,
      (error: unknown) => {
        if (error instanceof MailFailuresError) return error.report;
        throw error;
      },
    );
  const errorsLogged = () => app.logs.filter((line) => JSON.parse(line).error !== undefined);

  it('sends the rest after SES fails halfway, and every mail once', async () => {
    const at = nextDay();
    const mails = new RecordingMailer();
    const flaky = new HookedMailer(mails, (n) => {
      if (n > 5) throw new Error('Throttling: Maximum sending rate exceeded.');
    });
    const first = await settle(run(deps(flaky), at));
    expect(first.mails.length).toBeGreaterThan(8);
    expect(first.run).toBe('incomplete');
    expect(first.mails.filter((m) => m.outcome === 'failed').length).toBeGreaterThan(3);
    const second = await run(deps(mails), at);
    expect(second.run).toBe('done');
    expect(second.mails.filter((m) => m.outcome === 'sent')).toHaveLength(first.mails.length - 5);
    expect([...mails.counts().values()].every((n) => n === 1)).toBe(true);
    expect(mails.sent).toHaveLength(first.mails.length);
    const third = await run(deps(mails), at);
    expect(third.run).toBe('already-done');
    expect(describeRun(third)).toMatch(/already done/);
    expect(mails.sent).toHaveLength(first.mails.length);
  });

  it('gives every mail a stable Message-ID from its key, and the key in a header', async () => {
    const at = nextDay();
    const mails = new RecordingMailer();
    await run(deps(mails), at);
    const digest = mails.sent.find((m) => m.to.includes('safety-office@czedu.example'));
    expect(digest?.messageId).toBe(
      stableMessageId(campaign.id, campaign.mail.from, {
        day: `2018-01-${day}`,
        purpose: 'digest',
        recipient: 'safety-office@czedu.example',
      }),
    );
    expect(digest?.messageId).toMatch(/^<[0-9a-f]{64}@[a-z0-9.-]+>$/);
    expect(digest?.headers?.['X-Campaign-Mail-Key']).toBe(
      `${campaign.id}|2018-01-${day}|digest|safety-office@czedu.example`,
    );
    expect(new Set(mails.sent.map((m) => m.messageId)).size).toBe(mails.sent.length);
  });

  it('after a run died between sending and sent, resends only that mail, with the same Message-ID, once its lease ran out', async () => {
    const at = nextDay();
    const mails = new RecordingMailer();
    // The dead run: it sends 3 mails, the 3rd reaches SES and then the process "dies" (never
    // returns, never renews its lease). One lane, so exactly one mail is in doubt.
    let dead: () => void = () => undefined;
    const died = new Promise<void>((resolve) => {
      dead = resolve;
    });
    const dying = new HookedMailer(mails, async (n, mail) => {
      if (n === 3) {
        await mails.send(mail);
        dead();
        await new Promise(() => undefined);
      }
    });
    const frozen: RunLeases = Object.assign(new DynamoRunLeases(store, lease), { renew: async () => true });
    void run(deps(dying, { runLeases: frozen, sendConcurrency: 1 }), at);
    await died;
    const inDoubt = mails.sent[2] as OutboundMail;

    // While its lease lasts, the day is held: a rerun exits 0 and sends nothing.
    const held = await run(deps(mails), at);
    expect(held.run).toBe('held');
    expect(describeRun(held)).toMatch(/held by a live run/);
    expect(mails.sent).toHaveLength(3);

    lease.set(new Date(lease.now().getTime() + RUN_LEASE_MS + 1000).toISOString());
    const next = await run(deps(mails), at);
    expect(next.run).toBe('done');
    expect(next.inDoubt).toBe(1);
    const again = mails.sent.slice(3).filter((m) => keyOf(m) === keyOf(inDoubt));
    expect(again).toHaveLength(1);
    expect(again[0]?.messageId).toBe(inDoubt.messageId);
    // Every other mail once: the two the dead run recorded were not sent again.
    const counts = mails.counts();
    expect([...counts].filter(([, n]) => n > 1).map(([k]) => k)).toEqual([keyOf(inDoubt)]);
    expect(app.logs.some((l) => /mail resent: a run that died may have sent it already/.test(l))).toBe(true);
  });

  it('a run that lost its lease (paused past it) sends nothing more: the new holder sends the rest', async () => {
    const at = nextDay();
    const mails = new RecordingMailer();
    let second: Promise<DailyCheckReport> | undefined;
    const paused = new HookedMailer(mails, async (n) => {
      if (n === 2) {
        // Paused past the lease: another run takes the day and finishes it meanwhile.
        lease.set(new Date(lease.now().getTime() + RUN_LEASE_MS + 1000).toISOString());
        second = run(deps(mails), at);
        await second;
      }
    });
    const first = await settle(run(deps(paused, { sendConcurrency: 1 }), at));
    // It sent only its first two (the 2nd after the pause); the rest it found sent, or was fenced off.
    expect(first.mails.filter((m) => m.outcome === 'sent')).toHaveLength(2);
    expect(first.mails.every((m) => ['sent', 'skipped', 'stopped'].includes(m.outcome))).toBe(true);
    expect((await second)?.run).toBe('done');
    // The 2nd mail was in doubt (sending, its run fenced off): both sent it, with one Message-ID.
    const counts = mails.counts();
    const twice = [...counts].filter(([, n]) => n > 1);
    expect(twice).toHaveLength(1);
    const ids = mails.sent.filter((m) => keyOf(m) === twice[0]?.[0]).map((m) => m.messageId);
    expect(new Set(ids).size).toBe(1);
  });

  for (const runs of [2, 5])
    it(`${runs} concurrent runs of one day all succeed and send each mail once`, async () => {
      const at = nextDay();
      const mails = new RecordingMailer();
      const reports = await Promise.all(Array.from({ length: runs }, () => run(deps(mails), at)));
      expect(reports.filter((r) => r.run === 'done')).toHaveLength(1);
      expect(reports.every((r) => ['done', 'held', 'already-done'].includes(r.run ?? ''))).toBe(true);
      expect([...mails.counts().values()].every((n) => n === 1)).toBe(true);
      expect(mails.sent.length).toBe(reports.find((r) => r.run === 'done')?.mails.length);
    });

  it('stops between two mails when asked, releases the day, and the next run sends the rest, no error logged', async () => {
    const at = nextDay();
    const mails = new RecordingMailer();
    const stop = new AbortController();
    const stopping = new HookedMailer(mails, (n) => {
      if (n === 4) stop.abort();
    });
    const logged = errorsLogged().length;
    const first = await run(deps(stopping, { signal: stop.signal, sendConcurrency: 2 }), at);
    expect(first.run).toBe('stopped');
    expect(first.mails.filter((m) => m.outcome === 'stopped').length).toBeGreaterThan(0);
    // Released: no minute's wait.
    const next = await run(deps(mails), at);
    expect(next.run).toBe('done');
    expect(next.inDoubt ?? 0).toBe(0);
    expect([...mails.counts().values()].every((n) => n === 1)).toBe(true);
    expect(errorsLogged().length).toBe(logged);
  });

  it('a run that throws part-way leaves the day open: the next run sends every mail', async () => {
    const at = nextDay();
    const mails = new RecordingMailer();
    const failingRead: DailyCheckDeps['hazards'] = {
      // biome-ignore lint/correctness/useYield: a read that fails before its first page
      all: async function* () {
        throw new Error('DynamoDB unavailable');
      },
    };
    await expect(run(deps(mails, { hazards: failingRead }), at)).rejects.toThrow('DynamoDB unavailable');
    expect(mails.sent).toHaveLength(0);
    const leases = new DynamoRunLeases(store, lease);
    expect(await leases.get(localDay(at))).toMatchObject({ status: 'running', leaseUntil: 0 });
    const next = await run(deps(mails), at);
    expect(next.run).toBe('done');
    expect(mails.sent.length).toBeGreaterThan(8);
    expect([...mails.counts().values()].every((n) => n === 1)).toBe(true);
  });

  it('in Lambda, a day held by another run fails the invocation, so that the retry finishes it', async () => {
    const at = nextDay();
    const mails = new RecordingMailer();
    const leases = new DynamoRunLeases(store, lease);
    expect((await leases.acquire(localDay(at), 'a-run-that-may-have-died')).outcome).toBe('acquired');
    const lambda = makeHandler(deps(mails), { retryUnfinished: true });
    await expect(
      lambda({ scheduledTime: at.toISOString() }, localContext('daily-check')),
    ).rejects.toBeInstanceOf(DayUnfinishedError);
    // The CLI and the local scheduler are told, and succeed.
    expect((await run(deps(mails), at)).run).toBe('held');
    // Its lease runs out: Lambda's retry, a minute or two later, sends the day.
    lease.set(new Date(lease.now().getTime() + RUN_LEASE_MS + 1000).toISOString());
    const retried = await lambda({ scheduledTime: at.toISOString() }, localContext('daily-check'));
    expect(retried.run).toBe('done');
    expect(mails.sent.length).toBeGreaterThan(8);
    expect(mails.sent).toHaveLength(new Set(mails.sent.map(keyOf)).size);
  });

  it('counts a mail SES accepted as sent though DynamoDB failed to record it: the day is done, nothing resent', async () => {
    const at = nextDay();
    const mails = new RecordingMailer();
    // Every write that marks a mail sent fails, with its retries: the mails stay `sending`.
    const faults = faultyDynamo(
      ({ command, input }) =>
        /Update/.test(command) &&
        String((input.ExpressionAttributeValues as Record<string, unknown>)?.[':sent']) === 'sent' &&
        String(input.UpdateExpression).includes('messageId'),
    );
    const faulty = faults.store(app.adapters.env.TABLE_NAME);
    const first = await settle(
      run(deps(mails, { mailLog: new DynamoMailLog(faulty, lease), sendConcurrency: 1 }), at),
    );
    expect(faults.failed).toBeGreaterThan(0);
    expect(first.run).toBe('done');
    expect(first.mails.every((m) => m.outcome === 'sent' && m.error)).toBe(true);
    expect(app.logs.some((l) => /mail sent but not recorded/.test(l))).toBe(true);
    faults.rule = () => false;
    expect((await run(deps(mails), at)).run).toBe('already-done');
    expect(mails.sent.length).toBe(first.mails.length);
  });
});

describe('kill -9 in the middle of a check', () => {
  // Its own sender, so its mails are told apart in the shared mail viewer.
  const campaign9 = { ...campaign, mail: { ...campaign.mail, from: 'kill9@czedu.example' } };
  const clock = manualClock('2018-01-16T00:00:00Z');
  let app: TestApp;
  let dir: string;
  beforeAll(async () => {
    app = await testApp({ clock, units: UNITS, campaign: campaign9 });
    dir = await mkdtemp(join(tmpdir(), 'kill9-'));
  });
  afterAll(async () => {
    await app.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it('then a restart delivers every mail of the day; only the mails in doubt (one per lane) twice, each with its Message-ID', {
    timeout: 120_000,
  }, async () => {
    const at = checkAt('2018-01-16');
    const sendLog = join(dir, 'sends.jsonl');
    const root = new URL('../../', import.meta.url).pathname;
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/check-child.ts'], {
      cwd: root,
      env: {
        ...process.env,
        TABLE_NAME: app.adapters.env.TABLE_NAME,
        BUCKET_NAME: app.adapters.env.BUCKET_NAME,
        KILL_AT: '4',
        SEND_LOG: sendLog,
        SCHEDULED_TIME: at.toISOString(),
      },
      stdio: 'ignore',
    });
    const signal = await new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_, s) => resolve(s)),
    );
    expect(signal).toBe('SIGKILL');
    const childSends = (await readFile(sendLog, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { to: string[]; subject: string; messageId: string });
    expect(childSends).toHaveLength(4);

    const store = new DynamoStore(testClients().doc, app.adapters.env.TABLE_NAME);
    const lease = { now: () => new Date() };
    const later = { now: () => new Date(Date.now() + RUN_LEASE_MS + 1000) };
    const mails = new RecordingMailer();
    const rerun = (leaseClock: { now(): Date }) =>
      makeHandler({
        ...dailyCheckDeps(app.adapters, 'https://forms.example'),
        mailLog: new DynamoMailLog(store, leaseClock),
        runLeases: new DynamoRunLeases(store, leaseClock),
        mailer: new HookedMailer(app.adapters.mailer, (_, mail) => {
          void mails.send(mail);
        }),
      })({ scheduledTime: at.toISOString() }, localContext('daily-check'));
    // The dead run's lease still holds the day, for at most a minute...
    expect((await rerun(lease)).run).toBe('held');
    // ...after which the next run takes it and sends what was not recorded.
    const report = await rerun(later);
    expect(report.run).toBe('done');
    const inDoubt = report.inDoubt ?? 0;
    expect(inDoubt).toBeLessThanOrEqual(8);

    // What the mail viewer received from this campaign, by recipient and subject.
    const received = (
      (await (await fetch(`${inject('endpoints').sesv2}/store`)).json()) as {
        emails: { from: string; subject: string; destination: { to: string[] } }[];
      }
    ).emails.filter((m) => m.from.includes('kill9@'));
    const counts = new Map<string, number>();
    for (const m of received) {
      const key = `${m.destination.to.join(',')} ${m.subject}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    // Every mail of the day arrived; the ones twice are the ones in doubt, and no more.
    expect(counts.size).toBe(report.mails.length);
    const twice = [...counts].filter(([, n]) => n > 1);
    expect(twice.every(([, n]) => n === 2)).toBe(true);
    expect(twice.length).toBeLessThanOrEqual(inDoubt);
    // A mail sent twice carried the same Message-ID both times.
    for (const [key] of twice) {
      const first = childSends.find((m) => `${m.to.join(',')} ${m.subject}` === key);
      const again = mails.sent.find((m) => keyOf(m) === key);
      if (first) expect(again?.messageId).toBe(first.messageId);
    }
    console.info(`kill -9 after 4 sends: ${inDoubt} mail(s) in doubt resent, ${twice.length} arrived twice`);
  });
});
