'use strict';
// Verdicts against the targets, the machine description, and the Markdown report.

const { readFileSync } = require('node:fs');
const os = require('node:os');
const { TARGETS } = require('./scenarios');
const { round } = require('./util');

function machineInfo() {
  let cpuModel = null;
  try {
    cpuModel = (/^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8')) ?? [])[1] ?? null;
  } catch {
    /* not Linux */
  }
  return {
    nproc: os.availableParallelism(),
    cpuModel: cpuModel ?? os.cpus()[0]?.model ?? null,
    memoryGb: round(os.totalmem() / 1024 ** 3, 1),
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    autocannon: require('autocannon/package.json').version,
    loadAverageAtStart: os.loadavg().map((n) => round(n, 2)),
  };
}

const check = (name, value, target, pass) => ({ name, value, target, pass: value === null ? null : pass });

/**
 * Ratios and checks for one scenario; `null` passes mean "not measured". `ceiling` (optional) is the
 * NestJS ceiling's run: `ratios.ceiling` = ceiling ÷ floor, the most any NestJS + Fastify service
 * can reach; a throughput target above it is marked `beyondCeiling`. `withSql` (optional) is NestJS
 * + the floor's SQL: `ratios.withSql` = its req/s ÷ the floor's, the most a NestJS service doing at
 * least the floor's SQL per request reaches; a throughput target above it, or a p99 target below its
 * p99 ratio, is marked `beyondStack` (with its ratio).
 */
function evaluate(scenario, service, baseline, ceiling = null, withSql = null) {
  const measured = (r) => r && !r.pending;
  const t = scenario.targets;
  const out = { ratios: { rps: null, p99: null, ceiling: null, withSql: null }, checks: [] };
  // Verdicts compare the unrounded ratio; one that rounds onto its target is shown with a third decimal.
  const shown = (raw, target) =>
    raw === null ? null : target !== undefined && round(raw, 2) === target && raw !== target ? round(raw, 3) : round(raw, 2);
  let rawRps = null;
  let rawP99 = null;
  if (measured(service) && measured(baseline)) {
    rawRps = baseline.rps > 0 ? service.rps / baseline.rps : null;
    rawP99 = baseline.p99 > 0 ? service.p99 / baseline.p99 : null;
    out.ratios.rps = shown(rawRps, t.rps);
    out.ratios.p99 = shown(rawP99, t.p99);
  }
  let rawWithSql = null;
  if (measured(ceiling) && measured(baseline) && baseline.rps > 0) out.ratios.ceiling = round(ceiling.rps / baseline.rps, 2);
  if (measured(withSql) && measured(baseline) && baseline.rps > 0) {
    rawWithSql = withSql.rps / baseline.rps;
    out.ratios.withSql = shown(rawWithSql, t.rps);
  }
  if (!measured(service)) return out;
  if (t.rps !== undefined) {
    const c = check('throughput ratio', out.ratios.rps, `≥ ${t.rps.toFixed(1)}×`, rawRps >= t.rps);
    if (out.ratios.ceiling !== null && out.ratios.ceiling < t.rps) c.beyondCeiling = true;
    else if (rawWithSql !== null && rawWithSql < t.rps) c.beyondStack = out.ratios.withSql;
    out.checks.push(c);
  }
  if (t.p99 !== undefined) {
    const c = check('p99 ratio', out.ratios.p99, `≤ ${t.p99.toFixed(1)}×`, rawP99 <= t.p99);
    const withSqlP99 = measured(withSql) && measured(baseline) && baseline.p99 > 0 ? withSql.p99 / baseline.p99 : null;
    if (withSqlP99 !== null && withSqlP99 > t.p99) c.beyondStack = shown(withSqlP99, t.p99);
    // Under the closed loop of the load, mean latency = connections ÷ throughput (Little's law): the p99
    // ratio is the inverted throughput ratio times the ratio of the tails (p99 ÷ mean). At the tails
    // measured, the target needs this throughput ratio.
    if (rawP99 !== null && baseline.rps > 0) c.neededRps = round((service.p99 * service.rps) / (baseline.p99 * baseline.rps * t.p99), 2);
    out.checks.push(c);
  }
  if (t.p99AbsMs !== undefined) {
    const c = check('p99', service.p99, `≤ ${t.p99AbsMs} ms`, service.p99 <= t.p99AbsMs);
    if (measured(withSql) && withSql.p99 > t.p99AbsMs) c.beyondStackMs = withSql.p99;
    out.checks.push(c);
  }
  out.checks.push(check('errors', service.errors, '= 0', service.errors === 0));
  out.checks.push(check('peak RSS', service.peakRssMb, `≤ ${TARGETS.maxRssMb} MB`, service.peakRssMb <= TARGETS.maxRssMb));
  return out;
}

const verdict = (pass) => (pass === null ? '' : pass ? 'PASS' : 'MISS');
const fmt = (n, digits = 0) =>
  n === null || n === undefined ? '–' : Number(n).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
/** Requests per second: one decimal below 10, where a whole number would hide the difference. */
const fmtRps = (n) => (n !== null && n !== undefined && n < 10 ? fmt(n, 1) : fmt(n));

/** A ratio as the table shows it: two decimals, three where `evaluate` kept a third. */
const ratio = (r) => (r === null ? '–' : `${fmt(r, Math.abs(r * 100 - Math.round(r * 100)) > 1e-9 ? 3 : 2)}×`);

function cell(checks, name, text, { showTarget = true } = {}) {
  const c = checks.find((x) => x.name === name);
  if (!c) return text;
  return `${text}${showTarget ? ` (${c.target})` : ''} ${c.pass === null ? 'n/a' : verdict(c.pass)}`;
}

/** PASS, MISS naming the checks missed, `pending` (service not measurable) or `incomplete` (a ratio without a floor number). */
function result(service, checks) {
  if (service.pending) return 'pending';
  const reason = (x) =>
    x.beyondCeiling
      ? `${x.name}: target above the NestJS ceiling`
      : x.beyondStack !== undefined
        ? `${x.name}: target beyond NestJS + the floor's SQL, ${ratio(x.beyondStack)}`
        : x.beyondStackMs !== undefined
          ? `${x.name}: target beyond NestJS + the floor's SQL, ${fmt(x.beyondStackMs)} ms`
          : x.neededRps !== undefined
            ? `${x.name}: at the tails measured it needs a throughput ratio of ${ratio(x.neededRps)}`
            : x.name;
  const failed = checks.filter((x) => x.pass === false).map(reason);
  if (failed.length) return `MISS (${failed.join(', ')})`;
  if (checks.some((x) => x.pass === null)) return 'incomplete';
  return checks.length ? 'PASS' : '–';
}

/** One Markdown row per scenario, then notes (pending scenarios, error samples, parallelism). */
function renderMarkdown(report) {
  const lines = [];
  lines.push(
    "| Scenario | Service req/s | Floor req/s | Throughput ratio | NestJS ceiling req/s (÷ floor) | NestJS + the floor's SQL req/s (÷ floor) | CPU ms per request: service / floor / ceiling / + SQL | Service p50 / p99 ms | Floor p50 / p99 ms | p99 ratio | Errors service / floor | Service peak RSS MB | Result |",
    '|---|---:|---:|---|---|---|---|---|---|---|---|---|---|',
  );
  const notes = [];
  for (const s of report.scenarios) {
    const svc = s.service ?? {};
    const base = s.baseline ?? {};
    const c = s.checks;
    if (svc.pending) notes.push(`- \`${s.id}\` service pending: ${svc.pending}`);
    if (base.pending) notes.push(`- \`${s.id}\` floor pending: ${base.pending}`);
    const top = s.ceiling ?? null;
    const withSql = s.nestWithFloorSql ?? null;
    if (top?.pending) notes.push(`- \`${s.id}\` NestJS ceiling pending: ${top.pending}`);
    if (withSql?.pending) notes.push(`- \`${s.id}\` NestJS + the floor's SQL pending: ${withSql.pending}`);
    for (const [who, r] of [
      ['service', svc],
      ['floor', base],
      ['NestJS ceiling', top ?? {}],
      ["NestJS + the floor's SQL", withSql ?? {}],
    ]) {
      if (r.errorSamples?.length) notes.push(`- \`${s.id}\` ${who} non-2xx, e.g. \`${r.errorSamples[0].replace(/`/g, "'")}\``);
    }
    const cells = [
      `\`${s.id}\` ${s.title}`,
      fmtRps(svc.rps),
      // A scenario measured against another shows that one's req/s, measured interleaved with it.
      s.reference && !s.reference.pending ? `${fmtRps(s.reference.rps)} (its reference)` : fmtRps(base.rps),
      cell(c, 'throughput ratio', ratio(s.ratios.rps)),
      top && !top.pending ? `${fmtRps(top.rps)} (${ratio(s.ratios.ceiling ?? null)})` : '–',
      withSql && !withSql.pending ? `${fmtRps(withSql.rps)} (${ratio(s.ratios.withSql ?? null)})` : '–',
      [svc, base, top ?? {}, withSql ?? {}].map((r) => fmt(r.cpuMsPerRequest, 2)).join(' / '),
      svc.pending ? 'pending' : cell(c, 'p99', `${fmt(svc.p50)} / ${fmt(svc.p99)}`),
      base.pending ? 'pending' : `${fmt(base.p50)} / ${fmt(base.p99)}`,
      cell(c, 'p99 ratio', ratio(s.ratios.p99)),
      cell(c, 'errors', `${fmt(svc.errors)} / ${fmt(base.errors)}`, { showTarget: false }),
      cell(c, 'peak RSS', fmt(svc.peakRssMb)),
      result(svc, c),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  const cs = report.coldStart;
  if (cs.sqlite) {
    lines.push('');
    for (const [label, key] of [
      ['empty database: migrations + bootstrap', 'firstMs'],
      ['seeded database', 'restartMs'],
    ]) {
      const ms = cs.sqlite[key];
      lines.push(
        `- Cold start on SQLite, spawn → first 200 from /health, ${label}: ${fmt(ms)} ms (≤ ${TARGETS.coldStartMs} ms) ${verdict(ms <= TARGETS.coldStartMs)}`,
      );
    }
  }
  if (cs.postgres)
    lines.push(`- Start on PostgreSQL (for information): ${fmt(cs.postgres.firstMs)} ms empty, ${fmt(cs.postgres.restartMs)} ms seeded`);
  if (report.parallelism) {
    const p = report.parallelism;
    lines.push(
      `- Creates spread over ${p.accounts} rotations vs one rotation: service ${fmt(p.service, 2)}× the single-rotation rate, floor ${fmt(p.baseline, 2)}×`,
    );
  }
  if (report.serviceMemory) {
    lines.push(
      `- Service VmHWM (whole run): ${Object.entries(report.serviceMemory)
        .map(([db, mb]) => `${db} ${fmt(mb)} MB`)
        .join(', ')}`,
    );
  }
  if (notes.length) lines.push('', ...notes);
  return lines.join('\n');
}

function renderMachine(report) {
  const m = report.machine;
  return [
    `- ${m.nproc} CPUs (${m.cpuModel}), ${m.memoryGb} GB RAM, ${m.kernel}`,
    `- Node ${m.node}, PostgreSQL ${report.versions.postgres ?? '–'}, SQLite ${report.versions.sqlite ?? '–'}, autocannon ${m.autocannon}`,
    `- ${report.settings.connections} connections, ${report.settings.warmup} s warm-up + ${report.settings.duration} s per run${(report.settings.slices ?? 1) > 1 ? ` (service and baselines interleaved in ${report.settings.slices} slices, each with its warm-up)` : ''}, pool ${report.settings.pool} (service and floor), load average at start ${m.loadAverageAtStart.join(' ')}`,
    ...Object.entries(report.seed).map(
      ([db, s]) =>
        `- Seed on ${db === 'postgres' ? 'PostgreSQL' : 'SQLite'}: ${fmt(s.leads)} leads${s.auditRows ? ' and their audit rows' : ''} in ${fmt(s.totalMs / 1000, 1)} s`,
    ),
  ].join('\n');
}

module.exports = { machineInfo, evaluate, renderMarkdown, renderMachine };
