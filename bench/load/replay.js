// Times a re-join that replays a club's last N messages: one client sends N chats to a fresh club
// (acks awaited), then, RUNS times, a new client joins with `since` N back and is timed from its
// `join` to the last replayed chat. With a history size of 100 (the default) and a store, all but the
// newest 100 come from the store. Offers permessage-deflate, as browsers do.
//
//   node replay.js --url ws://127.0.0.1:8080/chat --messages 1000 --runs 5
'use strict';
const WebSocket = require('ws');

const opt = { url: 'ws://127.0.0.1:8080/chat', messages: 1000, runs: 5 };
for (let i = 2; i < process.argv.length; i += 2) opt[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
const MESSAGES = Number(opt.messages), RUNS = Number(opt.runs);
const CLUB = `replay-${Date.now().toString(36)}`;

function open(name) {
  const ws = new WebSocket(`${opt.url}?name=${encodeURIComponent(name)}`, { perMessageDeflate: true });
  const waiting = [];
  const frames = [];
  ws.on('message', (data) => {
    frames.push(JSON.parse(data));
    while (waiting.length && frames.length) waiting.shift()(frames.shift());
  });
  const next = () => new Promise((resolve, reject) => {
    if (frames.length) return resolve(frames.shift());
    const timer = setTimeout(() => reject(new Error('no frame within 10 s')), 10_000);
    waiting.push((frame) => { clearTimeout(timer); resolve(frame); });
  });
  const until = async (type) => { for (;;) { const f = await next(); if (f.type === type) return f; } };
  return new Promise((resolve, reject) => {
    ws.on('error', reject);
    ws.on('open', async () => { await until('welcome'); resolve({ ws, next, until }); });
  });
}

(async () => {
  const sender = await open('sender');
  sender.ws.send(JSON.stringify({ type: 'join', clubId: CLUB }));
  const { epoch } = await sender.until('joined');
  for (let i = 0; i < MESSAGES; i++) sender.ws.send(JSON.stringify({ type: 'chat', clubId: CLUB, message: `message ${i} — 메시지 🎉` }));
  let last = 0;
  for (let i = 0; i < MESSAGES; i++) last = (await sender.until('ack')).seq;
  const times = [];
  for (let run = 0; run < RUNS; run++) {
    const reader = await open(`reader${run}`);
    const start = process.hrtime.bigint();
    reader.ws.send(JSON.stringify({ type: 'join', clubId: CLUB, since: last - MESSAGES, epoch }));
    const joined = await reader.until('joined');
    let replayed = 0;
    while (replayed < MESSAGES) if ((await reader.next()).type === 'chat') replayed++;
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (joined.recovered !== true) throw new Error(`not recovered: ${JSON.stringify(joined)}`);
    reader.ws.close();
  }
  sender.ws.close();
  console.log(JSON.stringify({ club: CLUB, messages: MESSAGES, ms: times.map((t) => +t.toFixed(1)) }));
})().catch((e) => { console.error(e.message); process.exit(1); });
