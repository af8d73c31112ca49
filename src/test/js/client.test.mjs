// The browser client module (webapp/js/client.js) against the real server, in Node 20 with its
// WebSocket (--experimental-websocket). Run by ClientModuleIT, which starts the servers and passes
// OPEN_URL (open mode, history 5), TOKEN_URL with TOKEN_SECRET (token mode; its operations API at
// TOKEN_API with API_KEY), FULL_URL (room for one connection) and STORED_URL (history in PostgreSQL,
// 5 in memory, replays capped at 4).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { ChatClient } from '../../../webapp/js/client.js';

const OPEN_URL = process.env.OPEN_URL;
const TOKEN_URL = process.env.TOKEN_URL;
const TOKEN_SECRET = process.env.TOKEN_SECRET;
const FULL_URL = process.env.FULL_URL;
const TOKEN_API = process.env.TOKEN_API;
const API_KEY = process.env.API_KEY;
const STORED_URL = process.env.STORED_URL;
const noJitter = () => 0;
/** Every client the tests made, closed at the end so that nothing keeps Node running. */
const clients = [];
after(() => clients.forEach((client) => client.disconnect()));

function make(options) {
  const client = new ChatClient({ random: noJitter, ...options });
  clients.push(client);
  return client;
}

/** Resolves with the first event of this type that matches, or fails after a timeout. */
function next(client, type, matches = () => true, timeoutMs = 10_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.removeEventListener(type, listener);
      reject(new Error(`no ${type} event within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = ({ detail }) => {
      if (!matches(detail)) return;
      clearTimeout(timer);
      client.removeEventListener(type, listener);
      resolve(detail);
    };
    client.addEventListener(type, listener);
  });
}

/** Resolves once the condition holds, checked on each turn of the event loop, or fails after a timeout. */
async function until(condition, what, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Every event of these types, in order, as [type, detail]. */
function record(client, ...types) {
  const seen = [];
  for (const type of types) client.addEventListener(type, ({ detail }) => seen.push([type, detail]));
  return seen;
}

async function online(options, ...clubs) {
  const client = make(options);
  const up = next(client, 'state', (s) => s.state === 'online');
  client.connect();
  await up;
  for (const clubId of clubs) {
    const joined = next(client, 'joined', (j) => j.clubId === clubId);
    client.join(clubId);
    await joined;
  }
  return client;
}

function club() {
  return `js-${randomUUID().slice(0, 8)}`;
}

/** A WebSocket that loses the first ack it receives and drops the connection there, as a network would. */
class AckLosingWebSocket extends WebSocket {
  static losing = true;
  set onmessage(handler) {
    super.onmessage = (event) => {
      if (AckLosingWebSocket.losing && JSON.parse(event.data).type === 'ack') {
        AckLosingWebSocket.losing = false;
        this.close(4000, 'lost the ack');
        return;
      }
      handler(event);
    };
  }
}

/** A WebSocket that loses the first chat frame it receives: the client must notice the gap. */
class ChatLosingWebSocket extends WebSocket {
  static losing = true;
  set onmessage(handler) {
    super.onmessage = (event) => {
      if (ChatLosingWebSocket.losing && JSON.parse(event.data).type === 'chat') {
        ChatLosingWebSocket.losing = false;
        return;
      }
      handler(event);
    };
  }
}

function token(sub, secret = TOKEN_SECRET, ttlSeconds = 600) {
  const part = (object) => Buffer.from(JSON.stringify(object)).toString('base64url');
  const body = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ sub, exp: Math.floor(Date.now() / 1000) + ttlSeconds })}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

test('join, chat and presence between two clients, in Korean and emoji', async () => {
  const room = club();
  const alice = await online({ url: OPEN_URL, name: '앨리스' }, room);
  const joined = next(alice, 'presence', (p) => p.name === 'Bob 🎈');
  const bob = await online({ url: OPEN_URL, name: 'Bob 🎈' }, room);
  assert.equal((await joined).event, 'join');
  const heard = next(bob, 'chat');
  const key = alice.chat(room, '안녕하세요 👋');
  const sent = await next(alice, 'sent', (s) => s.key === key);
  assert.equal(sent.seq, 1);
  assert.equal(sent.duplicate, false);
  const chat = await heard;
  assert.deepEqual([chat.from, chat.message, chat.seq], ['앨리스', '안녕하세요 👋', 1]);
  alice.disconnect();
  bob.disconnect();
});

test('a chat whose ack was lost with the connection is resent once and settled once', async () => {
  const room = club();
  const bob = await online({ url: OPEN_URL, name: 'bob' }, room);
  const alice = await online({ url: OPEN_URL, name: 'alice', WebSocket: AckLosingWebSocket }, room);
  const events = record(alice, 'sent', 'resending');
  const heard = record(bob, 'chat');
  const key = alice.chat(room, 'exactly once');
  const sent = await next(alice, 'sent', (s) => s.key === key);
  assert.equal(sent.duplicate, true, 'the server had it: the resend was a duplicate');
  assert.deepEqual(events.map(([type]) => type), ['resending', 'sent']);
  const second = alice.chat(room, 'and the next');
  await next(alice, 'sent', (s) => s.key === second);
  await until(() => heard.length >= 2, 'both messages at bob');
  assert.deepEqual(heard.map(([, c]) => c.message), ['exactly once', 'and the next']);
  assert.equal(alice.unsettled.length, 0);
  alice.disconnect();
  bob.disconnect();
});

/** A WebSocket that counts the rate_limited refusals it receives, and the retryAfter of each. */
class RefusalCountingWebSocket extends WebSocket {
  static retryAfters = [];
  set onmessage(handler) {
    super.onmessage = (event) => {
      const frame = JSON.parse(event.data);
      if (frame.code === 'rate_limited') RefusalCountingWebSocket.retryAfters.push(frame.retryAfter);
      handler(event);
    };
  }
}

test('a burst past the rate limit is sent again after each retryAfter, and every chat arrives once', async () => {
  const room = club();
  const bob = await online({ url: OPEN_URL, name: 'bob' }, room);
  const alice = await online({ url: OPEN_URL, name: 'alice', WebSocket: RefusalCountingWebSocket }, room);
  const heard = record(bob, 'chat');
  const sent = record(alice, 'sent');
  const keys = Array.from({ length: 60 }, (_, i) => alice.chat(room, `버스트 ${i} 🚀`));
  await until(() => sent.length === keys.length, 'every chat sent', 15_000);
  const refusals = RefusalCountingWebSocket.retryAfters;
  // The defaults take 40 at once and 20 a second after: about 20 of the 60 are refused, fewer when the
  // burst takes a while to write.
  assert.ok(refusals.length >= 10, `the defaults take 40 at once: ${refusals.length} refused`);
  assert.ok(refusals.every((ms) => Number.isInteger(ms) && ms > 0), 'each refusal says when to send again');
  assert.ok(refusals.length < 40, `resent when told, so rarely refused twice: ${refusals.length} refusals`);
  assert.deepEqual(sent.map(([, s]) => s.key).sort(), [...keys].sort());
  await until(() => heard.length === keys.length, 'every chat at bob', 15_000);
  assert.equal(new Set(heard.map(([, c]) => c.message)).size, keys.length, 'each once');
  alice.disconnect();
  bob.disconnect();
});

test('a missed chat is noticed as a gap and fetched by re-joining with since', async () => {
  const room = club();
  const bob = await online({ url: OPEN_URL, name: 'bob', WebSocket: ChatLosingWebSocket }, room);
  const alice = await online({ url: OPEN_URL, name: 'alice' }, room);
  const heard = record(bob, 'chat');
  for (const text of ['one', 'two', 'three']) {
    const key = alice.chat(room, text);
    await next(alice, 'sent', (s) => s.key === key);
  }
  await until(() => heard.length >= 3, 'three chats at bob');
  assert.deepEqual(heard.map(([, c]) => c.seq), [1, 2, 3]);
  assert.deepEqual(heard.map(([, c]) => c.message), ['one', 'two', 'three'], 'every seq once, in order');
  alice.disconnect();
  bob.disconnect();
});

test('a reconnect that history cannot cover reports the lost range', async () => {
  const room = club();
  const bob = await online({ url: OPEN_URL, name: 'bob' }, room);
  const alice = await online({ url: OPEN_URL, name: 'alice' }, room);
  bob.disconnect();
  for (let i = 1; i <= 8; i++) {
    const key = alice.chat(room, `m${i}`);
    await next(alice, 'sent', (s) => s.key === key);
  }
  const lost = next(bob, 'lost');
  const replay = record(bob, 'chat');
  const rejoined = next(bob, 'joined', (j) => j.rejoin);
  bob.connect();
  assert.equal((await rejoined).recovered, false);
  assert.deepEqual(await lost, { clubId: room, from: 1, to: 3, count: 3 }, 'history holds the last 5 of 8');
  await until(() => replay.length >= 5, 'the replay');
  assert.deepEqual(replay.map(([, c]) => c.seq), [4, 5, 6, 7, 8]);
  alice.disconnect();
  bob.disconnect();
});

/** Sends the texts from the client one after another, each settled before the next. */
async function say(client, room, texts) {
  for (const text of texts) {
    const key = client.chat(room, text);
    await next(client, 'sent', (s) => s.key === key);
  }
}

const words = (n) => Array.from({ length: n }, (_, i) => `말 ${i + 1} — café 🎉`);

test('history reads back what memory holds, newest first by page, in Korean and emoji', async () => {
  const room = club();
  const alice = await online({ url: OPEN_URL, name: 'alice' }, room);
  await say(alice, room, words(8));
  const newest = await alice.history(room, { limit: 3 });
  assert.deepEqual(newest.messages.map((m) => [m.seq, m.from, m.message]), [6, 7, 8].map((n) => [n, 'alice', `말 ${n} — café 🎉`]));
  assert.equal(newest.more, true);
  const earlier = await alice.history(room, { before: 6, limit: 3 });
  assert.deepEqual(earlier.messages.map((m) => m.seq), [4, 5], 'memory holds the last 5');
  assert.equal(earlier.more, false);
  await assert.rejects(alice.history(room, { limit: 101 }), { code: 'bad_request' });
  await assert.rejects(alice.history(club(), {}), { code: 'offline' }, 'a club the client is not in');
  alice.disconnect();
});

test('with the store, a capped replay is skipped, not lost, and loadEarlier pages back through it to the beginning', async () => {
  const room = club();
  const alice = await online({ url: STORED_URL, name: '앨리스' }, room);
  await say(alice, room, words(10));
  const bob = make({ url: STORED_URL, name: 'bob' });
  const seen = record(bob, 'chat', 'lost', 'skipped', 'joined');
  bob.connect();
  bob.join(room);
  await until(() => seen.filter(([type]) => type === 'chat').length >= 4, 'the replay');
  assert.deepEqual(seen.map(([type, d]) => [type, d.seq ?? d.from]), [['skipped', 1], ['joined', 10],
    ['chat', 7], ['chat', 8], ['chat', 9], ['chat', 10]], 'the newest 4, once, with no re-join and nothing lost');
  assert.deepEqual(seen[0][1], { clubId: room, from: 1, to: 6, count: 6 });
  const pages = [];
  for (let page = await bob.loadEarlier(room, 4); ; page = await bob.loadEarlier(room, 4)) {
    pages.push([page.messages.map((m) => m.seq), page.more]);
    if (!page.more) break;
  }
  assert.deepEqual(pages, [[[3, 4, 5, 6], true], [[1, 2], false]], 'from the store, past the 5 memory holds');
  assert.deepEqual(await bob.loadEarlier(room), { messages: [], more: false }, 'nothing before the beginning');
  alice.chat(room, 'live 🌷');
  assert.equal((await next(bob, 'chat', (c) => c.message === 'live 🌷')).seq, 11);
  alice.disconnect();
  bob.disconnect();
});

test('members reads the names in pages, in code point order, with the count', async () => {
  const room = club();
  const alice = await online({ url: OPEN_URL, name: '앨리스' }, room);
  const bob = await online({ url: OPEN_URL, name: 'Émile' }, room);
  const first = await bob.members(room, { limit: 1 });
  assert.deepEqual(first, { clubId: room, names: ['Émile'], count: 2, more: true });
  assert.deepEqual(await bob.members(room, { after: 'Émile' }), { clubId: room, names: ['앨리스'], count: 2, more: false });
  await assert.rejects(bob.members(room, { limit: 0 }), { code: 'bad_request' });
  alice.disconnect();
  bob.disconnect();
});

for (const [mode, url] of [['in memory', () => OPEN_URL], ['with the store', () => STORED_URL]]) {
  test(`${mode}, deleteMessage takes back one's own message for everyone, and a re-join replays the tombstone`, async () => {
    const room = club();
    const carol = await online({ url: url(), name: 'carol' }, room);
    carol.disconnect();
    const alice = await online({ url: url(), name: '앨리스' }, room);
    const bob = await online({ url: url(), name: 'bob' }, room);
    const bobHeard = next(bob, 'chat', (c) => c.seq === 2);
    await say(alice, room, ['지워 주세요 🙈', 'stays']);
    await bobHeard;
    const bobSaw = next(bob, 'deleted');
    const aliceSaw = next(alice, 'deleted');
    assert.deepEqual(await alice.deleteMessage(room, 1), { clubId: room, seq: 1 });
    assert.deepEqual(await aliceSaw, { clubId: room, seq: 1 }, 'the sender hears of it as everyone does');
    assert.deepEqual(await bobSaw, { clubId: room, seq: 1 });
    await assert.rejects(bob.deleteMessage(room, 2), { code: 'forbidden' }, "someone else's message");
    await assert.rejects(alice.deleteMessage(room, 99), { code: 'not_found' });
    assert.deepEqual(await alice.deleteMessage(room, 1), { clubId: room, seq: 1 }, 'deleted again');
    const page = await bob.history(room);
    assert.deepEqual(page.messages.map((m) => [m.seq, m.deleted ?? m.message]), [[1, true], [2, 'stays']]);

    const seen = record(carol, 'chat', 'deleted', 'lost', 'joined');
    carol.connect();
    await until(() => seen.some(([type]) => type === 'chat'), 'the replay');
    assert.deepEqual(seen.map(([type, d]) => [type, d.seq]), [['joined', 2], ['deleted', 1], ['chat', 2]],
      'the tombstone holds seq 1 in place: no gap, no re-join, nothing lost');
    alice.disconnect();
    bob.disconnect();
    carol.disconnect();
  });
}

