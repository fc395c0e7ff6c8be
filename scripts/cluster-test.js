'use strict';
// Three service instances on one PostgreSQL. Proves, across instances:
//  A. 90 concurrent creates through a rotation of 3 users give each user exactly 30 leads;
//  B. 1,000 creates at 50-way concurrency with Idempotency-Key, a fifth of them re-sent with the same
//     key to a different instance: exactly one lead per key, rotation counts differ by at most one,
//     every lead has exactly one lead_created entry;
//  C. 600 concurrent creates through a rotation weighted 3:2:1 give exactly 300/200/100;
//  D. with duplicateLeadPolicy reject, then return_existing: 20 concurrent creates of one new email,
//     spread over the three, give exactly one 201 (and 19 × 409, or 19 × 200 with the same id);
//  E. principals cached on all three: a key switched off, a membership deactivated, a member removed
//     and an admin demoted on one instance are refused by every instance within 100 ms of the revoking
//     response; with one instance's listening connection killed, that instance bypasses its cache
//     (its /health says so), revocation still acts at once everywhere, and its cache comes back.
// Also starts the three at once with the same bootstrap settings (one admin, one account).
const { Client } = require('pg');
const h = require('./lib/harness');

const PORTS = [3201, 3202, 3203];

const WITHIN_MS = 100;

/**
 * After the revoking response, asks every instance again and again until each refuses: the offset
 * (ms after the response) at which each instance's first refusal was sent, or null when it still
 * accepted after 1 s, and whether any request was accepted after a refusal.
 */
async function refusalTimes(instances, request) {
  const t0 = Date.now();
  return Promise.all(
    instances.map(async (inst) => {
      let refusedAt = null;
      let acceptedAfter = false;
      while (Date.now() - t0 < 1000) {
        const sent = Date.now() - t0;
        const r = await request(inst.base);
        if (r.status === 200) {
          if (refusedAt !== null) acceptedAfter = true;
        } else if (refusedAt === null) refusedAt = { ms: sent, status: r.status };
        if (refusedAt !== null && Date.now() - t0 > WITHIN_MS + 50) break;
      }
      return { refusedAt, acceptedAfter };
    }),
  );
}

async function health(base) {
  return (await h.http(base, 'GET', '/health')).body?.details?.principalCache ?? null;
}

async function waitForCache(base, state, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const p = await health(base);
    if (p && p.cache === state) return p;
    if (Date.now() > deadline) throw new Error(`${base}: principal cache still ${JSON.stringify(p)}`);
    await h.sleep(5);
  }
}

