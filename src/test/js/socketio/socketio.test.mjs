// club-chat's socket.io side against real servers, with the real socket.io client (pinned in
// package.json) as the gateway's apps use it. Run by SocketIoIT (the launcher) and by the container
// checks (the WAR), which start the servers and pass:
//   BASE        the server's http://host:port, SIO_PATH its socket.io path (default /socket.io/),
//   NATIVE_URL  its native endpoint (ws://…/chat), MAX_PAYLOAD its frame limit;
// and where they started them:
//   TOKEN_BASE with TOKEN_SECRET  a token-mode server,
//   OTHER_BASE                    a second node sharing BASE's clubs through Redis,
//   PING_BASE                     a server with 300 ms pings and a 200 ms ping timeout,
//   REFUSED_ORIGIN                an origin BASE's allow-list refuses,
//   SMALL_BASE with SMALL_KEY     a server for 2 connections whose operations API key is SMALL_KEY.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { io } from 'socket.io-client';

const BASE = process.env.BASE;
const PATH = process.env.SIO_PATH || '/socket.io/';
const NATIVE_URL = process.env.NATIVE_URL;
const MAX_PAYLOAD = Number(process.env.MAX_PAYLOAD || 65536);
const { TOKEN_BASE, TOKEN_SECRET, OTHER_BASE, PING_BASE, REFUSED_ORIGIN, SMALL_BASE, SMALL_KEY } = process.env;
const sockets = [];
after(() => sockets.forEach((socket) => socket.close()));

/** A socket.io client as an app makes one; fast reconnection so that the tests need not wait. */
function connect(options = {}, base = BASE) {
  const socket = io(base, { path: PATH, reconnectionDelay: 100, reconnectionDelayMax: 300, ...options });
  sockets.push(socket);
  return socket;
}

function club() {
  return `sio-${randomUUID().slice(0, 8)}`;
}