test('with the store, a reconnect past the replay cap reports the skipped range and live messages go on', async () => {
  const room = club();
  const bob = await online({ url: STORED_URL, name: 'bob' }, room);
  const alice = await online({ url: STORED_URL, name: 'alice' }, room);
  const heard = next(bob, 'chat', (c) => c.seq === 2);
  await say(alice, room, words(2));
  await heard;
  bob.disconnect();
  await say(alice, room, words(7));
  const seen = record(bob, 'chat', 'lost', 'skipped');
  const rejoined = next(bob, 'joined', (j) => j.rejoin);
  bob.connect();
  const joined = await rejoined;
  assert.equal(joined.replayFrom, 6);
  await until(() => seen.length >= 5, 'the replay');
  assert.deepEqual(seen.map(([type, d]) => [type, d.seq ?? d.from]), [['skipped', 3], ['chat', 6], ['chat', 7], ['chat', 8],
    ['chat', 9]], 'bob had 1-2: 3-5 skipped, not lost, and no re-join');
  assert.equal(seen[0][1].count, 3);
  const page = await bob.loadEarlier(room);
  assert.deepEqual(page.messages.map((m) => m.seq), [1, 2, 3, 4, 5], 'back from where the replay began');
  alice.disconnect();
  bob.disconnect();
});

