import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

/**
 * A school's form link in a real headless Chromium (Debian's, driven by playwright-core) at a
 * phone's 360-px width, against the running local system: the script path of the upload form.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const system = inject('system');

describe('the form link in a browser', () => {
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`Chromium not found at ${CHROMIUM}; .ci/run installs Debian's chromium`);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  afterAll(() => browser?.close());

  it('opens on a phone, files a PDF, lists it by its Chinese name, and keeps both versions after a replacement', {
    timeout: 60_000,
  }, async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'zh-CN' });
    const page = await context.newPage();
    const url = `${system.url}/f/${system.links['TN-102']}`;
    await page.goto(url);
    expect(await page.locator('h1').textContent()).toBe('天宁区示例第二实验中学');

    const plan = page.locator('form[data-deliverable="implementation-plan"]');
    const upload = async (name: string, text: string) => {
      await plan
        .locator('input[type=file]')
        .setInputFiles({ name, mimeType: 'application/pdf', buffer: Buffer.from(`%PDF-1.4\n${text}\n`) });
      await Promise.all([
        page.waitForURL(/uploaded=implementation-plan/),
        plan.locator('button[type=submit]').click(),
      ]);
      expect(await page.locator('.notice').textContent()).toContain('文件已上传');
    };
    const listed = async (count: number) => {
      for (let i = 0; i < 50; i += 1) {
        await page.goto(url);
        if ((await page.locator('#implementation-plan .versions li').count()) === count) return;
        await page.waitForTimeout(200);
      }
      throw new Error(`never saw ${count} version(s)`);
    };

    await upload('实施方案.pdf', 'first');
    await listed(1);
    expect(await page.locator('#implementation-plan .versions li').first().textContent()).toContain(
      '实施方案.pdf',
    );
    expect(await page.locator('#implementation-plan .tag').textContent()).toBe('已按时报送');

    await upload('实施方案（修订稿）.pdf', 'second');
    await listed(2);
    const versions = page.locator('#implementation-plan .versions li');
    expect(await versions.nth(0).textContent()).toContain('实施方案（修订稿）.pdf');
    expect(await versions.nth(0).textContent()).toContain('第 2 版（当前）');
    expect(await versions.nth(1).textContent()).toContain('实施方案.pdf');
    expect(await versions.nth(1).textContent()).toContain('第 1 版');

    // Nothing runs off a 360-px screen.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
    await page.screenshot({ path: join(tmpdir(), 'form-link-360.png'), fullPage: true });
    await context.close();
  });

  it('shows a bad file choice as an error in place, without uploading', { timeout: 30_000 }, async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
    const page = await context.newPage();
    await page.goto(`${system.url}/f/${system.links['TN-103']}`);
    const form = page.locator('form[data-deliverable="work-summary"]');
    await form
      .locator('input[type=file]')
      .setInputFiles({ name: 'setup.pdf.exe', mimeType: 'application/pdf', buffer: Buffer.from('MZ') });
    await form.locator('button[type=submit]').click();
    const error = form.locator('.error');
    await error.waitFor({ state: 'visible' });
    expect(await error.textContent()).toContain('不接受 .exe 文件');
    expect(await error.textContent()).toContain('.exe files are not accepted');
    expect(page.url()).not.toContain('uploaded=');
    await context.close();
  });
});