/** E. Revocation across instances with every instance's cache warm, then with one listener killed. */
async function phaseE(db, instances, auth, check) {
  const admin = auth.headers;
  const b0 = instances[0].base;
  const login = async (body) => {
    const r = await h.http(b0, 'POST', '/auth/login', { body });
    if (r.status !== 200) throw new Error(`login ${JSON.stringify(body.email ?? body.apiKey)}: ${r.status}`);
    return { authorization: `Bearer ${r.body.token}`, 'x-account-id': auth.accountId };
  };
  const member = async (tag, role) => {
    const email = `cache-${tag}-${Date.now()}@drill.example.com`;
    const password = 'cache-drill-password';
    const r = await h.http(b0, 'POST', '/users', { headers: admin, body: { email, role, password } });
    if (r.status !== 201) throw new Error(`POST /users: ${r.status} ${JSON.stringify(r.body)}`);
    return { id: r.body.id, headers: await login({ email, password }) };
  };
  const apiKey = async () => {
    const r = await h.http(b0, 'POST', '/apikeys', { headers: admin, body: { name: `cache ${Date.now()}`, permissions: ['readLeads'] } });
    if (r.status !== 201) throw new Error(`POST /apikeys: ${r.status} ${JSON.stringify(r.body)}`);
    return { id: r.body.id, headers: await login({ apiKey: r.body.apiKey, apiSecret: r.body.apiSecret }) };
  };
  const get = (headers, path) => (base) => h.http(base, 'GET', path, { headers });
  const warm = async (request) => {
    for (const inst of instances) for (let i = 0; i < 2; i++) await request(inst.base);
  };

  const cases = async () => {
    const key = await apiKey();
    const paused = await member('paused', 'user');
    const leaver = await member('leaver', 'user');
    const demoted = await member('demoted', 'admin');
    return [
      { name: 'key switched off', request: get(key.headers, '/leads'), revoke: ['PATCH', `/apikeys/${key.id}`, { active: false }] },
      {
        name: 'membership deactivated',
        request: get(paused.headers, '/leads'),
        revoke: ['PATCH', `/users/${paused.id}`, { active: false }],
      },
      { name: 'member removed', request: get(leaver.headers, '/leads'), revoke: ['DELETE', `/users/${leaver.id}`] },
      { name: 'admin demoted', request: get(demoted.headers, '/apikeys'), revoke: ['PATCH', `/users/${demoted.id}`, { role: 'user' }] },
    ];
  };

  const revokeAndTime = async (c, via, label) => {
    await warm(c.request);
    if (!label) {
      const states = await Promise.all(instances.map((i) => health(i.base)));
      check(
        states.every((p) => p && p.cache === 'on' && p.eviction === 'notify' && p.entries > 0),
        `phase E: ${c.name}: the principal is cached on every instance before (cache/entries ${states.map((p) => `${p?.cache}/${p?.entries}`).join(', ')})`,
      );
    }
    const [method, path, body] = c.revoke;
    const res = await h.http(instances[via].base, method, path, { headers: admin, body });
    if (res.status !== 200) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    const times = await refusalTimes(instances, c.request);
    const ok = times.every((t) => t.refusedAt !== null && t.refusedAt.ms <= WITHIN_MS && !t.acceptedAfter);
    const shown = times.map(
      (t, i) =>
        `${instances[i].port}: ${t.refusedAt ? `${t.refusedAt.status} at ${t.refusedAt.ms} ms` : 'never'}${t.acceptedAfter ? ' (then accepted)' : ''}`,
    );
    check(
      ok,
      `phase E${label}: ${c.name} on :${instances[via].port}, refused by every instance within ${WITHIN_MS} ms (${shown.join(', ')})`,
    );
  };

  const warmCases = await cases();
  for (const [i, c] of warmCases.entries()) await revokeAndTime(c, i % instances.length, '');

  // One instance's listening connection killed, and killed again each time it reconnects, while
  // the revocations are timed: the other two listeners are spared.
  const listeners = async () =>
    (
      await h.query(
        db.url,
        `SELECT pid FROM pg_stat_activity WHERE application_name = 'leads-api-listener' AND datname = current_database() ORDER BY pid`,
      )
    ).map((r) => r.pid);
  const [victim, ...spared] = await listeners();
  const killer = new Client({ connectionString: db.url });
  await killer.connect();
  let killing = true;
  const kill = () =>
    killer.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'leads-api-listener' AND datname = current_database() AND pid <> ALL($1::int[])`,
      [spared],
    );
  await killer.query('SELECT pg_terminate_backend($1)', [victim]);
  const loop = (async () => {
    while (killing) {
      await kill();
      await h.sleep(5);
    }
  })();
  let down = -1;
  const deadline = Date.now() + 5000;
  while (down < 0 && Date.now() < deadline) {
    const all = await Promise.all(instances.map((i) => health(i.base)));
    down = all.findIndex((p) => p && p.cache === 'bypassed');
    if (down < 0) await h.sleep(2);
  }
  check(
    down >= 0,
    `phase E: after pg_terminate_backend of a listener, ${down >= 0 ? `:${instances[down].port}` : 'no instance'} reports its cache bypassed in /health`,
  );
  if (down >= 0) {
    const killedCases = await cases();
    for (const [i, c] of killedCases.entries()) await revokeAndTime(c, (down + i) % instances.length, ' (one listener killed)');
    killing = false;
    await loop;
    await killer.end();
    const back = await waitForCache(instances[down].base, 'on').catch((e) => ({ error: e.message }));
    const again = await member('again', 'user');
    await warm(get(again.headers, '/leads'));
    const after = await health(instances[down].base);
    check(
      back.cache === 'on' && after.cache === 'on' && after.entries > 0,
      `phase E: :${instances[down].port} resubscribed and caches again (${JSON.stringify(after)})`,
    );
  } else {
    killing = false;
    await loop;
    await killer.end();
  }
}

async function main() {
  const started = Date.now();
  const db = await h.createDatabase('leads_cluster');
  const instances = [];
  const failures = [];
  const check = (ok, message) => {
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${message}`);
    if (!ok) failures.push(message);
  };
  try {
    instances.push(...(await Promise.all(PORTS.map((port) => h.startInstance({ port, databaseUrl: db.url })))));
    const [{ n: admins }] = await h.query(db.url, `SELECT count(*)::int AS n FROM users`);
    const [{ n: accounts }] = await h.query(db.url, `SELECT count(*)::int AS n FROM accounts`);
    check(admins === 1 && accounts === 1, `three instances bootstrapped concurrently: ${admins} user, ${accounts} account`);

    const base = (i) => instances[i % instances.length].base;
    const auth = await h.login(base(0));

    // A. Fairness across instances.
    const a = await h.setupRotation(base(0), auth.headers, 3, 'a');
    const resA = await Promise.all(
      Array.from({ length: 90 }, (_, i) =>
        h.http(base(i), 'POST', '/leads', { headers: auth.headers, body: { firstName: `A${i}`, lastName: 'Cluster' } }),
      ),
    );
    const badA = resA.filter((r) => r.status !== 201);
    check(
      badA.length === 0,
      `phase A: 90 creates over 3 instances, ${90 - badA.length} answered 201${badA[0] ? ` (first failure ${badA[0].status} ${JSON.stringify(badA[0].body)})` : ''}`,
    );
    const countsA = await h.query(
      db.url,
      `SELECT assigned_to, count(*)::int AS n FROM leads WHERE last_name = 'Cluster' GROUP BY assigned_to ORDER BY assigned_to`,
    );
    check(
      countsA.length === 3 && countsA.every((r) => r.n === 30 && a.emails.includes(r.assigned_to)),
      `phase A: per-user counts ${JSON.stringify(countsA.map((r) => r.n))} (expected 30 each)`,
    );

    // B. Idempotent creates with re-sends to another instance. The phase-A rotation is replaced.
    await h.http(base(0), 'PATCH', `/lead-rotations/${a.rotationId}/status`, { headers: auth.headers, body: { status: 'archived' } });
    const b = await h.setupRotation(base(0), auth.headers, 5, 'b');
    const N = 1000;
    const resendEvery = 5;
    const originals = new Map();
    const replays = [];
    let fivexx = 0;
    const sendWithRetry = async (instance, key, i) => {
      for (let attempt = 0; attempt < 50; attempt++) {
        const r = await h.http(base(instance), 'POST', '/leads', {
          headers: { ...auth.headers, 'idempotency-key': key },
          body: { firstName: `B${i}`, lastName: 'Idem', company: `c${i}` },
        });
        if (r.status >= 500) fivexx++;
        if (r.status !== 409 && r.status < 500) return r;
        await h.sleep(20 + attempt * 10);
      }
      throw new Error(`key ${key} never completed`);
    };
    const t0 = Date.now();
    await h.pool(N, 50, async (i) => {
      const key = `cluster-${i}`;
      const first = sendWithRetry(i, key, i);
      // A fifth are re-sent to the next instance: half of them while the first is in flight.
      const resend =
        i % resendEvery === 0
          ? (i % (2 * resendEvery) === 0 ? Promise.resolve() : first.then(() => undefined)).then(() => sendWithRetry(i + 1, key, i))
          : null;
      const r = await first;
      originals.set(key, r);
      if (resend) replays.push({ key, res: await resend });
    });
    const elapsedB = Date.now() - t0;
    const created = [...originals.values()].filter((r) => r.status === 201);
    check(created.length === N, `phase B: ${created.length}/${N} creates answered 201 in ${elapsedB} ms`);
    const sameId = replays.filter(({ key, res }) => res.status === 201 && res.body.id === originals.get(key).body.id);
    const flagged = replays.filter(({ res }) => res.headers.get('idempotent-replayed') === 'true').length;
    check(
      sameId.length === replays.length,
      `phase B: ${replays.length} re-sends, ${sameId.length} answered with the same lead (${flagged} flagged Idempotent-Replayed, the rest were the original)`,
    );
    const [{ n: leadsB }] = await h.query(db.url, `SELECT count(*)::int AS n FROM leads WHERE last_name = 'Idem'`);
    const duplicates = leadsB - N;
    check(duplicates === 0, `phase B: ${leadsB} leads for ${N} keys (duplicates: ${duplicates})`);
    const countsB = await h.query(
      db.url,
      `SELECT assigned_to, count(*)::int AS n FROM leads WHERE last_name = 'Idem' GROUP BY assigned_to`,
    );
    const ns = countsB.map((r) => r.n);
    check(
      countsB.length === 5 && Math.max(...ns) - Math.min(...ns) <= 1,
      `phase B: rotation counts ${JSON.stringify(ns)} differ by at most one`,
    );
    check(fivexx === 0, `phase B: ${fivexx} responses with a 5xx status`);

    // C. Weighted routing across instances (contract §7).
    await h.http(base(0), 'PATCH', `/lead-rotations/${b.rotationId}/status`, { headers: auth.headers, body: { status: 'archived' } });
    const c = await h.setupRotation(base(0), auth.headers, 3, 'c');
    const weights = { [c.emails[0]]: 3, [c.emails[1]]: 2, [c.emails[2]]: 1 };
    await h.http(base(0), 'PATCH', `/lead-rotations/${c.rotationId}`, { headers: auth.headers, body: { weights } });
    const resC = [];
    await h.pool(600, 50, async (i) => {
      resC.push(await h.http(base(i), 'POST', '/leads', { headers: auth.headers, body: { firstName: `C${i}`, lastName: 'Weighted' } }));
    });
    check(
      resC.filter((r) => r.status === 201).length === 600,
      `phase C: ${resC.filter((r) => r.status === 201).length}/600 weighted creates answered 201`,
    );
    const countsC = await h.query(
      db.url,
      `SELECT assigned_to, count(*)::int AS n FROM leads WHERE last_name = 'Weighted' GROUP BY assigned_to`,
    );
    const byEmail = Object.fromEntries(countsC.map((r) => [r.assigned_to, r.n]));
    check(
      byEmail[c.emails[0]] === 300 && byEmail[c.emails[1]] === 200 && byEmail[c.emails[2]] === 100 && countsC.length === 3,
      `phase C: weighted counts ${JSON.stringify(c.emails.map((e) => byEmail[e] ?? 0))} (expected [300,200,100])`,
    );
    // D. Duplicates across instances (contract §8).
    let leadsD = 0;
    for (const [policy, other] of [
      ['reject', 409],
      ['return_existing', 200],
    ]) {
      await h.http(base(0), 'PATCH', `/accounts/${auth.accountId}`, { headers: auth.headers, body: { duplicateLeadPolicy: policy } });
      // The other instances evict the account's cached principals on NOTIFY, within 100 ms (phase E).
      await h.sleep(100);
      const email = `race-${policy}@example.com`;
      const resD = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          h.http(base(i), 'POST', '/leads', { headers: auth.headers, body: { firstName: `D${i}`, lastName: 'Duplicate', email } }),
        ),
      );
      const created = resD.filter((r) => r.status === 201);
      const rest = resD.filter((r) => r.status !== 201);
      const id = created[0] && created[0].body.id;
      const sameAnswer = rest.filter((r) => r.status === other && (other === 409 ? r.body.details[0].leadId === id : r.body.id === id));
      const [{ n }] = await h.query(db.url, `SELECT count(*)::int AS n FROM leads WHERE lower(email) = $1`, [email]);
      leadsD += n;
      check(
        created.length === 1 && sameAnswer.length === 19 && n === 1,
        `phase D (${policy}): 20 concurrent creates of one email over 3 instances: ${created.length} × 201, ${sameAnswer.length} × ${other} naming it, ${n} lead stored`,
      );
    }
    await h.http(base(0), 'PATCH', `/accounts/${auth.accountId}`, { headers: auth.headers, body: { duplicateLeadPolicy: 'allow' } });

    await phaseE(db, instances, auth, check);

    const violations = await h.invariantViolations(db.url);
    check(
      violations.length === 0,
      `invariants: ${violations.length ? violations.join('; ') : 'every lead has one lead_created, pointers in range, no orphan idempotency record'}`,
    );
    console.log(
      `cluster: leads created ${90 + leadsB + 600 + leadsD}, duplicates ${duplicates}, 5xx ${fivexx}, phase B throughput ${Math.round((N / elapsedB) * 1000)} creates/s, total ${Math.round((Date.now() - started) / 1000)} s`,
    );
  } catch (e) {
    failures.push(String(e && e.stack ? e.stack : e));
    console.error(e);
    for (const inst of instances) console.error(inst.output.join('').slice(-2000));
  } finally {
    await Promise.all(instances.map((i) => h.stopInstance(i)));
    await h.dropDatabase(db.name);
  }
  console.log(`cluster: ${failures.length === 0 ? 'passed' : `${failures.length} check(s) failed`}`);
  process.exit(failures.length === 0 ? 0 : 1);
}

main();
