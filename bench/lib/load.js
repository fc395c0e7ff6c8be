'use strict';
// One measurement: a preflight request (is the endpoint there at all?), a warm-up, then the measured
// autocannon run, with the target's memory sampled from /proc every 200 ms throughout.

const autocannon = require('autocannon');
const { readCpuMs, sampleRss } = require('./procs');
const { http, round, sleep } = require('./util');

/**
 * Waits until the target has taken up what the last run left queued (in-flight requests keep
 * running after autocannon disconnects): /health goes through the same database pool, FIFO, so
 * its 200 means every request ahead of it has had its connection. Statements still running on the
 * others are not waited for here (measureInterleaved's `settle` does). Bounded by `maxMs`.
 */
async function drain(target, maxMs = 120000) {
  const deadline = Date.now() + maxMs;
  while (Date.now() < deadline) {
    const res = await http(target.base, 'GET', '/health', { timeoutMs: Math.max(1000, deadline - Date.now()) }).catch(() => null);
    if (res?.status === 200) return;
    await sleep(500);
  }
  throw new Error(`${target.name} did not drain within ${maxMs / 1000} s`);
}

function runAutocannon(opts) {
  return new Promise((resolve, reject) => {
    autocannon(opts, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

/**
 * `next()` yields {method, path, headers, body} for each request; the same generator drives the
 * preflight and every autocannon request (setupRequest), so each request can differ.
 */
function autocannonRequests(next, errorSamples) {
  return [
    {
      setupRequest: (req) => ({ ...req, ...next() }),
      onResponse: (status, body) => {
        if ((status < 200 || status > 299) && errorSamples.length < 3) errorSamples.push(`${status} ${String(body).slice(0, 300)}`);
      },
    },
  ];
}

/**
 * Measures `target` ({base, pid}) with requests from `makeNext()`. Returns the numbers, or
 * {pending} when the preflight request does not answer 2xx (endpoint not there yet, or broken).
 */
async function measure(target, makeNext, { connections, duration, warmup, timeout }) {
  const next = makeNext();
  const probe = next();
  const pre = await http(target.base, probe.method, probe.path, {
    headers: probe.headers,
    body: probe.body === undefined ? undefined : JSON.parse(probe.body),
    timeoutMs: timeout * 1000,
  }).catch((e) => ({ status: 0, body: e.message }));
  if (pre.status < 200 || pre.status > 299) {
    return {
      pending: `${probe.method} ${probe.path.split('?')[0]} answered ${pre.status || 'nothing'}: ${JSON.stringify(pre.body).slice(0, 200)}`,
    };
  }

  const rss = sampleRss(target.pid, 200);
  const common = { url: target.base, connections, timeout, renderProgressBar: false, renderResultsTable: false };
  try {
    if (warmup > 0) {
      await runAutocannon({ ...common, duration: warmup, requests: autocannonRequests(next, []) });
      await drain(target);
    }
    const errorSamples = [];
    const cpuBefore = readCpuMs(target.pid);
    const r = await runAutocannon({ ...common, duration, requests: autocannonRequests(next, errorSamples) });
    await drain(target);
    // The target's own CPU (user + system, its process only) per answered request, the drain's leftovers included.
    const cpuAfter = readCpuMs(target.pid);
    const cpuMs = cpuBefore !== null && cpuAfter !== null ? cpuAfter - cpuBefore : null;
    const cpuMsPerRequest = cpuMs !== null && r.requests.total > 0 ? round(cpuMs / r.requests.total, 3) : null;
    return {
      // Successful responses per second: a 503 answered at once must not count as throughput.
      rps: round(r['2xx'] / r.duration, 1),
      ok: r['2xx'],
      rpsAll: round(r.requests.total / r.duration, 1),
      total: r.requests.total,
      p50: r.latency.p50,
      p99: r.latency.p99,
      max: r.latency.max,
      errors: r.non2xx + r.errors,
      non2xx: r.non2xx,
      socketErrors: r.errors,
      timeouts: r.timeouts,
      statusCodes: Object.fromEntries(Object.entries(r.statusCodeStats).map(([code, s]) => [code, s.count])),
      errorSamples,
      durationS: r.duration,
      peakRssMb: round(rss.stop(), 1),
      cpuMs,
      cpuMsPerRequest,
    };
  } finally {
    rss.stop();
  }
}

/**
 * One result from the slices of a target's run: throughput and CPU over all of them, the latencies'
 * median p50 and worst p99 and max, errors and status codes summed, the highest RSS.
 */
function combine(slices) {
  const pending = slices.find((r) => r.pending);
  if (pending) return pending;
  if (slices.length === 1) return slices[0];
  const sum = (key) => slices.reduce((n, r) => n + r[key], 0);
  const most = (key) => Math.max(...slices.map((r) => r[key]));
  const p50s = slices.map((r) => r.p50).sort((a, b) => a - b);
  const mid = p50s.length / 2;
  const durationS = sum('durationS');
  const total = sum('total');
  const cpuMs = slices.every((r) => r.cpuMs !== null) ? sum('cpuMs') : null;
  const statusCodes = {};
  for (const r of slices) for (const [code, n] of Object.entries(r.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + n;
  return {
    rps: round(sum('ok') / durationS, 1),
    ok: sum('ok'),
    rpsAll: round(total / durationS, 1),
    total,
    p50: p50s.length % 2 ? p50s[Math.floor(mid)] : (p50s[mid - 1] + p50s[mid]) / 2,
    p99: most('p99'),
    max: most('max'),
    errors: sum('errors'),
    non2xx: sum('non2xx'),
    socketErrors: sum('socketErrors'),
    timeouts: sum('timeouts'),
    statusCodes,
    errorSamples: slices.flatMap((r) => r.errorSamples).slice(0, 3),
    durationS,
    peakRssMb: most('peakRssMb'),
    cpuMs,
    cpuMsPerRequest: cpuMs !== null && total > 0 ? round(cpuMs / total, 3) : null,
    slices: slices.length,
  };
}

/**
 * Measures several runs interleaved: `slices` of each ({target, makeNext, opts, before?}), each of
 * duration ÷ slices, the runs in turn, in reverse order every other slice (A B, B A, …); `before` is
 * awaited before each of its run's slices. The machine's speed drifts by a third or more within
 * minutes on a shared VM: measured one after the other, a service and its baseline can meet different
 * machines; interleaved, each sees the same mix of them. `settle`, if given, is awaited before every
 * slice (the database's leftovers of the slice before: see waitQuiet). Returns one combined result per
 * run (see combine), in the order given.
 */
async function measureInterleaved(runs, slices, settle) {
  const results = runs.map(() => []);
  const order = runs.map((_, i) => i);
  for (let k = 0; k < slices; k++) {
    for (const i of k % 2 ? [...order].reverse() : order) {
      const { target, makeNext, opts, before } = runs[i];
      if (settle) await settle();
      if (before) await before();
      const r = await measure(target, makeNext, { ...opts, duration: opts.duration / slices });
      results[i].push(r);
      if (r.pending) order.splice(order.indexOf(i), 1);
    }
  }
  return results.map(combine);
}

module.exports = { measure, measureInterleaved };
