import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * `npm start` as a user runs it: its own embedded servers and a persistent data directory.
 * This is the one place a second DynamoDB Local starts during the test run.
 */
const root = new URL('../../', import.meta.url).pathname;

interface Started {
  child: ChildProcess;
  output: () => string;
}

function start(dataDir: string, ...more: string[]): Promise<Started> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'infra/local/start.ts', '--data', dataDir, '--port', '0', ...more],
    {
      cwd: root,
      env: { ...process.env, NODE_OPTIONS: '--openssl-legacy-provider' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready within 120 s:\n${output}`)), 120_000);
    const check = setInterval(() => {
      if (output.includes('Press Ctrl-C to stop.')) {
        clearInterval(check);
        clearTimeout(timer);
        resolve({ child, output: () => output });
      }
    }, 100);
    child.once('exit', (code) => {
      clearInterval(check);
      clearTimeout(timer);
      reject(new Error(`npm start exited with ${code}:\n${output}`));
    });
  });
}

function stop({ child }: Started): Promise<number | null> {
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGINT');
  });
}

function processesUsing(dataDir: string): string[] {
  return execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes(dataDir));
}

describe('npm start', () => {
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  afterAll(async () => {
    // Whatever a failed assertion left running goes down here; SIGTERM lets npm start stop its Java too.
    for (const child of children) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
    }
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it('serves the landing page and form links, keeps data across a restart, and leaves nothing behind', {
    timeout: 300_000,
  }, async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'npm-start-'));
    dirs.push(dataDir);

    const first = await start(dataDir);
    children.push(first.child);
    const url = /Landing page\s+(http:\/\/\S+)\//.exec(first.output())?.[1];
    const link = /LY-101\s+(http:\/\/\S+)/.exec(first.output())?.[1];
    expect(url).toBeDefined();
    // The simulated clock runs from the start of the process: a slow start may show 08:01.
    expect(first.output()).toMatch(/2018-01-10 08:0\d Asia\/Shanghai/);
    expect((await fetch(`${url}/`)).status).toBe(200);
    const page = await fetch(link as string);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('溧阳市燕山示例小学');

    // The clock starts at the daily check time: the day's digests reach the mail viewer.
    const viewer = /Mail viewer\s+(http:\/\/\S+?)\/?\s/.exec(first.output())?.[1] as string;
    const subjects = async () =>
      ((await (await fetch(`${viewer}/store`)).json()) as { emails: { subject: string }[] }).emails.map(
        (m) => m.subject,
      );
    await expect
      .poll(subjects, { timeout: 20_000 })
      .toContainEqual(expect.stringMatching(/全市每日汇总.*2018-01-10$/));

    // A check run by hand against the running system: 01-12 is 7 days before the plan is due.
    const check = (at: string) =>
      execFileSync(process.execPath, ['infra/cli/campaign.mjs', 'check', '--at', at, '--data', dataDir], {
        cwd: root,
        encoding: 'utf8',
      });
    expect(check('2018-01-12T08:00:00+08:00')).toMatch(/^2018-01-12: 发送 (\d+)，已发过 0，失败 0/);
    expect((await subjects()).filter((s) => s.startsWith('【提醒】')).length).toBeGreaterThan(40);
    // Again: the day is done, which is no failure (exit 0), in one line.
    expect(check('2018-01-12T08:00:00+08:00')).toMatch(/^2018-01-12: 当天的检查已完成.*already done/);
    expect(await stop(first)).toBe(0);
    expect(processesUsing(dataDir)).toEqual([]);

    const book = JSON.parse(await readFile(join(dataDir, 'links.json'), 'utf8')) as Record<string, string>;
    expect(link).toContain(book['LY-101']);

    const second = await start(dataDir);
    children.push(second.child);
    const again = /LY-101\s+(http:\/\/\S+)/.exec(second.output())?.[1] as string;
    expect(new URL(again).pathname).toBe(new URL(link as string).pathname);
    expect((await fetch(again)).status).toBe(200);
    // The mail viewer kept what it received before the restart.
    const viewer2 = /Mail viewer\s+(http:\/\/\S+?)\/?\s/.exec(second.output())?.[1] as string;
    const kept = ((await (await fetch(`${viewer2}/store`)).json()) as { emails: { subject: string }[] })
      .emails;
    expect(kept.filter((m) => m.subject.startsWith('【提醒】')).length).toBeGreaterThan(40);

    // DynamoDB Local killed under the running system: the watchdog brings it back, data and all.
    const java = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' })
      .split('\n')
      .find((line) => line.includes(dataDir) && line.includes('java'));
    process.kill(Number(java?.trim().split(/\s+/)[0]), 'SIGKILL');
    await expect.poll(() => second.output(), { timeout: 90_000 }).toMatch(/restarted on the same port/);
    expect((await fetch(again)).status).toBe(200);
    expect(await stop(second)).toBe(0);
    expect(processesUsing(dataDir)).toEqual([]);
  });

  it('delivers every mail of a day once, with no error logged, after Ctrl-C during the check and a restart', {
    timeout: 300_000,
  }, async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'npm-start-'));
    dirs.push(dataDir);
    // The check of 01-12 (about 55 mails) starts as the system does; Ctrl-C as soon as the first
    // mail is out, with no grace: the check stops between two mails and releases its day.
    const options = ['--clock', '2018-01-12T08:00:00+08:00', '--grace', '0'];
    const first = await start(dataDir, ...options);
    children.push(first.child);
    const viewerOf = (started: Started) =>
      /Mail viewer\s+(http:\/\/\S+?)\/?\s/.exec(started.output())?.[1] as string;
    const mails = async (viewer: string) =>
      (
        (await (await fetch(`${viewer}/store`)).json()) as {
          emails: { subject: string; destination: { to: string[] } }[];
        }
      ).emails;
    // The check reads the campaign and renders its first mail: seconds on a loaded machine.
    await expect
      .poll(async () => (await mails(viewerOf(first))).length, { interval: 20, timeout: 60_000 })
      .toBeGreaterThan(0);
    const before = (await mails(viewerOf(first))).length;
    expect(await stop(first)).toBe(0);

    const second = await start(dataDir, ...options);
    children.push(second.child);
    const check = () =>
      execFileSync(
        process.execPath,
        ['infra/cli/campaign.mjs', 'check', '--at', '2018-01-12T08:00:00+08:00', '--data', dataDir],
        { cwd: root, encoding: 'utf8' },
      );
    // The restart's catch-up finishes the day; a check by hand then finds it done.
    await expect.poll(check, { timeout: 60_000, interval: 1000 }).toMatch(/already done/);
    const all = await mails(viewerOf(second));
    const keys = all.map((m) => `${m.destination.to.join(',')} ${m.subject}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(all.filter((m) => m.subject.startsWith('【提醒】')).length).toBeGreaterThan(40);
    expect(all.filter((m) => m.subject.includes('每日汇总')).length).toBeGreaterThanOrEqual(4);
    expect(await stop(second)).toBe(0);
    const logs = first.output() + second.output();
    expect(logs).not.toMatch(/"level":"error"/);
    console.info(
      `Ctrl-C came after ${before} of ${all.length} mails${/between two mails/.test(logs) ? ', mid-check' : ''}`,
    );
  });
});
