// The web console in headless Chromium (Debian's /usr/bin/chromium, never a
// downloaded browser) driven by puppeteer-core, against a running `wharf
// serve` that tests/integration/console.sh set up. One browser for every
// step; each step is one scenario and prints one TAP line ("ok - ..." or
// "not ok - ..."); console.sh numbers them. A screenshot of each page
// (1366x768) goes to SHOTS/NAME.png.
//
// Usage: node console.test.mjs NODE_MODULES BASE_URL SHOTS_DIR PARAMS_JSON
import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';

const [nodeModules, base, shots, paramsJson] = process.argv.slice(2);
const P = JSON.parse(paramsJson);
const require = createRequire(nodeModules + '/');
const puppeteer = require('puppeteer-core');
mkdirSync(shots, { recursive: true });

const lines = [];
const say = (l) => { console.log(l); lines.push(l); };
const problems = [];     // CSP violations and page errors, over every step

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-dev-shm-usage'],
});

async function newPage() {
  const ctx = await browser.createBrowserContext();
  const page = await ctx.newPage();
  await page.setViewport({ width: 1366, height: 768 });
  // what a step waits for (a page drawn from serve's answers, a navigation): a
  // loaded machine (make check runs scripts side by side) can be many times
  // slower than the usual second; the waits end as soon as their condition holds
  page.setDefaultTimeout(30000);
  page.on('pageerror', (e) => problems.push('page error: ' + e.message));
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) problems.push('CSP: ' + m.text());
  });
  return page;
}

