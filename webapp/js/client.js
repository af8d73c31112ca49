// club-chat's client: the wire protocol (docs/protocol.md) for browsers and Node, with what every app
// needs and few get right: reconnect with backoff, re-joining each club with `since` and `epoch`,
// exactly-once sends (each chat has a key and is resent after a reconnect until it is settled), gap
// detection, the lost range when history could not cover a reconnect (and, apart from it, the range a
// capped replay skipped, to read back on demand), reading back, retried refusals, and token refresh.
// It knows nothing of any page: it emits events. Documented in docs/client.md.

const BACKOFF_FIRST_MS = 500;
const BACKOFF_MAX_MS = 30_000;
/** Closes before `welcome` in a row after which the client stops and says why (the handshake is refused). */
const REFUSALS_BEFORE_GIVING_UP = 5;
/** A token is renewed this long before its `exp`; a 1008 from then on is taken for its expiry. */
const RENEW_AHEAD_MS = 60_000;
/** The request id of an in-band token refresh. */
const REFRESH_ID = 'auth';
/** Refusals that pass by themselves: the request is sent again after a backoff. */
const RETRIED_ERRORS = new Set(['rate_limited', 'unavailable']);
/** How many messages `loadEarlier` reads by default, and the most one `history` may ask for. */
const PAGE_DEFAULT = 50;

/**
 * @typedef {'connecting' | 'online' | 'reconnecting' | 'offline' | 'failed'} ConnectionState
 *
 * @typedef {object} StateDetail
 * @property {ConnectionState} state
 * @property {string} [name]     the name the server knows this connection by (`online`)
 * @property {number} [retryAt]  when the next attempt starts, epoch ms (`reconnecting`)
 * @property {string} [reason]   why it is not online: `dropped`, `refused`, `token-expired`, `server-full`,
 *                               `server-stopping`, `no-token`, `too-slow`, `error` (`reconnecting`, `failed`)
 * @property {string} [message]  the server's own words when it closed with a reason, such as why the
 *                               application refused the connection (`reconnecting`, `failed`)
 *
 * @typedef {object} ChatClientOptions
 * @property {string} url                       the `/chat` endpoint, ws: or wss:
 * @property {string} [name]                    open mode: the display name (`?name=`)
 * @property {() => Promise<string>} [getToken] token mode: a fresh token; asked before each connection that
 *                                              needs one (first, after the token expired or was refused)
 * @property {typeof WebSocket} [WebSocket]     defaults to the global one
 * @property {() => number} [random]            for the backoff's jitter; defaults to Math.random
 */

/** ws:// or wss:// to match the page, under the page's own path: standalone, in a WAR, behind a proxy. */
export function endpointFor(pageUrl) {
  const url = new URL('chat', pageUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.search = '';
  url.hash = '';
  return url.toString();
}

/** Backoff for the n-th attempt in a row (0-based): doubling, capped, with ±50 % jitter so clients spread out. */
export function backoffMs(attempt, random = Math.random) {
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** attempt);
  return Math.round(base * (0.5 + random()));
}

/** The `exp` of a JWT, epoch seconds, or null when it cannot be read. */
export function tokenExpiry(token) {
  try {
    const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(payload)).exp ?? null;
  } catch {
    return null;
  }
}

/**
 * Why a close code sends the client away, for the `state` event. Before `welcome` a close is a refusal,
 * except "going away" and "try again later" (full, busy, or the application could not be asked), which
 * pass: they do not count towards giving up. After it, a 1008 is the token's expiry only when the token
 * is due; otherwise the server ended the connection for another reason (an operator, flooding).
 */
function reasonOf(code, welcomed, tokenDue) {
  switch (code) {
    case 1001: return 'server-stopping';
    case 1013: return 'server-full';
    default: break;
  }
  if (!welcomed) return 'refused';
  return code === 1008 && tokenDue ? 'token-expired' : 'dropped';
}

