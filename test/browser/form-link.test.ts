import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium } from '../support/chromium.ts';

/**
 * A school's form link in a real headless Chromium (Debian's, driven by playwright-core) at a
 * phone's 360-px width, against the running local system: the script path of the upload form.
 */
const system = inject('system');

describe('the form link in a browser', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
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
  it("shows storage's refusal of an altered form in both languages, and stores nothing", {
    timeout: 30_000,
  }, async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
    const page = await context.newPage();
    // A tampered answer from the API: the form now names another unit's key. The local S3's
    // front refuses it as S3 would (403 AccessDenied), and the script says so in place.
    await page.route('**/uploads', async (route) => {
      const answer = await route.fetch();
      const body = (await answer.json()) as { fields: Record<string, string> };
      body.fields.key = 'incoming/TN-105/00000000-0000-4000-8000-000000000000';
      await route.fulfill({ response: answer, json: body });
    });
    await page.goto(`${system.url}/f/${system.links['TN-104']}`);
    const form = page.locator('form[data-deliverable="implementation-plan"]');
    await form.locator('input[type=file]').setInputFiles({
      name: '实施方案.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.from('%PDF-1.4\nx\n'),
    });
    await form.locator('button[type=submit]').click();
    const error = form.locator('.error');
    await error.waitFor({ state: 'visible' });
    expect(await error.textContent()).toContain('上传表单与文件不符或已过期');
    expect(await error.textContent()).toContain('does not match the file or has expired');
    expect(page.url()).not.toContain('uploaded=');
    await context.close();
  });
});

describe('a major hazard in a browser', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(() => browser?.close());

  it('is reported with its five implementations and a photo, rectified, accepted by the bureau and closed out, with its history', {
    timeout: 90_000,
  }, async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'zh-CN' });
    const school = await context.newPage();
    const schoolUrl = `${system.url}/f/${system.links['TN-104']}`;
    await school.goto(schoolUrl);
    await school.click('text=上报隐患');
    await school.selectOption('select[name=area]', 'school-buildings');
    await school.selectOption('select[name=level]', 'major');
    await school.fill('input[name=title]', '风雨操场钢结构锈蚀');
    await school.fill('textarea[name=description]', '钢梁多处锈蚀，局部涂层脱落');
    await school.fill('input[name=location]', '风雨操场');
    await school.fill('input[name="five.owner.name"]', '赵某某');
    await school.fill('input[name="five.owner.role"]', '副校长');
    await school.fill('input[name="five.owner.phone"]', '0519-00000009');
    await school.fill('textarea[name="five.measures"]', '除锈、补刷防腐涂层，委托检测');
    await school.fill('input[name="five.funds.amountYuan"]', '48000');
    await school.fill('input[name="five.funds.source"]', '区教育局专项资金');
    await school.fill('input[name="five.deadline"]', '2018-02-28');
    await school.fill('textarea[name="five.contingency"]', '暂停使用并设置警戒线');
    await Promise.all([
      school.waitForURL(/\/hazards\/TN-104\/TN-104-H\d+$/),
      school.click('form.hazard button[type=submit]'),
    ]);
    const hazardUrl = school.url();
    expect(await school.locator('h1').textContent()).toBe('风雨操场钢结构锈蚀');
    expect(await school.locator('body').textContent()).toContain('挂牌督办');

    const photo = school.locator('form.photo[data-kind="before"]');
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
    await photo
      .locator('input[type=file]')
      .setInputFiles({ name: '锈蚀现场.png', mimeType: 'image/png', buffer: png });
    await Promise.all([school.waitForURL(/uploaded=photo/), photo.locator('button[type=submit]').click()]);
    for (let i = 0; i < 50 && (await school.locator('ul.photos li').count()) === 0; i += 1) {
      await school.waitForTimeout(200);
      await school.goto(hazardUrl);
    }
    expect(await school.locator('ul.photos li').first().textContent()).toContain('锈蚀现场.png');

    await Promise.all([
      school.waitForURL(hazardUrl),
      school.click('form.action button:has-text("开始整改")'),
    ]);
    await school.fill('form.action textarea[name=note]', '已除锈并补刷涂层，检测合格');
    await Promise.all([
      school.waitForURL(hazardUrl),
      school.click('form.action button:has-text("申请验收")'),
    ]);
    expect(await school.locator('body').textContent()).toContain('待验收');

    const bureau = await context.newPage();
    await bureau.goto(`${system.url}/f/${system.links['TN-000']}`);
    await bureau.click('#supervised >> text=风雨操场钢结构锈蚀');
    await Promise.all([
      bureau.waitForURL(/\/hazards\/TN-104\//),
      bureau.click('form.action button:has-text("验收通过（销号）")'),
    ]);
    expect(await bureau.locator('body').textContent()).toContain('已销号');
    expect(await bureau.locator('body').textContent()).toContain('摘牌销号');

    await school.goto(hazardUrl);
    const history = await school.locator('ol.history li strong').allTextContents();
    expect(history).toEqual(['登记隐患', '添加照片', '开始整改', '申请验收', '验收通过（销号）']);
    expect(await school.locator('ol.history').textContent()).toContain('天宁区教育局（示例）');
    expect(await school.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
    await school.screenshot({ path: join(tmpdir(), 'hazard-360.png'), fullPage: true });
    await context.close();
  });
});

describe("a school's filings seen by its district bureau in a browser", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(() => browser?.close());

  // LY-103 and LY-000: no other test on the shared system files for them (the load test counts its units' versions).
  it('finds the school by code on a phone, lists the filed version with its SHA-256, and opens the PDF inline', {
    timeout: 60_000,
  }, async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'zh-CN' });
    const school = await context.newPage();
    await school.goto(`${system.url}/f/${system.links['LY-103']}`);
    const plan = school.locator('form[data-deliverable="implementation-plan"]');
    const bytes = Buffer.from('%PDF-1.4\nsupervised\n');
    await plan
      .locator('input[type=file]')
      .setInputFiles({ name: '安全工作实施方案.pdf', mimeType: 'application/pdf', buffer: bytes });
    await Promise.all([
      school.waitForURL(/uploaded=implementation-plan/),
      plan.locator('button[type=submit]').click(),
    ]);

    const bureau = await context.newPage();
    await bureau.goto(`${system.url}/f/${system.links['LY-000']}`);
    await bureau.fill('#find-unit input[name=code]', 'ly-103');
    await Promise.all([
      bureau.waitForURL(/\/units\/LY-103$/),
      bureau.click('#find-unit button[type=submit]'),
    ]);
    const versions = bureau.locator('#implementation-plan .versions li');
    for (let i = 0; i < 50 && (await versions.count()) === 0; i += 1) {
      await bureau.waitForTimeout(200);
      await bureau.reload();
    }
    expect(await bureau.locator('h1').textContent()).toBe('溧阳市示例实验小学');
    expect(await versions.first().textContent()).toContain('安全工作实施方案.pdf');
    expect(await versions.first().locator('.sha256').textContent()).toMatch(/^SHA-256 [0-9a-f]{64}$/);
    expect(await bureau.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
    await bureau.screenshot({ path: join(tmpdir(), 'supervised-unit-360.png'), fullPage: true });

    // The link is a plain GET: followed, storage serves the unit's bytes, to be shown in place.
    const href = await versions.first().locator('a').getAttribute('href');
    const opened = await context.request.get(new URL(href ?? '', bureau.url()).toString());
    expect(opened.status()).toBe(200);
    expect(opened.headers()['content-disposition']).toMatch(/^inline/);
    expect(Buffer.from(await opened.body())).toEqual(bytes);
    await context.close();
  });
});