test('token mode: a refused token is replaced by asking the app again', async () => {
  const asked = [];
  const getToken = async () => {
    asked.push(Date.now());
    return asked.length === 1 ? token('user-1', 'not-the-secret-but-32-bytes-long!!') : token('user-1');
  };
  const client = await online({ url: TOKEN_URL, getToken });
  assert.equal(asked.length, 2);
  client.disconnect();
});

test('token mode: a token near its expiry is renewed on the live connection', async () => {
  let asked = 0;
  const getToken = async () => {
    asked++;
    return token('user-3', TOKEN_SECRET, asked === 1 ? 62 : 600);
  };
  const client = await online({ url: TOKEN_URL, getToken });
  const states = record(client, 'state');
  const refreshed = await next(client, 'refreshed', () => true, 15_000);
  assert.ok(refreshed.exp > Date.now() / 1000 + 500, 'the new expiry, ten minutes out');
  assert.equal(asked, 2);
  assert.deepEqual(states, [], 'renewed in place: no reconnect');
});

test('token mode: a client whose token is always refused gives up and says why', async () => {
  const client = make({ url: TOKEN_URL, getToken: async () => token('user-2', 'x'.repeat(40)) });
  const failed = next(client, 'state', (s) => s.state === 'failed', 20_000);
  client.connect();
  assert.equal((await failed).reason, 'refused');
});

