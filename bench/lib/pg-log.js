'use strict';
// Reading back the statements the service sent, from the PostgreSQL server log, after
// `ALTER DATABASE … SET log_min_duration_statement = 0` on the scratch database. Lines look like
//   2026-01-01 10:00:00.000 UTC [123] postgres@leads_bench_1 LOG:  duration: 0.5 ms  execute <unnamed>: SELECT …
//   2026-01-01 10:00:00.000 UTC [123] postgres@leads_bench_1 DETAIL:  parameters: $1 = '1', $2 = 'f'

const { closeSync, openSync, readSync, statSync } = require('node:fs');

const DEFAULT_LOG = '/var/log/postgresql/postgresql-15-main.log';
const ENTRY = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? \S+ \[(\d+)\] (\S*)@(\S*) ([A-Z]+): {2}([\s\S]*)$/;
const STATEMENT = /^duration: ([\d.]+) ms {2}(?:execute [^:]*|statement): ([\s\S]*)$/;

function logSize(file) {
  try {
    return statSync(file).size;
  } catch {
    return null;
  }
}

/** The log's text from byte `from` to its current end (at most `maxBytes`). */
function readFrom(file, from, maxBytes = 512 * 1024 * 1024) {
  const size = Math.min(logSize(file) ?? 0, from + maxBytes);
  if (size <= from) return '';
  const buf = Buffer.alloc(size - from);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buf, 0, buf.length, from);
  } finally {
    closeSync(fd);
  }
  return buf.toString('utf8');
}

/** Executed statements of `database` in log order: {pid, ms, sql, params: {1: "'x'"}}. */
function parseStatements(text, database) {
  const out = [];
  const lastByPid = new Map();
  let current = null;
  const flush = () => {
    if (!current || current.db !== database) return;
    if (current.level === 'LOG') {
      const m = STATEMENT.exec(current.text);
      if (m) {
        const stmt = { pid: current.pid, ms: Number(m[1]), sql: m[2].trim(), params: {} };
        out.push(stmt);
        lastByPid.set(current.pid, stmt);
      } else lastByPid.delete(current.pid);
    } else if (current.level === 'DETAIL' && current.text.startsWith('parameters: ')) {
      const stmt = lastByPid.get(current.pid);
      if (stmt) for (const p of current.text.matchAll(/\$(\d+) = ('(?:[^']|'')*'|NULL)/g)) stmt.params[p[1]] = p[2];
    }
  };
  for (const line of text.split('\n')) {
    const m = ENTRY.exec(line);
    if (m) {
      flush();
      current = { pid: m[1], db: m[3], level: m[4], text: m[5] };
    } else if (current) current.text += `\n${line}`;
  }
  flush();
  return out;
}

/** The statement with its parameters written in as literals, for EXPLAIN. */
function inline(stmt) {
  return stmt.sql.replace(/\$(\d+)\b/g, (all, n) => stmt.params[n] ?? all);
}

/** Distinct statements (whitespace-normalized) with their count and mean/total duration, by total time. */
function aggregate(statements) {
  const map = new Map();
  for (const s of statements) {
    const key = s.sql.replace(/\s+/g, ' ');
    const e = map.get(key) ?? { sql: key, count: 0, totalMs: 0, maxMs: 0, sample: s };
    e.count++;
    e.totalMs += s.ms;
    if (s.ms > e.maxMs) {
      e.maxMs = s.ms;
      e.sample = s;
    }
    map.set(key, e);
  }
  return [...map.values()].map((e) => ({ ...e, meanMs: e.totalMs / e.count })).sort((a, b) => b.totalMs - a.totalMs);
}

/** The statements of the first complete transaction (START TRANSACTION … COMMIT) of one connection. */
function firstTransaction(statements) {
  const open = new Map();
  for (const s of statements) {
    const sql = s.sql.toUpperCase();
    if (sql.startsWith('START TRANSACTION') || sql === 'BEGIN') open.set(s.pid, [s]);
    else if (open.has(s.pid)) {
      open.get(s.pid).push(s);
      if (sql.startsWith('COMMIT')) return open.get(s.pid);
    }
  }
  return null;
}

module.exports = { DEFAULT_LOG, logSize, readFrom, parseStatements, inline, aggregate, firstTransaction };
