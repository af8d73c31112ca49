// Types of webapp/js/client.js, for TypeScript apps (docs/client.md).

export type ConnectionState = 'connecting' | 'online' | 'reconnecting' | 'offline' | 'failed';

export interface StateDetail {
  state: ConnectionState;
  /** The name the server knows this connection by (`online`). */
  name?: string;
  /** When the next attempt starts, epoch ms (`reconnecting`). */
  retryAt?: number;
  /** Why it is not online (`reconnecting`, `failed`). */
  reason?: 'dropped' | 'refused' | 'token-expired' | 'server-full' | 'server-stopping' | 'no-token';
  /** The close code that ended the connection (`reconnecting`). */
  code?: number;
  /** The server's own words when it closed with a reason, such as why the application refused the connection (`reconnecting`, `failed`). */
  message?: string;
}

export interface ChatClientOptions {
  /** The `/chat` endpoint, ws: or wss:. */
  url: string;
  /** Open mode: the display name. */
  name?: string;
  /** Token mode: a fresh token, asked before each connection that needs one. */
  getToken?: () => Promise<string>;
  /** Defaults to the global WebSocket. */
  WebSocket?: typeof WebSocket;
  /** The backoff's jitter; defaults to Math.random. */
  random?: () => number;
}

export interface Joined {
  clubId: string;
  /** The names in code point order; in a large club, the first ones only (`count` says how many there are). */
  members: string[];
  seq: number;
  epoch: string;
  recovered?: boolean;
  firstSeq: number;
  /** How many distinct names are in the club. */
  count: number;
  /** Only when the server capped the replay: the first seq it replays (a `skipped` event names the rest). */
  replayFrom?: number;
  /** A join again after a reconnect or a gap. */
  rejoin: boolean;
  /** The club started over (a new epoch): earlier messages are gone. */
  epochChanged: boolean;
}

export interface Lost { clubId: string; from: number; to: number; count: number; }
/** Messages a capped replay left out: still held, read with `loadEarlier` or `history`. */
export interface Skipped { clubId: string; from: number; to: number; count: number; }
/** One message read back: a chat, or one deleted in its place. */
export type HeldMessage = { seq: number; from: string; message: string; ts: number } | { seq: number; deleted: true };
export interface Page { messages: HeldMessage[]; more: boolean; }
export interface Chat { clubId: string; from: string; message: string; seq: number; ts: number; }
/** A message deleted by its sender or an operator, or a tombstone a replay holds in its place. */
export interface Deleted { clubId: string; seq: number; }
export interface Presence { clubId: string; event: 'join' | 'leave'; name: string; }
/** In a large club, instead of presence: how many distinct names are in it. */
export interface Count { clubId: string; count: number; }
export interface MembersPage { clubId: string; names: string[]; count: number; more: boolean; }
export interface Sent { key: string; clubId: string; message: string; seq: number; duplicate: boolean; }
export interface Resending { key: string; clubId: string; message: string; }
export interface Failed { key: string; clubId: string; message: string; code: string; text: string; }
export interface Refreshed { exp: number; }
export interface Left { clubId: string; reason?: 'forbidden'; }
/** `retryAfter` (rev 3): with `rate_limited`, the milliseconds to wait before sending that request again. */
export interface ServerError { code: string; message: string; id?: string; clubId?: string; retryAfter?: number; }

export interface ChatClientEventMap {
  state: CustomEvent<StateDetail>;
  joined: CustomEvent<Joined>;
  lost: CustomEvent<Lost>;
  skipped: CustomEvent<Skipped>;
  chat: CustomEvent<Chat>;
  deleted: CustomEvent<Deleted>;
  presence: CustomEvent<Presence>;
  count: CustomEvent<Count>;
  sent: CustomEvent<Sent>;
  resending: CustomEvent<Resending>;
  failed: CustomEvent<Failed>;
  refreshed: CustomEvent<Refreshed>;
  left: CustomEvent<Left>;
  error: CustomEvent<ServerError>;
}

export declare function endpointFor(pageUrl: string | URL): string;
export declare function backoffMs(attempt: number, random?: () => number): number;
export declare function tokenExpiry(token: string): number | null;

export declare class ChatClient extends EventTarget {
  constructor(options: ChatClientOptions);
  readonly clubs: string[];
  readonly online: boolean;
  readonly unsettled: Array<[string, { clubId: string; message: string }]>;
  connect(): void;
  disconnect(): void;
  dropConnection(): void;
  join(clubId: string): void;
  leave(clubId: string): void;
  /** Sends with a fresh key and returns it; `sent` or `failed` settles it, exactly once. */
  chat(clubId: string, message: string): string;
  /** The club's stored messages below `before` (the newest without it), at most `limit` (1–100, default 50); rejects with an Error whose `code` is the server's, or `offline`. */
  history(clubId: string, options?: { before?: number; limit?: number }): Promise<Page>;
  /** A page of the club's names in code point order after `after`, at most `limit` (1–1000, default 1000). */
  members(clubId: string, options?: { after?: string; limit?: number }): Promise<MembersPage>;
  /** Deletes one of this sender's messages for everyone; rejects with an Error whose `code` is the server's (`forbidden`, `not_found`, …), or `offline`. */
  deleteMessage(clubId: string, seq: number): Promise<Deleted>;
  /** The messages before the oldest one handed on in the club (a scroll to the top); `more: false` at the beginning. */
  loadEarlier(clubId: string, limit?: number): Promise<Page>;
  addEventListener<K extends keyof ChatClientEventMap>(type: K, listener: (event: ChatClientEventMap[K]) => void,
    options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions): void;
}
