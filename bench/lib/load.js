'use strict';
// One measurement: a preflight request (is the endpoint there at all?), a warm-up, then the measured
// autocannon run, with the target's memory sampled from /proc every 200 ms throughout.

const autocannon = require('autocannon');
const { readCpuMs, sampleRss } = require('./procs');
const { http, round, sleep } = require('./util');

/**
 * Waits until the target has worked off what the last run left queued (in-flight requests keep
 * running after autocannon disconnects): /health goes through the same database pool, FIFO, so
 * its 200 means the queue ahead of it is empty. Bounded by `maxMs`.
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
    const cpuMsPerRequest =
      cpuBefore !== null && cpuAfter !== null && r.requests.total > 0 ? round((cpuAfter - cpuBefore) / r.requests.total, 3) : null;
    return {
      // Successful responses per second: a 503 answered at once must not count as throughput.
      rps: round(r['2xx'] / r.duration, 1),
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
      cpuMsPerRequest,
    };
  } finally {
    rss.stop();
  }
}

module.exports = { measure };
