// The club-chat protocol in the browser: one WebSocket, automatic reconnect with exponential backoff and
// jitter, and re-joining every club with `since` and `epoch` so nothing is lost or shown twice.
// It knows nothing of the page: it emits events that app.js renders.

const BACKOFF_FIRST_MS = 500;
const BACKOFF_MAX_MS = 30_000;
/** Refusals of a join that pass by themselves; any other error (forbidden, too_many_clubs) is the app's to show. */
const RETRIED_JOIN_ERRORS = new Set(['rate_limited', 'unavailable']);

/** ws:// or wss:// to match the page, under the page's own path: standalone, in a WAR, behind a proxy. */
export function endpointFor(pageUrl, name) {
  const url = new URL('chat', pageUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.search = '';
  url.hash = '';
  if (name) url.searchParams.set('name', name);
  return url.toString();
}

/** Backoff for the n-th attempt in a row (0-based): doubling, capped, with ±50 % jitter so clients spread out. */
export function backoffMs(attempt, random = Math.random) {
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** attempt);
  return Math.round(base * (0.5 + random()));
}

export class ChatClient extends EventTarget {
  #url;
  #socket = null;
  #attempt = 0;
  #retryTimer = null;
  #wanted = false;
  #nextId = 1;
  /**
   * clubId -> { epoch, lastSeq }: where each club's stream stands. Every join sends `since` (0 the first
   * time, so a newcomer sees the recent history) and, once known, `epoch`.
   */
  #clubs = new Map();
  /** request id -> { clubId, message }: own messages waiting for their ack. */
  #pending = new Map();
  /** request id -> clubId: joins waiting for their `joined`. */
  #joining = new Map();
  /** clubId -> joins refused in a row (`rate_limited`, `unavailable`), for the retry's backoff. */
  #joinRefusals = new Map();

  constructor(url) {
    super();
    this.#url = url;
  }

  get clubs() {
    return [...this.#clubs.keys()];
  }

  get online() {
    return this.#socket?.readyState === WebSocket.OPEN;
  }

  connect() {
    this.#wanted = true;
    this.#open();
  }

  /** Closes for good (no reconnect), as the user asked. */
  disconnect() {
    this.#wanted = false;
    clearTimeout(this.#retryTimer);
    this.#socket?.close(1000, 'bye');
    this.#emit('state', { state: 'offline' });
  }

  /** Drops the connection as a network would, without telling the server; the client reconnects. */
  dropConnection() {
    this.#socket?.close(4000, 'dropped');
  }

  join(clubId) {
    if (!this.#clubs.has(clubId)) this.#clubs.set(clubId, { epoch: null, lastSeq: 0 });
    this.#sendJoin(clubId);
  }

  leave(clubId) {
    this.#clubs.delete(clubId);
    this.#send({ type: 'leave', clubId });
  }

  /** Sends a chat message; returns its request id, which the `ack` (or `error`) event carries back. */
  chat(clubId, message) {
    const id = `m${this.#nextId++}`;
    this.#pending.set(id, { clubId, message });
    if (!this.#send({ type: 'chat', clubId, message, id })) {
      this.#pending.delete(id);
      return null;
    }
    return id;
  }

  #open() {
    clearTimeout(this.#retryTimer);
    this.#emit('state', { state: 'connecting' });
    const socket = new WebSocket(this.#url);
    this.#socket = socket;
    socket.onmessage = (event) => this.#receive(JSON.parse(event.data));
    socket.onclose = (event) => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      this.#failPending();
      if (!this.#wanted) return;
      const delay = backoffMs(this.#attempt++);
      this.#emit('state', { state: 'reconnecting', retryAt: Date.now() + delay, code: event.code });
      this.#retryTimer = setTimeout(() => this.#open(), delay);
    };
  }

  #receive(frame) {
    switch (frame.type) {
      case 'welcome':
        this.#attempt = 0;
        this.#emit('state', { state: 'online', name: frame.name });
        for (const clubId of this.#clubs.keys()) this.#sendJoin(clubId);
        break;
      case 'joined': {
        this.#joining.delete(frame.id);
        this.#joinRefusals.delete(frame.clubId);
        const club = this.#clubs.get(frame.clubId);
        if (!club) break;
        const rejoin = club.epoch !== null;
        const epochChanged = rejoin && club.epoch !== frame.epoch;
        // A new epoch restarts seqs at 1 and the server replays its whole history: start counting again.
        if (epochChanged) club.lastSeq = 0;
        club.epoch = frame.epoch;
        this.#emit('joined', { ...frame, rejoin, epochChanged });
        break;
      }
      case 'chat': {
        const club = this.#clubs.get(frame.clubId);
        if (!club || frame.seq <= club.lastSeq) break;
        club.lastSeq = frame.seq;
        this.#emit('chat', frame);
        break;
      }
      case 'ack': {
        const sent = this.#pending.get(frame.id);
        this.#pending.delete(frame.id);
        const club = this.#clubs.get(frame.clubId);
        if (club) club.lastSeq = Math.max(club.lastSeq, frame.seq);
        this.#emit('ack', { ...frame, message: sent?.message });
        break;
      }
      case 'error': {
        const refusedJoin = this.#joining.get(frame.id);
        this.#joining.delete(frame.id);
        if (refusedJoin !== undefined && RETRIED_JOIN_ERRORS.has(frame.code)) {
          this.#retryJoin(refusedJoin);
          break;
        }
        if (frame.id) this.#pending.delete(frame.id);
        this.#emit('error', frame);
        break;
      }
      default:
        this.#emit(frame.type, frame);
    }
  }

  #sendJoin(clubId) {
    const club = this.#clubs.get(clubId);
    const id = `j${this.#nextId++}`;
    const join = { type: 'join', clubId, since: club.lastSeq, id };
    if (club.epoch) join.epoch = club.epoch;
    if (this.#send(join)) this.#joining.set(id, clubId);
  }

  /** A join the server could not take just now is tried again after a backoff, while the club is still wanted. */
  #retryJoin(clubId) {
    const refusals = this.#joinRefusals.get(clubId) ?? 0;
    this.#joinRefusals.set(clubId, refusals + 1);
    setTimeout(() => {
      if (this.#clubs.has(clubId) && this.online) this.#sendJoin(clubId);
    }, backoffMs(refusals));
  }

  #send(frame) {
    if (!this.online) return false;
    this.#socket.send(JSON.stringify(frame));
    return true;
  }

  /** Messages without an ack when the connection went: the server may not have them. */
  #failPending() {
    for (const [id, sent] of this.#pending) this.#emit('unsent', { id, ...sent });
    this.#pending.clear();
  }

  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