/**
 * One connection to a club-chat server, kept up until {@link ChatClient#disconnect}.
 *
 * Events (CustomEvent, the payload in `detail`):
 * - `state`    {@link StateDetail}
 * - `joined`   the server's `joined`, plus `rejoin` (a re-join after a reconnect or a gap) and `epochChanged`
 * - `lost`     `{ clubId, from, to, count }`: messages history no longer held when the club was re-joined
 * - `skipped`  `{ clubId, from, to, count }`: messages a capped replay left out; still held, read them with
 *              `loadEarlier` (or `history`) when they are wanted
 * - `chat`     the server's `chat`, each seq once and in order
 * - `deleted`  `{ clubId, seq }`: a message was deleted (by its sender, this client included, or an
 *              operator), or a replay holds its tombstone in its place: show it as deleted
 * - `presence` the server's `presence`
 * - `count`    `{ clubId, count }`: in a large club, instead of `presence`, how many names are in it (at
 *              most once a second); `joined.count` gives the first figure
 * - `sent`     `{ key, clubId, message, seq, duplicate }`: an own chat settled, exactly once
 * - `resending``{ key, clubId, message }`: an own chat sent again after a reconnect (its key keeps it single)
 * - `failed`   `{ key, clubId, message, code, text }`: an own chat the server refused for good
 * - `refreshed` `{ exp }`: the connection's token was renewed in place (token mode)
 * - `left`     the server's unasked `left` (`reason: "forbidden"` when a renewed token no longer allows a club)
 * - `error`    the server's `error` for anything else (`forbidden`, `too_many_clubs`, …)
 */
export class ChatClient extends EventTarget {
  #options;
  #WebSocket;
  #socket = null;
  #welcomed = false;
  #attempt = 0;
  #refusedInARow = 0;
  #retryTimer = null;
  #refreshTimer = null;
  #wanted = false;
  #token = null;
  #nextId = 1;
  /**
   * clubId -> { epoch, lastSeq, joined, oldest }: where each club's seqs stand; joined once its `joined`
   * came; oldest, the lowest seq handed on in this epoch (null before any), where `loadEarlier` goes on.
   */
  #clubs = new Map();
  /** key -> { clubId, message }: own chats not settled yet, in the order they were sent. */
  #unsettled = new Map();
  /** request id -> { clubId, since }: joins waiting for their `joined`, and the `since` each asked with. */
  #joining = new Map();
  /** clubId -> joins refused in a row, for the retry's backoff. */
  #joinRefusals = new Map();
  /** key -> chats refused in a row (`rate_limited`, `unavailable`), for the resend's backoff. */
  #chatRefusals = new Map();
  /** request id -> { resolve, reject }: `history`, `delete` and `members` requests waiting for their answer on this connection. */
  #reading = new Map();

  /** @param {ChatClientOptions} options */
  constructor(options) {
    super();
    this.#options = options;
    this.#WebSocket = options.WebSocket ?? globalThis.WebSocket;
  }