const shot = (page, name) => page.screenshot({ path: `${shots}/${name}.png` });
const text = (page, sel) => page.$eval(sel, (e) => e.textContent);
const go = async (page, hash, sel) => {
  await page.evaluate((h) => { location.hash = h; }, hash);
  if (sel) await page.waitForSelector(sel);
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// A fetch from inside the page (its cookie), for what the UI does not offer.
const fetchIn = (page, method, path, headers) => page.evaluate(async (m, p, h) => {
  const r = await fetch(p, { method: m, headers: h || {} });
  return { status: r.status, body: await r.text() };
}, method, path, headers);

async function login(page, name, pw) {
  await page.goto(base + '/console/', { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('#login-name');
  await page.type('#login-name', name);
  await page.type('#login-password', pw);
  await page.click('#login-form button[type=submit]');
}

function check(cond, what) { if (!cond) throw new Error(what); }

async function step(name, fn) {
  try {
    await fn();
    say(`ok - ${name}`);
  } catch (e) {
    say(`not ok - ${name}`);
    for (const l of String(e && e.stack || e).split('\n').slice(0, 6)) say('#   ' + l);
  }
}

const op = await newPage();

await step('browser: a wrong password is refused on the login page, the error shown', async () => {
  await login(op, P.operator, 'not-the-password');
  await op.waitForFunction(() => /wrong name or password/.test(document.querySelector('#login-message').textContent));
  await shot(op, 'login');
});

await step('browser: the operator logs in and Today renders (deadlines, states, charts)', async () => {
  await op.$eval('#login-name', (e) => { e.value = ''; });
  await op.type('#login-name', P.operator);
  await op.type('#login-password', P.operator_pw);
  await op.click('#login-form button[type=submit]');
  await op.waitForSelector('#order-states');
  await op.waitForSelector('#chart-per-day');
  const states = await text(op, '#order-states');
  check(/pending/.test(states), 'orders by state: ' + states);
  check(/operator/.test(await text(op, '#who-name')), 'who: ' + await text(op, '#who-name'));
  const bars = await op.$$eval('#chart-per-day rect', (r) => r.length);
  check(bars > 0, 'the per-day chart has no bars');
  await shot(op, 'today');
});

await step('browser: a reload keeps the session (GET /api/v1/session)', async () => {
  await op.reload({ waitUntil: 'domcontentloaded' });
  await op.waitForSelector('#order-states');
});

await step('browser: keyboard: the skip link is the first stop, its focus visible, and moves to the content', async () => {
  await op.reload({ waitUntil: 'domcontentloaded' });
  await op.waitForSelector('#order-states');
  const hash = await op.evaluate(() => location.hash);
  await op.keyboard.press('Tab');
  const f = await op.evaluate(() => ({ cls: document.activeElement.className, outline: getComputedStyle(document.activeElement).outlineStyle }));
  check(f.cls === 'skip' && f.outline === 'solid', 'first Tab: ' + JSON.stringify(f));
  await op.keyboard.press('Enter');
  const g = await op.evaluate(() => ({ id: document.activeElement.id, hash: location.hash }));
  check(g.id === 'main' && g.hash === hash, 'after Enter: ' + JSON.stringify(g) + ', was ' + hash);
});

await step('browser: orders list, search by a part of the PO', async () => {
  await go(op, '#/orders', '#orders');
  await op.type('#f-q', P.approve_po.slice(2, 6));
  await op.click('form[role=search] button[type=submit]');
  await op.waitForFunction((po) => {
    const t = document.querySelector('#orders');
    return t && t.tagName === 'TABLE' && t.querySelectorAll('tbody tr').length === 1 && t.textContent.includes(po);
  }, {}, P.approve_po);
  await go(op, '#/orders', '#orders');
  await shot(op, 'orders');
});

await step('browser: a refused decision shows the rule inline (409)', async () => {
  await go(op, `#/orders/${P.approve_partner}/${P.approve_po}`, '#decide-form');
  await op.type('#d-accept-1', '999');
  await op.click('#approve');
  await op.waitForSelector('#refusal');
  const r = await text(op, '#refusal');
  check(/refused: .*\[rule /.test(r), 'refusal: ' + r);
  await shot(op, 'order-refused');
});

await step('browser: approve an order, and see its 855 queued after the ack run', async () => {
  await op.$eval('#d-accept-1', (e) => { e.value = ''; });
  await op.click('#approve');
  await op.waitForSelector('#decided');
  // the daemon's ack run (WHARF_POLL_SECONDS) queues the 855; the page reads the order again
  await op.waitForFunction(() => /855 queued/.test((document.querySelector('#order-history') || {}).textContent || ''), { timeout: 60000 });
  check(/acknowledged/.test(await text(op, '#order-state')), 'state: ' + await text(op, '#order-state'));
  await op.waitForSelector('#order-acks');
  await shot(op, 'order');
});

await step('browser: documents list filtered to rejected', async () => {
  await go(op, '#/documents?state=rejected', '#documents');
  const t = await text(op, '#documents');
  check(t.includes('#' + P.bad_doc), 'rejected document missing: ' + t);
  await shot(op, 'documents');
});

await step('browser: a rejected document shows its finding marked at its segment and element', async () => {
  await go(op, '#/documents/' + P.bad_doc, '#raw');
  const row = await op.$eval('#seg-' + P.bad_segment, (tr) => ({ cls: tr.className, pos: tr.cells[0].textContent, text: tr.textContent, mark: (tr.querySelector('mark') || {}).title }));
  check(row.cls === 'hl', 'segment row not marked: ' + JSON.stringify(row));
  check(row.pos === String(P.bad_segment) && row.text.includes(P.bad_tag), 'row: ' + JSON.stringify(row));
  check(row.mark === P.bad_element, 'element mark: ' + JSON.stringify(row));
  const marked = await op.$$eval('table.edi tr.hl', (r) => r.length);
  check(marked === 1, marked + ' rows marked');
  check(/element-missing/.test(await text(op, '#findings')), 'findings list');
  await op.click('#findings a.finding-link');
  check(await op.evaluate((n) => document.activeElement.id === 'seg-' + n, P.bad_segment), 'the link does not focus the segment');
  // its file was accepted (the 997 refused this set): no reprocess offered, and why
  check(!(await op.$('button.reprocess')), 'a reprocess offered for a set rejected in an accepted file');
  check(/was archived: this set's rejection went to the partner/.test(await text(op, '#no-reprocess')), 'no word on why');
  await shot(op, 'document');
});

await step('browser: Runs & ERP lists the recent runs', async () => {
  await go(op, '#/runs', '#runs');
  check(/ack-run|poll/.test(await text(op, '#runs')), 'runs');
  await shot(op, 'runs');
});

await step('browser: reprocess a quarantined file after fixing the configuration', async () => {
  await go(op, '#/quarantine', '#quarantine');
  const t = await text(op, '#quarantine');
  check(t.includes(P.quarantined_name), 'quarantined file missing: ' + t);
  await shot(op, 'quarantine');
  const row = await op.$$eval('#quarantine tbody tr', (rows, name) => rows.findIndex((r) => r.textContent.includes(name)), P.quarantined_name);
  const buttons = await op.$$('#quarantine tbody tr:nth-child(' + (row + 1) + ') button.reprocess');
  check(buttons.length === 1, 'no Reprocess button');
  await buttons[0].click();
  await op.waitForFunction(() => /Reprocessed as file \d+: archived/.test(document.querySelector('.reprocess-result').textContent));
  await shot(op, 'quarantine-reprocessed');
});

await step('browser: run a map on a golden sample in the workbench', async () => {
  await go(op, '#/maps', 'h1');
  await op.waitForSelector('#map-form');
  await op.waitForFunction(() => document.querySelector('#m-input').value.length > 0);
  await op.click('#run-map');
  await op.waitForSelector('#map-verdict');
  const v = await text(op, '#map-verdict');
  check(/The map ran in \d+ ms: the output is the same as the expected file/.test(v), 'verdict: ' + v);
  check((await text(op, '#map-output')).length > 0, 'no output');
  await shot(op, 'maps');
  // the same input changed: a diff, coloured lines
  // the PO number (BEG03): it is in the canonical order, so the output differs
  await op.$eval('#m-input', (e) => { e.value = e.value.replace(/(BEG\*[^*]*\*[^*]*\*)(.)/, (m, a, c) => a + (c === 'Z' ? 'Y' : 'Z')); });
  await op.click('#run-map');
  await op.waitForFunction(() => /differs|failed/.test((document.querySelector('#map-verdict') || {}).textContent || ''));
  if (await op.$('#map-diff')) check(await op.$$eval('#map-diff .add, #map-diff .del', (s) => s.length) > 0, 'no coloured diff lines');
  await shot(op, 'maps-diff');
});

await step('browser: a CSRF-less POST from the page is refused (403)', async () => {
  const r = await fetchIn(op, 'POST', `/api/v1/orders/${P.approve_partner}/${P.approve_po}/approve`);
  check(r.status === 403 && /X-CSRF-Token is missing/.test(r.body), JSON.stringify(r));
});

await step('browser: logging out ends the session', async () => {
  await op.click('#logout');
  await op.waitForSelector('#login-form');
  const r = await fetchIn(op, 'GET', '/api/v1/status');
  check(r.status === 401, 'status after logout: ' + r.status);
});

const vw = await newPage();
await step('browser: a viewer sees no approve form, and a forced approve is refused (403)', async () => {
  await login(vw, P.viewer, P.viewer_pw);
  await vw.waitForSelector('#order-states');
  await go(vw, `#/orders/${P.pending_partner}/${P.pending_po}`, '#order-lines');
  check(!(await vw.$('#approve')) && !(await vw.$('#decide-form')), 'the viewer has an approve form');
  check(/Only operators/.test(await text(vw, '#viewer-note')), 'no note to the viewer');
  await shot(vw, 'order-viewer');
  const csrf = await vw.evaluate(async () => (await (await fetch('/api/v1/session')).json()).csrf);
  const r = await fetchIn(vw, 'POST', `/api/v1/orders/${P.pending_partner}/${P.pending_po}/approve`, { 'X-CSRF-Token': csrf });
  check(r.status === 403 && /only operators approve/.test(r.body), JSON.stringify(r));
});

await step('browser: a DF document\'s raw file is refused to a viewer, with the reason shown', async () => {
  await go(vw, '#/documents/' + P.df_doc, '#raw-refused');
  check(/operators only/.test(await text(vw, '#raw-refused')), await text(vw, '#raw-refused'));
});

await step('browser: no Content-Security-Policy violation and no script error on any page', async () => {
  check(problems.length === 0, problems.join('\n'));
});

await browser.close();
process.exit(0);
