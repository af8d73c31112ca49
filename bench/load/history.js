// Reads back a club's history at a steady rate and times each answer: one client fills a fresh club
// with SEED messages, then asks `history` (limit 50) RATE times a second for DURATION seconds, each
// with a `before` drawn from BEFORE_MIN..BEFORE_MAX (absent: the newest 50). Meant to run beside
// gen.js (docs/performance.md, "Reading back beside the load"), against a server whose rate limits are
// raised as bench/run.sh raises them (one connection asks far more than 20 a second). Offers
// permessage-deflate, as browsers do.
//
//   node history.js --url ws://127.0.0.1:8080/chat --seed 300 --rate 100 --duration 10 [--before-min 51 --before-max 200]
'use strict';
const WebSocket = require('ws');

const opt = { url: 'ws://127.0.0.1:8080/chat', seed: 300, rate: 100, duration: 10, delay: 0 };
for (let i = 2; i < process.argv.length; i += 2) opt[process.argv[i].replace(/^--/, '').replace(/-(\w)/g, (_, c) => c.toUpperCase())] = process.argv[i + 1];
const SEED = Number(opt.seed), RATE = Number(opt.rate), DURATION = Number(opt.duration), DELAY = Number(opt.delay);
const BEFORE_MIN = opt.beforeMin ? Number(opt.beforeMin) : null, BEFORE_MAX = Number(opt.beforeMax ?? opt.beforeMin);
const CLUB = `history-${Date.now().toString(36)}`;
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const ws = new WebSocket(`${opt.url}?name=reader`, { perMessageDeflate: true });
const waiting = new Map();
let acks = 0;
ws.on('message', (data) => {
  const frame = JSON.parse(data);
  if (frame.type === 'ack') acks++;
  const done = waiting.get(frame.id);
  if (done) { waiting.delete(frame.id); done(frame); }
});
const ask = (frame) => new Promise((resolve) => { waiting.set(frame.id, resolve); ws.send(JSON.stringify(frame)); });

ws.on('open', async () => {
  await ask({ type: 'join', clubId: CLUB, id: 'join' });
  for (let i = 0; i < SEED; i++) ws.send(JSON.stringify({ type: 'chat', clubId: CLUB, message: `seed ${i} — 메시지 🎉 ${'x'.repeat(60)}` }));
  while (acks < SEED) await pause(10);
  await pause(DELAY * 1000);
  const times = [];
  let errors = 0, sent = 0;
  const start = performance.now();
  const pending = [];
  while (performance.now() - start < DURATION * 1000) {
    const due = start + (sent * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await pause(wait);
    const request = { type: 'history', clubId: CLUB, limit: 50, id: `h${sent}` };
    if (BEFORE_MIN !== null) request.before = BEFORE_MIN + Math.floor(Math.random() * (BEFORE_MAX - BEFORE_MIN + 1));
    const asked = performance.now();
    sent++;
    pending.push(ask(request).then((frame) => {
      if (frame.type !== 'history' || frame.messages.length !== 50) errors++;
      times.push(performance.now() - asked);
    }));
  }
  await Promise.all(pending);
  times.sort((a, b) => a - b);
  const at = (p) => +times[Math.min(times.length - 1, Math.floor(p * times.length))].toFixed(2);
  console.log(JSON.stringify({ club: CLUB, rate: RATE, sent, answered: times.length, errors,
    p50_ms: at(0.5), p99_ms: at(0.99), max_ms: +times[times.length - 1].toFixed(2) }));
  ws.close();
});
ws.on('error', (e) => { console.error(e.message); process.exit(1); });