  /** The clubs this client is in (or joining). */
  get clubs() {
    return [...this.#clubs.keys()];
  }

  get online() {
    return this.#socket?.readyState === this.#WebSocket.OPEN && this.#welcomed;
  }

  /** Own chats sent but not settled yet: `[key, { clubId, message }]`. */
  get unsettled() {
    return [...this.#unsettled];
  }

  connect() {
    this.#wanted = true;
    this.#open();
  }

  /** Closes for good (no reconnect). Unsettled chats stay unsettled; a later connect() resends them. */
  disconnect() {
    this.#wanted = false;
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#refreshTimer);
    this.#socket?.close(1000, 'bye');
    this.#socket = null;
    for (const club of this.#clubs.values()) club.joined = false;
    this.#joining.clear();
    this.#abandonReads();
    this.#emit('state', { state: 'offline' });
  }

  /** Drops the connection as a network would; the client reconnects. For tests and demos. */
  dropConnection() {
    this.#socket?.close(4000, 'dropped');
  }

  join(clubId) {
    if (!this.#clubs.has(clubId)) this.#clubs.set(clubId, { epoch: null, lastSeq: 0, joined: false, oldest: null });
    if (this.online) this.#sendJoin(clubId);
  }

  /** Leaves the club; its chats not settled yet are dropped (they would go to a club the app left). */
  leave(clubId) {
    this.#forget(clubId);
    this.#send({ type: 'leave', clubId });
  }

  #forget(clubId) {
    this.#clubs.delete(clubId);
    for (const [key, sent] of this.#unsettled) {
      if (sent.clubId === clubId) this.#unsettled.delete(key);
    }
  }

  /**
   * Sends a chat message with a fresh key and returns the key; the `sent` or `failed` event settles it.
   * While offline it waits and goes out, once, after the reconnect.
   */
  chat(clubId, message) {
    const key = crypto.randomUUID();
    this.#unsettled.set(key, { clubId, message });
    if (this.#clubs.get(clubId)?.joined) this.#sendChat(key);
    return key;
  }

  /**
   * Reads back the club's stored messages below `before` (the newest when absent), at most `limit` (1–100,
   * default 50): resolves with `{ messages, more }` (oldest first; each `{ seq, from, message, ts }`, or
   * `{ seq, deleted: true }`), rejects with an Error whose `code` is the server's (`not_member`,
   * `bad_request`, `unavailable`) or `offline` when there is no connection or it ends first.
   */
  history(clubId, { before, limit } = {}) {
    const request = { type: 'history', clubId };
    if (before !== undefined) request.before = before;
    if (limit !== undefined) request.limit = limit;
    return this.#ask(request);
  }

  /**
   * Sends a request of a club this client is in, with an id of its own, and waits for its answer: resolved
   * by it (`#receive` hands it over), rejected by an `error`, or as `offline` without a live connection or
   * when the connection ends first.
   */
  #ask(request) {
    const id = `${request.type[0]}${this.#nextId++}`;
    return new Promise((resolve, reject) => {
      if (!this.#clubs.get(request.clubId)?.joined || !this.#send({ ...request, id })) {
        reject(Object.assign(new Error(`not in ${request.clubId} on a live connection`), { code: 'offline' }));
        return;
      }
      this.#reading.set(id, { resolve, reject });
    });
  }

  /**
   * Deletes one of this sender's messages for everyone: resolves with `{ clubId, seq }` once the server
   * has deleted it (a `deleted` event follows, as for everyone else), rejects with an Error whose `code`
   * is the server's (`forbidden` for someone else's, `not_found`, `not_member`, `rate_limited`,
   * `unavailable`) or `offline`.
   */
  deleteMessage(clubId, seq) {
    return this.#ask({ type: 'delete', clubId, seq });
  }

  /**
   * A page of the club's member names in code point order, after `after` (from the first without it), at
   * most `limit` (1–1000, default 1000): resolves with `{ names, count, more }`; read on with `after` set
   * to the last name while `more`. Rejects as `history` does.
   */
  members(clubId, { after, limit } = {}) {
    const request = { type: 'members', clubId };
    if (after !== undefined) request.after = after;
    if (limit !== undefined) request.limit = limit;
    return this.#ask(request);
  }

  /**
   * Reads the messages just before the oldest one this client has handed on for the club (a scroll to the
   * top): resolves with `{ messages, more }` as `history` does; `more: false` with nothing older held.
   */
  async loadEarlier(clubId, limit = PAGE_DEFAULT) {
    const club = this.#clubs.get(clubId);
    const before = club?.oldest ?? (club ? club.lastSeq + 1 : 1);
    if (before <= 1) return { messages: [], more: false };
    const page = await this.history(clubId, { before, limit });
    const now = this.#clubs.get(clubId);
    if (now && page.messages.length > 0 && now.epoch === club.epoch) {
      now.oldest = Math.min(now.oldest ?? Infinity, page.messages[0].seq);
    }
    return { messages: page.messages, more: page.more };
  }

  async #open() {
    clearTimeout(this.#retryTimer);
    this.#emit('state', { state: 'connecting' });
    const url = new URL(this.#options.url);
    if (this.#options.getToken) {
      try {
        if (!this.#token) this.#token = await this.#options.getToken();
      } catch {
        this.#fail('no-token');
        return;
      }
      if (!this.#token) {
        this.#fail('no-token');
        return;
      }
      url.searchParams.set('token', this.#token);
      this.#scheduleRefresh(this.#token);
    } else if (this.#options.name) {
      url.searchParams.set('name', this.#options.name);
    }
    if (!this.#wanted) return;
    const socket = new this.#WebSocket(url.toString());
    this.#socket = socket;
    this.#welcomed = false;
    socket.onmessage = (event) => this.#receive(JSON.parse(event.data));
    socket.onclose = (event) => this.#closed(socket, event.code, event.reason);
    // A refused handshake is an error and then a close in browsers, but only the error in some runtimes (Node 20).
    socket.onerror = () => {
      if (socket.readyState !== this.#WebSocket.OPEN) this.#closed(socket, 1006);
    };
  }

  /** The connection ended: reconnect after a backoff, or stop and say why when retrying cannot help. */
  #closed(socket, code, message = '') {
    if (this.#socket !== socket) return;
    this.#socket = null;
    for (const club of this.#clubs.values()) club.joined = false;
    this.#joining.clear();
    this.#abandonReads();
    if (!this.#wanted) return;
    const exp = this.#token ? tokenExpiry(this.#token) : null;
    const reason = reasonOf(code, this.#welcomed, exp !== null && Date.now() >= exp * 1000 - RENEW_AHEAD_MS);
    if (reason === 'refused') this.#refusedInARow++;
    if (this.#options.getToken && (reason === 'refused' || reason === 'token-expired')) this.#token = null;
    // 4000 and up are this client's own closes (a token refresh), whose reason the server only echoes.
    const said = message && code < 4000 ? { message } : {};
    if (reason === 'refused' && this.#refusedInARow >= REFUSALS_BEFORE_GIVING_UP) {
      this.#fail('refused', said);
      return;
    }
    const delay = backoffMs(this.#attempt++, this.#options.random);
    this.#emit('state', { state: 'reconnecting', retryAt: Date.now() + delay, reason, code, ...said });
    this.#retryTimer = setTimeout(() => this.#open(), delay);
  }

  /**
   * A token is renewed a minute before it expires, on the live connection (`auth`); if the server refuses
   * the fresh token, or the app cannot give one, the client reconnects and asks again.
   */
  #scheduleRefresh(token) {
    clearTimeout(this.#refreshTimer);
    const exp = tokenExpiry(token);
    if (!exp) return;
    const inMs = Math.max(5_000, exp * 1000 - Date.now() - RENEW_AHEAD_MS);
    this.#refreshTimer = setTimeout(() => this.#refresh(), inMs);
  }

  async #refresh() {
    let fresh = null;
    try {
      fresh = await this.#options.getToken();
    } catch {
      fresh = null;
    }
    if (fresh && this.#send({ type: 'auth', token: fresh, id: REFRESH_ID })) {
      this.#token = fresh;
      return;
    }
    this.#token = null;
    this.#socket?.close(4001, 'token refresh');
  }

  /** Reads still waiting when the connection ends get no answer: they are rejected as `offline`. */
  #abandonReads() {
    for (const { reject } of this.#reading.values()) {
      reject(Object.assign(new Error('the connection ended before the answer came'), { code: 'offline' }));
    }
    this.#reading.clear();
  }

  #fail(reason, said = {}) {
    this.#wanted = false;
    clearTimeout(this.#refreshTimer);
    this.#emit('state', { state: 'failed', reason, ...said });
  }

  #receive(frame) {
    switch (frame.type) {
      case 'welcome':
        this.#welcomed = true;
        this.#attempt = 0;
        this.#refusedInARow = 0;
        this.#emit('state', { state: 'online', name: frame.name });
        for (const clubId of this.#clubs.keys()) this.#sendJoin(clubId);
        break;
      case 'joined':
        this.#onJoined(frame);
        break;
      case 'chat':
        this.#onSeq(frame, () => this.#emit('chat', frame));
        break;
      case 'ack':
        this.#onAck(frame);
        break;
      case 'history': {
        const read = this.#reading.get(frame.id);
        this.#reading.delete(frame.id);
        read?.resolve({ clubId: frame.clubId, messages: frame.messages, more: frame.more });
        break;
      }
      case 'deleted':
        this.#onDeleted(frame);
        break;
      case 'members': {
        const read = this.#reading.get(frame.id);
        this.#reading.delete(frame.id);
        read?.resolve({ clubId: frame.clubId, names: frame.names, count: frame.count, more: frame.more });
        break;
      }
      case 'left':
        // Unasked (a renewed token no longer allows the club): the club is not joined again.
        if (frame.reason) this.#forget(frame.clubId);
        this.#emit('left', frame);
        break;
      case 'authed':
        this.#scheduleRefresh(this.#token);
        this.#emit('refreshed', { exp: frame.exp });
        break;
      case 'error':
        if (frame.id === REFRESH_ID) {
          // The fresh token was refused: a new connection asks the app for another.
          this.#token = null;
          this.#socket?.close(4001, 'token refresh refused');
          break;
        }
        this.#onError(frame);
        break;
      default:
        this.#emit(frame.type, frame);
    }
  }

  #onJoined(frame) {
    const asked = this.#joining.get(frame.id);
    this.#joining.delete(frame.id);
    this.#joinRefusals.delete(frame.clubId);
    const club = this.#clubs.get(frame.clubId);
    if (!club || !asked) return;
    const rejoin = club.epoch !== null;
    const epochChanged = rejoin && club.epoch !== frame.epoch;
    const since = epochChanged ? 0 : asked.since;
    if (rejoin && frame.recovered === false && !epochChanged && frame.firstSeq - 1 > since) {
      const lost = { clubId: frame.clubId, from: since + 1, to: frame.firstSeq - 1 };
      this.#emit('lost', { ...lost, count: lost.to - lost.from + 1 });
    }
    // A capped replay starts at `replayFrom`: what lies between is held, not lost, and read on demand.
    const skippedFrom = Math.max(since + 1, frame.firstSeq);
    if (frame.replayFrom !== undefined && frame.replayFrom > skippedFrom) {
      const skipped = { clubId: frame.clubId, from: skippedFrom, to: frame.replayFrom - 1 };
      this.#emit('skipped', { ...skipped, count: skipped.to - skipped.from + 1 });
      // What the client holds runs on from the replay's start: reading earlier goes back through the skipped.
      club.oldest = frame.replayFrom;
    } else if (epochChanged) {
      club.oldest = null;
    }
    club.epoch = frame.epoch;
    // The replay starts at the oldest message history holds after `since`, or where a capped one begins;
    // live ones follow `seq`.
    club.lastSeq = Math.max(since, frame.firstSeq - 1, (frame.replayFrom ?? 0) - 1);
    if (club.lastSeq > frame.seq) club.lastSeq = frame.seq;
    club.joined = true;
    this.#emit('joined', { ...frame, rejoin, epochChanged });
    for (const [key, sent] of this.#unsettled) {
      if (sent.clubId === frame.clubId) {
        if (sent.tried) this.#emit('resending', { key, ...this.#public(sent) });
        this.#sendChat(key);
      }
    }
  }

  /**
   * A club's seqs come without gaps: a frame one past the last is handed on, an older one was seen
   * already, and a jump means frames were missed, so the club is joined again from where it stood.
   */
  #onSeq(frame, handOn) {
    const club = this.#clubs.get(frame.clubId);
    if (!club || !club.joined || frame.seq <= club.lastSeq) return;
    if (frame.seq > club.lastSeq + 1) {
      club.joined = false;
      this.#sendJoin(frame.clubId);
      return;
    }
    club.lastSeq = frame.seq;
    if (club.oldest === null) club.oldest = frame.seq;
    handOn();
  }

  /**
   * The answer to this client's `delete`, or news of a deletion: an earlier message's, or in a replay
   * a tombstone holding its seq in place of the message (then it takes its place in the club's seqs).
   */
  #onDeleted(frame) {
    const deleted = { clubId: frame.clubId, seq: frame.seq };
    const asked = this.#reading.get(frame.id);
    if (asked) {
      this.#reading.delete(frame.id);
      asked.resolve(deleted);
    }
    const club = this.#clubs.get(frame.clubId);
    if (!asked && club && frame.seq > club.lastSeq) {
      this.#onSeq(frame, () => this.#emit('deleted', deleted));
    } else {
      this.#emit('deleted', deleted);
    }
  }

  /** An ack settles its chat whatever else; a fresh one (not a duplicate) also takes its place in the club's seqs. */
  #onAck(frame) {
    if (!frame.duplicate) this.#onSeq(frame, () => {});
    const sent = this.#unsettled.get(frame.id);
    if (!sent) return;
    this.#unsettled.delete(frame.id);
    this.#chatRefusals.delete(frame.id);
    this.#emit('sent', { key: frame.id, ...this.#public(sent), seq: frame.seq, duplicate: frame.duplicate === true });
  }

  #onError(frame) {
    const read = this.#reading.get(frame.id);
    if (read) {
      this.#reading.delete(frame.id);
      read.reject(Object.assign(new Error(frame.message), { code: frame.code }));
      return;
    }
    const join = this.#joining.get(frame.id);
    if (join) {
      this.#joining.delete(frame.id);
      if (RETRIED_ERRORS.has(frame.code)) this.#retryJoin(join.clubId, frame.retryAfter);
      else this.#emit('error', { ...frame, clubId: join.clubId });
      return;
    }
    const sent = this.#unsettled.get(frame.id);
    if (!sent) {
      this.#emit('error', frame);
      return;
    }
    if (RETRIED_ERRORS.has(frame.code)) {
      const refusals = this.#chatRefusals.get(frame.id) ?? 0;
      this.#chatRefusals.set(frame.id, refusals + 1);
      setTimeout(() => this.#sendChat(frame.id), frame.retryAfter ?? backoffMs(refusals, this.#options.random));
      return;
    }
    this.#unsettled.delete(frame.id);
    this.#emit('failed', { key: frame.id, ...this.#public(sent), code: frame.code, text: frame.message });
  }

  #public(sent) {
    return { clubId: sent.clubId, message: sent.message };
  }

  #sendJoin(clubId) {
    const club = this.#clubs.get(clubId);
    const id = `j${this.#nextId++}`;
    const join = { type: 'join', clubId, since: club.lastSeq, id };
    if (club.epoch) join.epoch = club.epoch;
    if (this.#send(join)) this.#joining.set(id, { clubId, since: club.lastSeq });
  }

  /** The key doubles as the request id: replies name the chat they settle. */
  #sendChat(key) {
    const sent = this.#unsettled.get(key);
    if (!sent || !this.#clubs.get(sent.clubId)?.joined) return;
    if (this.#send({ type: 'chat', clubId: sent.clubId, message: sent.message, key, id: key })) sent.tried = true;
  }

  /**
   * A join the server could not take just now is tried again, while the club is still wanted: after the
   * `retryAfter` a `rate_limited` says, else after a backoff.
   */
  #retryJoin(clubId, retryAfter) {
    const refusals = this.#joinRefusals.get(clubId) ?? 0;
    this.#joinRefusals.set(clubId, refusals + 1);
    setTimeout(() => {
      if (this.#clubs.has(clubId) && this.online) this.#sendJoin(clubId);
    }, retryAfter ?? backoffMs(refusals, this.#options.random));
  }

  #send(frame) {
    if (this.#socket?.readyState !== this.#WebSocket.OPEN) return false;
    this.#socket.send(JSON.stringify(frame));
    return true;
  }

  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