test('a full server is not a refusal: the client waits with the server\'s words and gets in once there is room', async () => {
  const first = await online({ url: FULL_URL, name: 'first' });
  const second = make({ url: FULL_URL, name: 'second' });
  const turnedAway = next(second, 'state', (s) => s.state === 'reconnecting');
  second.connect();
  const state = await turnedAway;
  assert.equal(state.reason, 'server-full', 'not counted towards giving up');
  assert.equal(state.code, 1013);
  assert.equal(state.message, 'server full');
  const admitted = next(second, 'state', (s) => s.state === 'online');
  first.disconnect();
  assert.equal((await admitted).name, 'second');
});

test('token mode: an expired token closes the connection and the client comes back with a new one', async () => {
  const tokens = [token('user-5', TOKEN_SECRET, -28), token('user-5')];
  const client = make({ url: TOKEN_URL, getToken: async () => tokens.shift() });
  const up = next(client, 'state', (s) => s.state === 'online');
  client.connect();
  await up;
  const state = await next(client, 'state', (s) => s.state === 'reconnecting');
  assert.equal(state.reason, 'token-expired');
  assert.equal(state.code, 1008);
  await next(client, 'state', (s) => s.state === 'online');
  assert.equal(tokens.length, 0, 'a new token was asked for');
});

test('token mode: an operator\'s disconnect is not taken for an expiry: the client says so and comes back on its token', async () => {
  let asked = 0;
  const client = await online({ url: TOKEN_URL, getToken: async () => { asked++; return token('user-6'); } });
  const closed = next(client, 'state', (s) => s.state === 'reconnecting');
  const response = await fetch(`${TOKEN_API}/disconnect`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ sub: 'user-6' }),
  });
  assert.equal(response.status, 202);
  const state = await closed;
  assert.equal(state.reason, 'dropped');
  assert.equal(state.code, 1008);
  assert.equal(state.message, 'disconnected by an operator');
  await next(client, 'state', (s) => s.state === 'online');
  assert.equal(asked, 1, 'the token was still good');
});

test('token mode: an app that has no token for the user stops the client with a reason', async () => {
  const client = make({ url: TOKEN_URL, getToken: async () => { throw new Error('signed out'); } });
  const failed = next(client, 'state', (s) => s.state === 'failed');
  client.connect();
  assert.equal((await failed).reason, 'no-token');
});
