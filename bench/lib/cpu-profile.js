'use strict';
// Summaries of a V8 .cpuprofile (written by `node --cpu-prof`): self time per function and per
// package, counting only the samples taken after `skipMs` (the start-up).

const path = require('node:path');

function location(url) {
  if (!url) return '';
  const file = url.replace(/^file:\/\//, '');
  const nm = file.lastIndexOf('node_modules/');
  if (nm >= 0) return file.slice(nm + 'node_modules/'.length);
  const dist = file.indexOf('/dist/');
  return dist >= 0 ? file.slice(dist + 1) : path.basename(file);
}

function packageOf(node) {
  const { url, functionName } = node.callFrame;
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node core';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(
    url.slice(url.lastIndexOf('node_modules/') >= 0 ? url.lastIndexOf('node_modules/') : 0),
  );
  if (m) return m[1];
  const d = /\/dist\/src\/([^/]+)/.exec(url);
  return d ? `service: src/${d[1]}` : location(url);
}

/** {totalMs, idleMs, functions: [{name, where, ms, pct}], packages: [{name, ms, pct}]} over busy time. */
function summarizeProfile(profile, { skipMs = 0, top = 20 } = {}) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map();
  let t = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    if (t < skipMs * 1000) continue;
    const dt = profile.timeDeltas[i + 1] ?? 0;
    selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + dt);
  }
  const byFunction = new Map();
  const byPackage = new Map();
  let idleUs = 0;
  let busyUs = 0;
  for (const [id, us] of selfUs) {
    const node = nodes.get(id);
    const name = node.callFrame.functionName || '(anonymous)';
    if (name === '(idle)') {
      idleUs += us;
      continue;
    }
    busyUs += us;
    const key = `${name}\t${location(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    const pkg = packageOf(node);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
  }
  const rank = (map) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([key, us]) => ({ key, ms: Math.round(us / 1000), pct: Math.round((1000 * us) / busyUs) / 10 }));
  return {
    busyMs: Math.round(busyUs / 1000),
    idleMs: Math.round(idleUs / 1000),
    functions: rank(byFunction).map(({ key, ms, pct }) => {
      const [name, where] = key.split('\t');
      return { name, where, ms, pct };
    }),
    packages: rank(byPackage).map(({ key, ms, pct }) => ({ name: key, ms, pct })),
  };
}

module.exports = { summarizeProfile };
