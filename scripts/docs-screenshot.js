'use strict';
// Takes docs/swagger-ui.png: a development start on a fresh SQLite database (so with the demo data),
// /docs in headless Chromium, authorized as the demo admin through the Authorize dialog, the tags
// listed, and POST /leads expanded and executed with its documented example ("Try it out").
// Not run by CI. Needs Debian's chromium (/usr/bin/chromium) and a build (`npm run build`).
// Usage: node scripts/docs-screenshot.js [output.png]
const { spawn } = require('node:child_process');
const { existsSync, mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');
const { chromium } = require('playwright-core');

const ROOT = resolve(__dirname, '..');
const OUT = resolve(process.argv[2] ?? join(ROOT, 'docs', 'swagger-ui.png'));
const PORT = 3398;
const BASE = `http://127.0.0.1:${PORT}`;
const CHROMIUM = '/usr/bin/chromium';
const DEMO = { email: 'admin@demo.local', password: 'demo-password' };

async function waitForHealth(deadline) {
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${BASE}/health`)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('the server did not become healthy in time');
}

async function main() {
  if (!existsSync(join(ROOT, 'dist/src/main.js'))) throw new Error('no build: run `npm run build` first');
  const work = mkdtempSync(join(tmpdir(), 'leads-docs-shot-'));
  const server = spawn(process.execPath, ['dist/src/main.js'], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'development', PORT: String(PORT), DATABASE_PATH: join(work, 'leads.sqlite'), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  let context;
  try {
    await waitForHealth(Date.now() + 30000);
    // The token is pasted into the Authorize dialog, as a reader does after trying POST /auth/login.
    const login = await fetch(`${BASE}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(DEMO),
    });
    if (!login.ok) throw new Error(`demo login answered ${login.status}`);
    const { token, primaryAccount } = await login.json();

    context = await chromium.launchPersistentContext(join(work, 'chromium-profile'), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 900 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`${BASE}/docs`, { waitUntil: 'networkidle' });
    await page.waitForSelector('#operations-Leads-Leads_create');

    await page.click('button.authorize');
    await page.fill('.auth-container input[type=text]', token);
    await page.click('.auth-container button.authorize');
    await page.click('.auth-btn-wrapper button.btn-done');

    // Every tag but Leads is collapsed, so the picture shows the list of tags and POST /leads.
    for (const tag of await page.$$eval('.opblock-tag', (els) => els.map((e) => e.getAttribute('data-tag')))) {
      if (tag !== 'Leads') await page.click(`.opblock-tag[data-tag="${tag}"]`);
    }
    await page.click('#operations-Leads-Leads_create .opblock-summary');
    const op = page.locator('#operations-Leads-Leads_create');
    await op.locator('button.try-out__btn').click();
    // Nothing is typed but the token: x-account-id and the body are the documented examples.
    const accountId = await op.locator('tr[data-param-name="x-account-id"] input').inputValue();
    if (accountId !== primaryAccount.accountId)
      throw new Error(`x-account-id starts as ${accountId}, the demo account is ${primaryAccount.accountId}`);
    await op.locator('button.execute').click();
    await op.locator('.live-responses-table tbody .response-col_status').first().waitFor();
    const status = (await op.locator('.live-responses-table tbody .response-col_status').first().innerText()).trim();
    if (!status.startsWith('201')) throw new Error(`POST /leads answered ${status} in Swagger UI`);
    // The picture is about finding and trying the operation: the long list of documented responses
    // (every status with its examples) and the Schemas section are left out of it, not out of /docs.
    await page.addStyleTag({ content: 'table.responses-table:not(.live-responses-table), section.models { display: none !important; }' });
    await page.screenshot({ path: OUT, fullPage: true });
    if (process.env.DOCS_SHOT_PARTS) {
      // Readable crops, for checking the picture at full size.
      const height = await page.evaluate('document.documentElement.scrollHeight');
      for (let y = 0, i = 0; y < height; y += 1400, i++)
        await page.screenshot({
          path: `${process.env.DOCS_SHOT_PARTS}-${i}.png`,
          fullPage: true,
          clip: { x: 0, y, width: 1280, height: Math.min(1400, height - y) },
        });
    }
    process.stdout.write(`wrote ${OUT} (POST /leads answered ${status})\n`);
  } finally {
    if (context) await context.close();
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`docs-screenshot: ${e.stack ?? e}\n`);
  process.exit(1);
});
