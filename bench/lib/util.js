'use strict';
// Small helpers shared by the bench scripts: logging, bounded HTTP, and a cleanup registry that
// runs on success, on failure and on Ctrl-C so no child process or scratch database is left behind.

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let quiet = false;
/** Progress goes to stderr so `--json` leaves stdout with exactly one JSON object. */
function log(...parts) {
  if (!quiet) process.stderr.write(`[bench] ${parts.join(' ')}\n`);
}
log.setQuiet = (q) => {
  quiet = q;
};

/** One HTTP request to 127.0.0.1 with a hard timeout: {status, body, ms}; rejects on network error. */
async function http(base, method, path, { headers = {}, body, timeoutMs = 15000 } = {}) {
  const started = performance.now();
  const res = await fetch(base + path, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body !== undefined ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  let parsed = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON: keep the text */
  }
  return { status: res.status, body: parsed, ms: performance.now() - started };
}

/**
 * Cleanup actions, run last-registered-first. `run()` is idempotent. Child processes are also
 * SIGKILLed synchronously on `exit`, the last resort when an async cleanup could not finish.
 */
const actions = [];
const children = new Set();
let running = null;

function onCleanup(name, fn) {
  const entry = { name, fn };
  actions.push(entry);
  return () => {
    const i = actions.indexOf(entry);
    if (i >= 0) actions.splice(i, 1);
  };
}

function trackChild(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
}

function runCleanup() {
  running ??= (async () => {
    while (actions.length) {
      const { name, fn } = actions.pop();
      try {
        await Promise.race([fn(), sleep(30000).then(() => Promise.reject(new Error('timed out after 30 s')))]);
      } catch (e) {
        process.stderr.write(`[bench] cleanup "${name}" failed: ${e.message}\n`);
      }
    }
  })();
  return running;
}

process.on('exit', () => {
  for (const child of children) {
    try {
      child.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    process.stderr.write(`[bench] ${signal}: cleaning up\n`);
    runCleanup().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  });
}

const round = (n, digits = 1) => (n === null || n === undefined || Number.isNaN(n) ? null : Number(n.toFixed(digits)));

module.exports = { sleep, log, http, onCleanup, trackChild, runCleanup, round };