/** Resolves with the arguments of the next such event that matches, or fails after a timeout. */
function next(socket, event, matches = () => true, timeoutMs = 10_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, listener);
      reject(new Error(`no ${event} within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (...args) => {
      if (!matches(...args)) return;
      clearTimeout(timer);
      socket.off(event, listener);
      resolve(args);
    };
    socket.on(event, listener);
  });
}

async function connected(socket) {
  if (!socket.connected) await next(socket, 'connect');
  return socket;
}

/** Collects the chat events a socket receives, as [message, meta]. */
function chats(socket) {
  const seen = [];
  socket.on('chat', (message, meta) => seen.push([message, meta]));
  return seen;
}

async function until(condition, what, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function token(sub) {
  const part = (object) => Buffer.from(JSON.stringify(object)).toString('base64url');
  const body = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ sub, exp: Math.floor(Date.now() / 1000) + 600 })}`;
  return `${body}.${createHmac('sha256', TOKEN_SECRET).update(body).digest('base64url')}`;
}

test('default options: long-polling first, then the upgrade to WebSocket, and chat in Korean, accents and emoji', async () => {
  const room = club();
  const alice = connect({ query: { name: '앨리스' } });
  const transports = [];
  alice.io.once('open', () => {
    transports.push(alice.io.engine.transport.name);
    alice.io.engine.once('upgrade', (transport) => transports.push(transport.name));
  });
  await connected(alice);
  await until(() => transports.length === 2, 'the upgrade');
  assert.deepEqual(transports, ['polling', 'websocket'], 'an unchanged client starts with long-polling, then upgrades');
  const joined = await alice.emitWithAck('join', { clubId: room });
  assert.deepEqual(joined.members, ['앨리스']);
  assert.equal(joined.seq, 0);
  const bob = await connected(connect({ query: { name: 'Zoë 🎈' } }));
  const presence = next(alice, 'presence');
  await bob.emitWithAck('join', { clubId: room });
  assert.deepEqual((await presence)[0], { clubId: room, event: 'join', name: 'Zoë 🎈' });
  const received = next(bob, 'chat');
  const ack = await alice.emitWithAck('chat', { clubId: room, message: '안녕하세요 café 👋' });
  assert.deepEqual(ack, { clubId: room, seq: 1, duplicate: false });
  const [message, meta] = await received;
  assert.equal(message, '안녕하세요 café 👋', 'the message text comes first, as the gateway sent it');
  assert.equal(meta.clubId, room);
  assert.equal(meta.from, '앨리스');
  assert.equal(meta.seq, 1);
  assert.equal(typeof meta.ts, 'number');
  const left = next(alice, 'presence', (p) => p.event === 'leave');
  assert.deepEqual(await bob.emitWithAck('leave', { clubId: room }), { clubId: room });
  assert.deepEqual((await left)[0], { clubId: room, event: 'leave', name: 'Zoë 🎈' });
});

test('WebSocket only, and long-polling only, both chat', async () => {
  const room = club();
  const ws = await connected(connect({ transports: ['websocket'], query: { name: 'ws' } }));
  assert.equal(ws.io.engine.transport.name, 'websocket');
  const polling = await connected(connect({ transports: ['polling'], query: { name: 'poll' } }));
  await ws.emitWithAck('join', { clubId: room });
  await polling.emitWithAck('join', { clubId: room });
  const atPolling = next(polling, 'chat');
  await ws.emitWithAck('chat', { clubId: room, message: 'to the poller' });
  assert.equal((await atPolling)[0], 'to the poller');
  const atWs = next(ws, 'chat');
  await polling.emitWithAck('chat', { clubId: room, message: 'from the poller' });
  assert.equal((await atWs)[0], 'from the poller');
  assert.equal(polling.io.engine.transport.name, 'polling');
});

test('a native client and a socket.io client share a club and one seq order', { skip: !NATIVE_URL }, async () => {
  const room = club();
  const native = new WebSocket(`${NATIVE_URL}?name=${encodeURIComponent('Native 네이티브')}`);
  const frames = [];
  native.addEventListener('message', ({ data }) => frames.push(JSON.parse(data)));
  await until(() => frames.some((f) => f.type === 'welcome'), 'welcome');
  native.send(JSON.stringify({ type: 'join', clubId: room }));
  await until(() => frames.some((f) => f.type === 'joined'), 'joined');
  const socket = await connected(connect({ query: { name: 'sio' } }));
  await socket.emitWithAck('join', { clubId: room });
  const seen = chats(socket);
  for (let i = 0; i < 5; i++) {
    native.send(JSON.stringify({ type: 'chat', clubId: room, message: `native ${i}` }));
    await socket.emitWithAck('chat', { clubId: room, message: `sio ${i}` });
  }
  await until(() => frames.filter((f) => f.type === 'chat').length === 5 && seen.length === 5, 'both sides');
  const nativeSeqs = frames.filter((f) => f.type === 'chat').map((f) => f.seq);
  const sioSeqs = seen.map(([, meta]) => meta.seq);
  assert.deepEqual([...nativeSeqs, ...sioSeqs].sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 'one order, no gaps');
  assert.ok(frames.filter((f) => f.type === 'chat').every((f) => f.from === 'sio'));
  assert.ok(seen.every(([message, meta]) => meta.from === 'Native 네이티브' && message.startsWith('native')));
  native.close();
});

test('errors: an exception event without an ack, an error object with one; the connection stays usable', async () => {
  const socket = await connected(connect({ query: { name: 'errs' } }));
  const exception = next(socket, 'exception');
  socket.emit('chat', { clubId: 'not-joined', message: 'x' });
  assert.deepEqual((await exception)[0], { status: 'error', code: 'not_member', message: 'not a member of club not-joined' });
  assert.equal((await socket.emitWithAck('chat', { clubId: 'bad club!', message: 'x' })).error.code, 'invalid_club');
  assert.equal((await socket.emitWithAck('chat', 'just a string')).error.code, 'bad_request');
  assert.equal((await socket.emitWithAck('shout', { clubId: 'x' })).error.code, 'unknown_type');
  assert.equal((await socket.emitWithAck('chat', { clubId: 'c', message: 'x', key: '' })).error.code, 'bad_request');
  const room = club();
  assert.equal((await socket.emitWithAck('join', { clubId: room })).clubId, room);
});

test('history reads back through the ack: newest first page, then older, more while older are held', async () => {
  const socket = connect();
  const room = club();
  await socket.emitWithAck('join', { clubId: room });
  for (const message of ['하나 🎉', 'deux café', 'three']) {
    await socket.emitWithAck('chat', { clubId: room, message });
  }
  const newest = await socket.emitWithAck('history', { clubId: room, limit: 2 });
  assert.equal(newest.clubId, room);
  assert.deepEqual(newest.messages.map((m) => [m.seq, m.message]), [[2, 'deux café'], [3, 'three']]);
  assert.equal(newest.more, true);
  assert.equal(typeof newest.messages[0].ts, 'number');
  assert.equal(newest.messages[0].from, newest.messages[1].from);
  const older = await socket.emitWithAck('history', { clubId: room, before: 2 });
  assert.deepEqual(older.messages.map((m) => m.message), ['하나 🎉']);
  assert.equal(older.more, false);
  assert.equal((await socket.emitWithAck('history', { clubId: room, limit: 0 })).error.code, 'bad_request');
  assert.equal((await socket.emitWithAck('history', { clubId: club() })).error.code, 'not_member');
});

test('delete answers through the ack, the others get deleted, and history holds the tombstone', async () => {
  const room = club();
  const ann = await connected(connect({ query: { name: 'ann' } }));
  const ben = await connected(connect({ query: { name: 'ben' } }));
  await ann.emitWithAck('join', { clubId: room });
  await ben.emitWithAck('join', { clubId: room });
  const heard = next(ben, 'chat');
  const { seq } = await ann.emitWithAck('chat', { clubId: room, message: '지울게요 🙈' });
  await heard;
  assert.equal((await ben.emitWithAck('delete', { clubId: room, seq })).error.code, 'forbidden');
  assert.equal((await ann.emitWithAck('delete', { clubId: room, seq: 'one' })).error.code, 'bad_request');
  const told = next(ben, 'deleted');
  assert.deepEqual(await ann.emitWithAck('delete', { clubId: room, seq }), { clubId: room, seq });
  assert.deepEqual((await told)[0], { clubId: room, seq });
  const page = await ben.emitWithAck('history', { clubId: room });
  assert.deepEqual(page.messages, [{ seq, deleted: true }]);
  assert.equal((await ann.emitWithAck('delete', { clubId: room, seq: 9 })).error.code, 'not_found');
});

test('exactly-once: a keyed chat sent twice is stored once', async () => {
  const room = club();
  const socket = await connected(connect({ query: { name: 'keys' } }));
  await socket.emitWithAck('join', { clubId: room });
  const first = await socket.emitWithAck('chat', { clubId: room, message: 'once', key: 'k-1' });
  const again = await socket.emitWithAck('chat', { clubId: room, message: 'once', key: 'k-1' });
  assert.deepEqual(first, { clubId: room, seq: 1, duplicate: false });
  assert.deepEqual(again, { clubId: room, seq: 1, duplicate: true });
});

test('connection state recovery: a dropped client gets what it missed, exactly once, in order', async () => {
  const room = club();
  const reader = connect({ query: { name: 'reader' } });
  await connected(reader);
  const seen = chats(reader);
  await reader.emitWithAck('join', { clubId: room });
  const writer = await connected(connect({ transports: ['websocket'], query: { name: 'writer' } }));
  await writer.emitWithAck('join', { clubId: room });
  await writer.emitWithAck('chat', { clubId: room, message: 'before' });
  await until(() => seen.length === 1, 'the first chat');
  const firstId = reader.id;
  const back = next(reader, 'connect');
  reader.io.engine.close();
  for (const message of ['missed 1', 'missed 2', 'missed 3']) {
    await writer.emitWithAck('chat', { clubId: room, message });
  }
  await back;
  assert.equal(reader.recovered, true);
  assert.equal(reader.id, firstId, 'a recovered socket keeps its id');
  await writer.emitWithAck('chat', { clubId: room, message: 'after' });
  await until(() => seen.length === 5, 'the missed chats and the next');
  assert.deepEqual(seen.map(([message]) => message), ['before', 'missed 1', 'missed 2', 'missed 3', 'after']);
  assert.deepEqual(seen.map(([, meta]) => meta.seq), [1, 2, 3, 4, 5]);
});

test('a client in no club recovers too', async () => {
  const idle = await connected(connect({ transports: ['websocket'], query: { name: 'idle' } }));
  const told = next(idle, 'exception');
  idle.emit('leave', { clubId: 'nowhere' });
  await told;
  assert.ok(idle._lastOffset, 'every event carries an offset');
  const back = next(idle, 'connect');
  idle.io.engine.close();
  await back;
  assert.equal(idle.recovered, true);
});

test('a recovery history cannot serve starts a fresh session, in no club, however many it was in', async () => {
  const room = club();
  // Enough clubs that the recovery's joins and their undoing pass a client's allowance for joins and leaves.
  const quiet = Array.from({ length: 75 }, () => club());
  const reader = connect({ transports: ['websocket'], query: { name: 'late' } });
  await connected(reader);
  await reader.emitWithAck('join', { clubId: room });
  for (const other of quiet) await reader.emitWithAck('join', { clubId: other });
  const writers = [];
  for (let i = 0; i < 3; i++) {
    writers.push(await connected(connect({ transports: ['websocket'], query: { name: `busy ${i}` } })));
    await writers[i].emitWithAck('join', { clubId: room });
  }
  const seen = chats(reader);
  await writers[0].emitWithAck('chat', { clubId: room, message: 'seen' });
  await until(() => seen.length === 1, 'the chat');
  // Away long enough: no reconnection until the flood is over.
  reader.io.reconnection(false);
  const away = next(reader, 'disconnect');
  reader.io.engine.close();
  await away;
  // More than history holds (100 by default, 5 on the containers) goes by while it is away, within
  // each writer's burst allowance (40).
  await Promise.all(writers.map(async (writer) => {
    for (let i = 0; i < 37; i++) {
      const ack = await writer.emitWithAck('chat', { clubId: room, message: `flood ${i}` });
      assert.equal(ack.error, undefined);
    }
  }));
  const back = next(reader, 'connect');
  reader.connect();
  await back;
  assert.equal(reader.recovered, false);
  assert.equal((await reader.emitWithAck('chat', { clubId: room, message: 'x' })).error.code, 'not_member');
  const probe = await connected(connect({ transports: ['websocket'], query: { name: 'probe' } }));
  for (const other of quiet) {
    const joined = await probe.emitWithAck('join', { clubId: other });
    assert.deepEqual(joined.members, ['probe'], `no ghost of the failed recovery in ${other}`);
  }
  probe.disconnect();
});

test('recovery on another node, served from Redis', { skip: !OTHER_BASE }, async () => {
  const room = club();
  const reader = await connected(connect({ transports: ['websocket'], query: { name: 'roamer' } }));
  const before = chats(reader);
  await reader.emitWithAck('join', { clubId: room });
  const writer = await connected(connect({ transports: ['websocket'], query: { name: 'stayer' } }));
  await writer.emitWithAck('join', { clubId: room });
  await writer.emitWithAck('chat', { clubId: room, message: 'one' });
  await until(() => before.length === 1, 'the first chat');
  const { _pid: pid, _lastOffset: offset } = reader;
  reader.close();
  await writer.emitWithAck('chat', { clubId: room, message: 'two' });
  await writer.emitWithAck('chat', { clubId: room, message: 'three' });
  // The same client, come back through the load balancer to the other node.
  const back = connect({ transports: ['websocket'], query: { name: 'roamer' }, autoConnect: false }, OTHER_BASE);
  back._pid = pid;
  back._lastOffset = offset;
  const seen = chats(back);
  back.connect();
  await connected(back);
  assert.equal(back.recovered, true);
  await until(() => seen.length === 2, 'the missed chats');
  assert.deepEqual(seen.map(([message, meta]) => [message, meta.seq]), [['two', 2], ['three', 3]]);
});

test('token mode: a bad token gets CONNECT_ERROR unauthorized, a good one connects as its subject', { skip: !TOKEN_BASE }, async () => {
  const refused = connect({ auth: { token: 'not-a-token' }, reconnection: false }, TOKEN_BASE);
  const [error] = await next(refused, 'connect_error');
  assert.equal(error.message, 'unauthorized');
  const room = club();
  const alice = await connected(connect({ auth: { token: token('앨리스') } }, TOKEN_BASE));
  const bob = await connected(connect({ auth: { token: token('bob') } }, TOKEN_BASE));
  await alice.emitWithAck('join', { clubId: room });
  await bob.emitWithAck('join', { clubId: room });
  const received = next(bob, 'chat');
  await alice.emitWithAck('chat', { clubId: room, message: 'signed' });
  assert.equal((await received)[1].from, '앨리스');
  const renewed = await alice.emitWithAck('auth', { token: token('앨리스') });
  assert.ok(renewed.exp > Date.now() / 1000, 'a fresher token is taken on the live connection');
  assert.equal((await alice.emitWithAck('auth', { token: token('someone else') })).error.code, 'unauthorized');
});

test('CORS on long-polling follows the origin allow-list; without one, any origin and no credentials', async () => {
  const allowed = await fetch(`${BASE}${PATH}?EIO=4&transport=polling`, { headers: { Origin: new URL(BASE).origin } });
  assert.equal(allowed.status, 200);
  if (REFUSED_ORIGIN) {
    assert.equal(allowed.headers.get('access-control-allow-origin'), new URL(BASE).origin);
    assert.equal(allowed.headers.get('access-control-allow-credentials'), 'true');
  } else {
    assert.equal(allowed.headers.get('access-control-allow-origin'), '*');
    assert.equal(allowed.headers.get('access-control-allow-credentials'), null, 'no site may read answers sent with its cookies');
  }
  const preflight = await fetch(`${BASE}${PATH}?EIO=4&transport=polling`, { method: 'OPTIONS',
    headers: { Origin: new URL(BASE).origin, 'Access-Control-Request-Method': 'POST' } });
  assert.ok([200, 204].includes(preflight.status));
  assert.match(preflight.headers.get('access-control-allow-methods'), /POST/);
  if (REFUSED_ORIGIN) {
    const refused = await fetch(`${BASE}${PATH}?EIO=4&transport=polling`, { headers: { Origin: REFUSED_ORIGIN } });
    assert.equal(refused.status, 403);
    assert.deepEqual(await refused.json(), { code: 4, message: 'Forbidden' });
  }
});

test('maxPayload: the open packet announces the frame limit; a larger message ends that connection only', async () => {
  const handshake = await fetch(`${BASE}${PATH}?EIO=4&transport=polling`);
  const open = JSON.parse((await handshake.text()).slice(1));
  assert.deepEqual(Object.keys(open).sort(), ['maxPayload', 'pingInterval', 'pingTimeout', 'sid', 'upgrades']);
  assert.equal(open.maxPayload, MAX_PAYLOAD);
  const tooBig = await fetch(`${BASE}${PATH}?EIO=4&transport=polling&sid=${open.sid}`, { method: 'POST',
    body: `4${'x'.repeat(MAX_PAYLOAD)}` });
  assert.equal(tooBig.status, 413);
  const room = club();
  const sender = await connected(connect({ transports: ['websocket'], query: { name: 'big' } }));
  const bystander = await connected(connect({ transports: ['websocket'], query: { name: 'bystander' } }));
  await sender.emitWithAck('join', { clubId: room });
  await bystander.emitWithAck('join', { clubId: room });
  const dropped = next(sender, 'disconnect');
  sender.emit('chat', { clubId: room, message: 'x'.repeat(MAX_PAYLOAD) });
  await dropped;
  const received = next(bystander, 'chat');
  await connected(sender);
  await sender.emitWithAck('join', { clubId: room });
  await sender.emitWithAck('chat', { clubId: room, message: 'small again' });
  assert.equal((await received)[0], 'small again');
});

test('the server pings, and drops a client that does not answer within pingTimeout', { skip: !PING_BASE }, async () => {
  const alive = await connected(connect({ transports: ['websocket'], query: { name: 'alive' } }, PING_BASE));
  let pings = 0;
  alive.io.on('ping', () => pings++);
  const raw = new WebSocket(`${PING_BASE.replace('http', 'ws')}${PATH}?EIO=4&transport=websocket`);
  const messages = [];
  raw.addEventListener('message', ({ data }) => messages.push(data));
  const closed = new Promise((resolve) => raw.addEventListener('close', resolve));
  await until(() => messages.length > 0, 'the open packet');
  raw.send('40');
  await until(() => messages.some((m) => m.startsWith('40')), 'CONNECT');
  await until(() => messages.includes('2'), 'a ping', 2_000);
  await closed;
  // The client that answers (socket.io's own pong) is still there after several more pings.
  const seen = pings;
  await until(() => pings >= seen + 3, 'three more pings');
  assert.equal(alive.connected, true);
  assert.ok((await alive.emitWithAck('join', { clubId: club() })).epoch);
});

test("a full server refuses with connect_error; an operator's disconnect is io server disconnect", { skip: !SMALL_BASE }, async () => {
  const first = await connected(connect({ transports: ['websocket'], query: { name: 'mallory' } }, SMALL_BASE));
  await connected(connect({ transports: ['websocket'], query: { name: 'second' } }, SMALL_BASE));
  const third = connect({ transports: ['websocket'], query: { name: 'third' }, reconnection: false }, SMALL_BASE);
  assert.equal((await next(third, 'connect_error'))[0].message, 'server full');
  const gone = next(first, 'disconnect');
  const answer = await fetch(`${SMALL_BASE}/api/disconnect`, { method: 'POST',
    headers: { Authorization: `Bearer ${SMALL_KEY}` }, body: JSON.stringify({ name: 'mallory' }) });
  assert.equal(answer.status, 202);
  assert.equal((await gone)[0], 'io server disconnect', 'told, so that it does not reconnect by itself');
  assert.equal(first.active, false);
});
