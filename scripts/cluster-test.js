'use strict';
// Three service instances on one PostgreSQL. Proves, across instances:
//  A. 90 concurrent creates through a rotation of 3 users give each user exactly 30 leads;
//  B. 1,000 creates at 50-way concurrency with Idempotency-Key, a fifth of them re-sent with the same
//     key to a different instance: exactly one lead per key, rotation counts differ by at most one,
//     every lead has exactly one lead_created entry;
//  C. 600 concurrent creates through a rotation weighted 3:2:1 give exactly 300/200/100;
//  D. with duplicateLeadPolicy reject, then return_existing: 20 concurrent creates of one new email,
//     spread over the three, give exactly one 201 (and 19 × 409, or 19 × 200 with the same id).
// Also starts the three at once with the same bootstrap settings (one admin, one account).
const h = require('./lib/harness');

const PORTS = [3201, 3202, 3203];

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
