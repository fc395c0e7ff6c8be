'use strict';
// Webhook drill (issue 22): three instances on one fresh PostgreSQL database, one webhook subscribed to
// lead.created on a receiver at 127.0.0.1:3510. 300 creates through a rotation are spread over the
// instances; the receiver is down for a part of the run (at least 3 s), and once it is back and
// deliveries flow, one instance is killed with SIGKILL (its claimed deliveries go to the others when
// their lease ends). Every lead in the database must have its lead.created event id received at least
// once, with a valid signature; duplicates (attempts whose outcome was lost) are counted and printed.
const { createHmac } = require('node:crypto');
const { createServer } = require('node:http');
const h = require('./lib/harness');

const PORTS = [3501, 3502, 3503];
const RECEIVER_PORT = 3510;
const CREATES = 300;
const CONCURRENCY = 20;
const SETTLE_TIMEOUT_MS = 45_000;
const ENV = {
  WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
  WEBHOOK_RETRY_BASE_MS: '200',
  WEBHOOK_TIMEOUT_MS: '2000',
  WEBHOOK_MAX_ATTEMPTS: '12',
};

/** The receiver: records each lead.created delivery; can be taken down (connections refused) and brought back. */
function receiver(secretOf) {
  const received = new Map(); // event id -> times received
  const bad = [];
  let server = null;
  const handler = (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(req.headers['leads-signature']));
      const expected = m && createHmac('sha256', secretOf()).update(`${m[1]}.${raw}`).digest('hex');
      const body = JSON.parse(raw);
      if (!m || expected !== m[2] || req.headers['leads-event-id'] !== body.id) bad.push(body.id);
      if (body.type === 'lead.created') received.set(body.id, (received.get(body.id) ?? 0) + 1);
      res.end('ok');
    });
  };
  return {
    received,
    bad,
    up: () =>
      new Promise((resolve, reject) => {
        server = createServer(handler);
        server.once('error', reject);
        server.listen(RECEIVER_PORT, '127.0.0.1', resolve);
      }),
    down: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function main() {
  const started = Date.now();
  const db = await h.createDatabase('leads_webhooks');
  const instances = [];
  const failures = [];
  const check = (ok, message) => {
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${message}`);
    if (!ok) failures.push(message);
  };
  let secret = '';
  const rx = receiver(() => secret);
  try {
    await rx.up();
    instances.push(...(await Promise.all(PORTS.map((port) => h.startInstance({ port, databaseUrl: db.url, env: ENV })))));
    const auth = await h.login(instances[0].base);
    await h.setupRotation(instances[0].base, auth.headers, 3, 'wh');
    const hook = await h.http(instances[0].base, 'POST', '/webhooks', {
      headers: auth.headers,
      body: { url: `http://127.0.0.1:${RECEIVER_PORT}/hook`, events: ['lead.created'] },
    });
    if (hook.status !== 201) throw new Error(`POST /webhooks: ${hook.status} ${JSON.stringify(hook.body)}`);
    secret = hook.body.secret;

    let killed = false;
    let receiverDown = false;
    let receiverBack = false;
    let downAt = 0;
    let markBack;
    const isBack = new Promise((resolve) => (markBack = resolve));
    const live = () => instances.filter((inst, i) => !(killed && i === 2));
    const acknowledged = [];
    let networkErrors = 0;
    const t0 = Date.now();
    await h.pool(CREATES, CONCURRENCY, async (i) => {
      if (i === 60 && !receiverDown) {
        receiverDown = true;
        downAt = Date.now();
        await rx.down();
        console.log(`     receiver down after ${i} creates (${Date.now() - t0} ms)`);
      }
      if (i === 160 && !receiverBack) {
        receiverBack = true;
        await h.sleep(Math.max(0, 3000 - (Date.now() - downAt)));
        await rx.up();
        markBack();
        console.log(`     receiver back up after ${i} creates (${Date.now() - t0} ms)`);
      }
      if (i === 220 && !killed) {
        // A second after the receiver is back: retries and new events are being posted.
        await isBack;
        await h.sleep(1000);
        killed = true;
        instances[2].child.kill('SIGKILL');
        console.log(`     instance on port ${PORTS[2]} killed with SIGKILL after ${i} creates (${Date.now() - t0} ms)`);
      }
      // A create whose instance died is sent again to a live one (its first try may have committed too:
      // the database, not the answers, is what the check below reads).
      for (let attempt = 0; attempt < 5; attempt++) {
        const targets = live();
        const inst = targets[(i + attempt) % targets.length];
        try {
          const r = await h.http(inst.base, 'POST', '/leads', {
            headers: auth.headers,
            body: { firstName: `W${i}`, lastName: 'Webhook' },
          });
          if (r.status === 201) return acknowledged.push(r.body.id);
          throw new Error(`POST /leads: ${r.status} ${JSON.stringify(r.body)}`);
        } catch (e) {
          if (!/fetch failed|ECONNREFUSED|ECONNRESET|socket|other side closed/i.test(String(e.message) + String(e.cause?.code))) throw e;
          networkErrors++;
        }
      }
      throw new Error(`create ${i} never succeeded`);
    });
    const createMs = Date.now() - t0;
    const lastCreateAt = Date.now();
    check(
      acknowledged.length === CREATES,
      `${acknowledged.length}/${CREATES} creates answered 201 in ${createMs} ms (${networkErrors} sent again after a network error)`,
    );

    const leads = await h.query(
      db.url,
      `SELECT l.id, (SELECT array_agg(DISTINCT d.event_id) FROM webhook_deliveries d WHERE d.lead_id = l.id AND d.event_type = 'lead.created') AS events
       FROM leads l WHERE l.last_name = 'Webhook'`,
    );
    const withoutEvent = leads.filter((l) => !l.events || l.events.length !== 1);
    check(
      withoutEvent.length === 0,
      `${leads.length} leads in the database, each with exactly one lead.created event in the outbox (${withoutEvent.length} without)`,
    );
    check(
      acknowledged.every((id) => leads.some((l) => l.id === id)),
      'every acknowledged lead is in the database',
    );

    const eventIds = leads.flatMap((l) => l.events ?? []);
    const deadline = Date.now() + SETTLE_TIMEOUT_MS;
    while (Date.now() < deadline && !eventIds.every((id) => rx.received.has(id))) await h.sleep(250);
    const missing = eventIds.filter((id) => !rx.received.has(id));
    const settleMs = Date.now() - lastCreateAt;
    check(
      missing.length === 0,
      `${eventIds.length - missing.length}/${eventIds.length} lead.created events arrived, the last ${settleMs} ms after the last create`,
    );
    const total = [...rx.received.values()].reduce((a, b) => a + b, 0);
    const duplicated = [...rx.received.values()].filter((n) => n > 1).length;
    console.log(`     duplicates: ${total - rx.received.size} extra deliveries of ${duplicated} events (${total} received in all)`);
    check(rx.bad.length === 0, `${rx.bad.length} deliveries with a missing or invalid signature`);

    await h.sleep(500);
    const statuses = await h.query(
      db.url,
      `SELECT status, count(*)::int AS n, max(attempts)::int AS max_attempts FROM webhook_deliveries GROUP BY status ORDER BY status`,
    );
    console.log(`     deliveries: ${statuses.map((s) => `${s.n} ${s.status} (at most ${s.max_attempts} attempts)`).join(', ')}`);
    check(!statuses.some((s) => s.status === 'failed'), 'no delivery failed');
    const violations = await h.invariantViolations(db.url);
    check(violations.length === 0, `invariants: ${violations.length ? violations.join('; ') : 'all hold'}`);
  } finally {
    await Promise.all(instances.map((inst) => h.stopInstance(inst)));
    await rx.down().catch(() => undefined);
    await h.dropDatabase(db.name);
  }
  console.log(
    `webhook drill: ${failures.length ? `${failures.length} FAILED` : 'passed'} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  if (failures.length) process.exit(1);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
