import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium } from '../support/chromium.ts';

/**
 * WCAG 2.1 AA (issue 13): the school's page, its hazard form and the supervisors' workspace,
 * checked by axe-core in headless Chromium, in Chinese and English, at a phone's 360 px and a
 * desk's 1280 px; no serious or critical violation. And one school in WeChat's in-app browser.
 * The checks only read (JT-101's and JT-000's pages); the WeChat test reports a hazard for LY-104,
 * which no other test on the shared system uses (a school's first mail is its own test's business).
 */
const system = inject('system');
/** Where the browser tests leave their screenshots (the README shows copies in docs/screenshots/). */
const SHOTS = join(process.cwd(), '.data', 'screenshots');
const WCAG_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
/** WeChat's in-app browser on Android, as it announces itself. */
const WECHAT_UA =
  'Mozilla/5.0 (Linux; Android 13; V2183A Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) ' +
  'Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 MMWEBID/2585 ' +
  'MicroMessenger/8.0.47.2560(0x28002F30) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64';

/** Serious and critical violations on the page as it stands, one line each, for a readable failure. */
async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(WCAG_AA).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

describe('accessibility and phones', () => {
  let browser: Browser;
  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    browser = await launchChromium();
  });
  afterAll(() => browser?.close());

  for (const width of [360, 1280]) {
    for (const lang of ['zh', 'en'] as const) {
      it(`has no serious WCAG 2.1 AA violation at ${width} px in ${lang}`, { timeout: 90_000 }, async () => {
        // axe runs as an injected script, which the pages' CSP (script-src 'self') would refuse.
        const context: BrowserContext = await browser.newContext({
          viewport: { width, height: 800 },
          locale: lang === 'zh' ? 'zh-CN' : 'en-US',
          bypassCSP: true,
        });
        const page = await context.newPage();
        const q = lang === 'en' ? '?lang=en' : '';
        const school = `${system.url}/f/${system.links['JT-101']}`;
        const pages = [
          `${system.url}/${q}`,
          `${school}${q}`,
          `${school}/hazards/new${q}`,
          `${system.url}/f/${system.links['JT-000']}${q}`,
        ];
        const found: string[] = [];
        for (const url of pages) {
          await page.goto(url);
          for (const v of await seriousViolations(page))
            found.push(`${new URL(url).pathname.slice(0, 12)}…: ${v}`);
        }
        // The workspace, entered from the bureau's link (the session cookie carries on): a unit's
        // page, then the office's dashboard through its own link.
        await page.goto(`${system.url}/f/${system.links['JT-000']}/units/JT-101${q}`);
        await page.waitForURL(/\/w\/units\/JT-101/);
        for (const v of await seriousViolations(page)) found.push(`/w/units/JT-101: ${v}`);
        await page.goto(
          `${system.url}/f/${system.links['CITY-000']}/workspace${lang === 'en' ? '?next=%2Fw%3Flang%3Den' : ''}`,
        );
        await page.waitForURL(/\/w(\?lang=en)?$/);
        expect(await page.locator('#progress-table').count()).toBe(1);
        for (const v of await seriousViolations(page)) found.push(`/w: ${v}`);
        expect(found).toEqual([]);
        await page.screenshot({
          path: join(SHOTS, `dashboard-${width}-${lang}.png`),
          fullPage: false,
        });
        await context.close();
      });
    }
  }

  it('works in WeChat’s in-app browser on a phone: a school reports a hazard and sees it listed', {
    timeout: 60_000,
  }, async () => {
    const context = await browser.newContext({
      viewport: { width: 360, height: 640 },
      userAgent: WECHAT_UA,
      locale: 'zh-CN',
      isMobile: true,
      hasTouch: true,
    });
    const page = await context.newPage();
    const school = `${system.url}/f/${system.links['LY-104']}`;
    await page.goto(school);
    expect(await page.locator('h1').textContent()).toContain('示例');
    await page.goto(`${school}/hazards/new`);
    await page.selectOption('select[name=area]', 'fire-safety');
    await page.fill('input[name=title]', '微信内上报：灭火器过期');
    await page.fill('textarea[name=description]', '三楼走廊两具灭火器压力不足');
    await page.fill('input[name=location]', '教学楼三楼');
    await page.selectOption('select[name=fixedOnSpot]', 'yes');
    await page.fill('textarea[name=fixNote]', '已当场更换两具灭火器');
    await Promise.all([
      page.waitForURL(/\/hazards\/LY-104\/LY-104-H\d+$/),
      page.click('form.hazard button[type=submit]'),
    ]);
    expect(await page.locator('main').textContent()).toContain('微信内上报：灭火器过期');
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
    await page.screenshot({ path: join(SHOTS, 'wechat-hazard-360.png'), fullPage: true });
    await context.close();
  });
});
