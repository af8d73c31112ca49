#!/usr/bin/env node
'use strict';
// The figures of one sitting (bench/sitting.sh TAG) as the Markdown table in docs/performance.md:
// one column per target, µs of server CPU per delivery (server CPU / deliveries a second), p99, fills,
// storms and idle memory. Every run of a kind is listed, in the order it ran.
//   node bench/table.js TAG
const fs = require('fs');
const path = require('path');
const tag = process.argv[2];
if (!tag) { console.error('usage: node table.js TAG'); process.exit(2); }
const rows = fs.readFileSync(path.join(__dirname, 'results/results.jsonl'), 'utf8').split('\n').filter(Boolean)
  .map((l) => JSON.parse(l)).filter((r) => r.tag === tag);
const targets = [...new Set(rows.map((r) => r.target))];
const f1 = (x) => (x === null || x === undefined ? '–' : Number(x).toFixed(1));
const list = (xs) => (xs.length ? xs.join(', ') : '–');
const usPer = (r) => (r.server_cpu_pct && r.delivered_per_s ? (r.server_cpu_pct * 1e4) / r.delivered_per_s : null);
const fanout = (r, clubs, members) => r.mode === 'fixed' && r.clubs === clubs && r.members === members;
const kinds = [
  ['10×100 cold: µs per delivery', (rs) => list(rs.filter((r) => fanout(r, 10, 100) && !r.warm_runs).map((r) => f1(usPer(r))))],
  ['10×100 warm: µs per delivery', (rs) => list(rs.filter((r) => fanout(r, 10, 100) && r.warm_runs).map((r) => f1(usPer(r))))],
  ['10×100 warm: p99 / max ms', (rs) => list(rs.filter((r) => fanout(r, 10, 100) && r.warm_runs).map((r) => `${r.p99_ms} / ${r.max_ms}`))],
  ['10×100, every run: loss % / seq gaps', (rs) => list(rs.filter((r) => fanout(r, 10, 100)).map((r) => `${r.loss_pct} / ${r.seq_gaps}`))],
  ['1×1000 warm: µs per delivery', (rs) => list(rs.filter((r) => fanout(r, 1, 1000)).map((r) => f1(usPer(r))))],
  ['1×1000 warm: p99 ms', (rs) => list(rs.filter((r) => fanout(r, 1, 1000)).map((r) => r.p99_ms))],
  ['a club of 1000 filled, warm: s', (rs) => list(rs.filter((r) => r.mode === 'idle' && r.n === 1000 && r.clubs === 1).map((r) => (r.connect_ms / 1000).toFixed(2)))],
  ['storm of 1000, clean closes: s per round', (rs) => list(rs.filter((r) => r.mode === 'storm' && r.close === 'clean').flatMap((r) => r.rounds.map((x) => (x.refill_ms / 1000).toFixed(2))))],
  ['storm of 1000, TCP resets: s per round', (rs) => list(rs.filter((r) => r.mode === 'storm' && r.close === 'reset').flatMap((r) => r.rounds.map((x) => (x.refill_ms / 1000).toFixed(2))))],
  ['19,500 idle: KB per connection', (rs) => list(rs.filter((r) => r.mode === 'idle' && r.n === 19500).map((r) => f1(r.bytes_per_conn / 1000)))],
];
console.log(`| sitting \`${tag}\` | ${targets.join(' | ')} |`);
console.log(`| --- |${targets.map(() => ' --- |').join('')}`);
for (const [name, cell] of kinds) console.log(`| ${name} | ${targets.map((t) => cell(rows.filter((r) => r.target === t))).join(' | ')} |`);
