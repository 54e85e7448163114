// Drives the review console in the system's headless Chromium (playwright-core never downloads a browser).
// Usage: node review-console.mjs BASE_URL SCREENSHOT_DIR; credentials in MOD_USER/MOD_PASSWORD, VIEWER_USER/
// VIEWER_PASSWORD. Prints "CONFIRMED <key>" and "OVERTURNED <key>"; exits 1 with a message on the first failure.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [base, shots] = process.argv.slice(2);
const env = process.env;
const userDataDir = mkdtempSync(join(tmpdir(), 'clipstream-chromium-'));

function check(condition, message) {
  if (!condition) {
    throw new Error(message);
  }
}

const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  viewport: { width: 1200, height: 900 },
});
try {
  const page = context.pages()[0] ?? await context.newPage();

  async function login(user, password) {
    await page.goto(base + 'login');
    await page.fill('#user', user);
    await page.fill('#password', password);
    await Promise.all([page.waitForNavigation(), page.click('#login')]);
    check(new URL(page.url()).pathname === '/', `login as ${user} did not reach the queue: ${page.url()}`);
  }

  await login(env.MOD_USER, env.MOD_PASSWORD);
  // the label-set filter: only flags raised by the demo's label set (version 1), each with its score bars
  await page.selectOption('select[name=version]', '1');
  await Promise.all([page.waitForNavigation(), page.click('form.filters button')]);
  check(new URL(page.url()).searchParams.get('version') === '1', 'the version filter was not applied');
  const cards = page.locator('#queue .card');
  const metas = await cards.locator('p.meta', { hasText: 'label set' }).allTextContents();
  check(metas.length > 0 && metas.every(t => t.includes(' v1 ')), `filtered cards: ${metas}`);
  check(Number(await cards.nth(0).locator('.label .bar rect.score').getAttribute('width')) > 0,
    'no score-against-threshold bar');
  const count = await cards.count();
  check(count >= 2, `expected at least 2 flags in the queue, found ${count}`);
  const firstThumb = cards.nth(0).locator('.thumb');
  check(await firstThumb.evaluate(e => e.classList.contains('blurred')), 'the thumbnail is not blurred at first');
  check(await firstThumb.locator('img').evaluate(img => img.complete && img.naturalWidth > 0),
    'the thumbnail did not load');
  await page.keyboard.press('v');
  check(!(await firstThumb.evaluate(e => e.classList.contains('blurred'))), 'v did not reveal the thumbnail');
  await page.screenshot({ path: join(shots, 'review-queue.png') });

  const confirmed = await cards.nth(0).getAttribute('data-key');
  await Promise.all([page.waitForNavigation(), page.keyboard.press('y')]);
  const overturned = await page.locator('#queue .card').nth(0).getAttribute('data-key');
  check(overturned && overturned !== confirmed, 'the confirmed flag is still first in the queue');
  await Promise.all([page.waitForNavigation(), page.keyboard.press('n')]);
  const keys = await page.locator('#queue .card').evaluateAll(cs => cs.map(c => c.dataset.key));
  check(!keys.includes(confirmed) && !keys.includes(overturned), 'decided flags are still waiting');

  await page.goto(base + 'quality');
  const sum = async (cls) => (await page.locator(`#quality td.${cls}`).allTextContents())
    .reduce((a, t) => a + Number(t), 0);
  check(await sum('confirmed') === 1, `quality page: confirmed ${await sum('confirmed')}, expected 1`);
  check(await sum('overturned') === 1, `quality page: overturned ${await sum('overturned')}, expected 1`);
  check(await page.locator('#quality svg.chart').count() >= 1, 'no chart on the quality page');
  await page.screenshot({ path: join(shots, 'review-quality.png') });

  await Promise.all([page.waitForNavigation(), page.click('header form button')]);
  await login(env.VIEWER_USER, env.VIEWER_PASSWORD);
  check(await page.locator('form.decide').count() === 0, 'a viewer is offered decision buttons');
  // the page's own script cannot post (the CSP allows no fetch); post the viewer's form fields with its session
  const form = await page.evaluate(() => {
    const card = document.querySelector('#queue .card');
    return { csrf: document.querySelector('input[name=csrf]').value, event: card.dataset.event,
      policy: card.dataset.policy, decision: 'CONFIRMED', revision: '0' };
  });
  const status = (await page.request.post(base + 'decide', { form, maxRedirects: 0 })).status();
  check(status === 403, `a viewer's decision got ${status}, expected 403`);
  console.log(`CONFIRMED ${confirmed}`);
  console.log(`OVERTURNED ${overturned}`);
} catch (e) {
  console.error(`browser test failed: ${e.message}`);
  process.exitCode = 1;
} finally {
  await context.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
