// The folder-level import graph of electron/: which top-level folder imports which, and any cycle.
//   node scripts/folder-graph.mjs [--json | --check]   (--check: print only cycles)
// Exits 1 when the folders import each other in a cycle (npm run lint runs it). ESLint's
// per-folder rules (eslint.config.js, LAYERS) keep each import pointing down the layer order;
// this check sees the whole graph at once, independently of how those rules are written.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'electron');
/** The folder a file belongs to: its first path segment under electron/, or "(root)" for top-level files. */
const folderOf = (file) => {
  const rel = path.relative(root, file).split(path.sep);
  return rel.length > 1 ? rel[0] : '(root)';
};

function* tsFiles(dir) {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) yield* tsFiles(full);
    else if (name.endsWith('.ts')) yield full;
  }
}

const edges = new Map(); // folder → Map(folder → example "file → import")
const IMPORT =
  /^\s*(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'|^\s*import\s+'(\.[^']+)'|import\(\s*'(\.[^']+)'\s*\)|new URL\('(\.[^']+)'/gm;
for (const file of tsFiles(root)) {
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2] ?? m[3] ?? m[4];
    const target = path.resolve(path.dirname(file), spec);
    if (!target.startsWith(root + path.sep)) continue;
    const from = folderOf(file);
    const to = folderOf(target);
    if (from === to) continue;
    if (!edges.has(from)) edges.set(from, new Map());
    if (!edges.get(from).has(to)) edges.get(from).set(to, `${path.relative(root, file)} → ${spec}`);
  }
}

// Cycles: every strongly connected component with more than one folder (Tarjan).
const index = new Map();
const low = new Map();
const stack = [];
const on = new Set();
const cycles = [];
let counter = 0;
function visit(v) {
  index.set(v, counter);
  low.set(v, counter++);
  stack.push(v);
  on.add(v);
  for (const w of edges.get(v)?.keys() ?? []) {
    if (!index.has(w)) {
      visit(w);
      low.set(v, Math.min(low.get(v), low.get(w)));
    } else if (on.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
  }
  if (low.get(v) === index.get(v)) {
    const component = [];
    let w;
    do {
      w = stack.pop();
      on.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1) cycles.push(component.sort());
  }
}
const folders = [...new Set([...edges.keys(), ...[...edges.values()].flatMap((m) => [...m.keys()])])].sort();
for (const f of folders) if (!index.has(f)) visit(f);

if (process.argv.includes('--json')) {
  const graph = Object.fromEntries([...edges].map(([f, m]) => [f, Object.fromEntries(m)]));
  console.log(JSON.stringify({ graph, cycles }, null, 2));
} else {
  if (!process.argv.includes('--check'))
    for (const [from, to] of [...edges].sort()) console.log(`${from} → ${[...to.keys()].sort().join(', ')}`);
  for (const c of cycles) {
    console.error(`folder cycle: ${c.join(' ⇄ ')}`);
    for (const a of c) for (const [b, example] of edges.get(a) ?? []) if (c.includes(b)) console.error(`  ${example}`);
  }
}
process.exitCode = cycles.length ? 1 : 0;
