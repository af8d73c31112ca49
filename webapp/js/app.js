// The page: renders what ChatClient reports. Everything that comes from the server or a peer is put in
// the page with textContent, never as HTML.
import { ChatClient, endpointFor } from './client.js';

const NAME_KEY = 'clubchat.name';
const CLUBS_KEY = 'clubchat.clubs';
const ERRORS = {
  too_long: 'That message is empty or too long.',
  rate_limited: 'You are sending messages too quickly. Wait a moment and try again.',
  forbidden: 'You are not allowed in that club.',
  too_many_clubs: 'You are in as many clubs as allowed. Leave one first.',
  invalid_club: 'Club names are 1-64 letters, digits, "-", "_" or ".".',
  not_member: 'Join the club first.',
  unavailable: 'The chat service is having trouble, so your message was not sent. Try again in a moment.',
};
/** What the connection state says when it is not online: why, and what happens next. */
const WHY = {
  dropped: 'connection lost',
  refused: 'the server refused the connection',
  'token-expired': 'your session expired, getting a new one',
  'server-full': 'the server is busy',
  'server-stopping': 'the server is restarting',
};
const GAVE_UP = {
  refused: 'The server refuses this connection (a name, sign-in or site it does not accept). Reload the page to try again.',
  'no-token': 'You are not signed in, so there is no chat token for you. Sign in, then reload the page.',
};
const $ = (id) => document.getElementById(id);

let client = null;
/** Where the page gets a token in token mode (page-config.json), or null in open mode. */
let tokenUrl = null;
let tokenMode = false;
let current = null;
let countdown = null;
/** The name the server gave this connection: messages under it offer to be deleted (the server decides). */
let myName = null;
/** How many names one click on "Show more names" reads in a large club. */
const NAMES_PAGE = 200;
/** How many messages one scroll to the top, or one click on the skipped ones, reads back. */
const PAGE = 50;
/** How close to the top of a list (px) reading earlier messages starts. */
const NEAR_TOP = 40;
/** How long a club's messages must pause before the page looks whether its list fills its box. */
const SETTLE_MS = 200;
/**
 * clubId -> { list, members, unread, entry, epoch, top, reading, begun, settling }: each club's message
 * list, member names, sidebar entry and run; its top line (what reading back is doing), whether a read
 * is under way, whether the beginning of the club is shown, and the timer that waits for a burst to end.
 */
const clubs = new Map();

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function isValidName(name) {
  const chars = [...name];
  return chars.length >= 1 && chars.length <= 32 && !/\p{Cc}/u.test(name);
}

function showState({ state, retryAt, name, reason, message }) {
  const badge = $('state');
  badge.dataset.state = state;
  clearInterval(countdown);
  if (state === 'online') {
    badge.textContent = `online as ${name}`;
    myName = name;
  }
  else if (state === 'connecting') badge.textContent = 'connecting…';
  else if (state === 'reconnecting') {
    const why = message && reason === 'refused' ? `${WHY.refused}: ${message}`
      : message && reason === 'dropped' ? `the server closed the connection: ${message}`
        : WHY[reason] ?? 'offline';
    const tick = () => {
      badge.textContent = `${why}; retrying in ${Math.max(0, Math.ceil((retryAt - Date.now()) / 1000))} s`;
    };
    tick();
    countdown = setInterval(tick, 250);
  } else if (state === 'failed' && reason === 'refused' && message) {
    badge.textContent = `The server refuses this connection: ${message}. Reload the page to try again.`;
  } else if (state === 'failed') badge.textContent = GAVE_UP[reason] ?? 'The connection failed. Reload the page to try again.';
  else badge.textContent = 'offline';
}

function saveClubs() {
  localStorage.setItem(CLUBS_KEY, JSON.stringify([...clubs.keys()]));
}

function clubView(clubId) {
  let club = clubs.get(clubId);
  if (club) return club;
  const list = element('ol', 'messages');
  list.dataset.club = clubId;
  list.hidden = true;
  list.setAttribute('aria-live', 'polite');
  const top = element('li', 'top-line');
  top.hidden = true;
  list.append(top);
  list.addEventListener('scroll', () => readEarlier(clubId));
  $('conversation').insertBefore(list, $('composer'));
  const button = element('button');
  button.type = 'button';
  button.dataset.club = clubId;
  button.append(element('span', 'club-label', clubId), element('span', 'unread'));
  button.addEventListener('click', () => select(clubId));
  const entry = element('li');
  entry.append(button);
  $('clubs').append(entry);
  club = { list, members: [], unread: 0, entry, button, top, reading: false, begun: false };
  clubs.set(clubId, club);
  saveClubs();
  return club;
}

function select(clubId) {
  current = clubId;
  for (const [id, club] of clubs) {
    club.list.hidden = id !== clubId;
    club.button.setAttribute('aria-current', String(id === clubId));
  }
  const club = clubs.get(clubId);
  $('view').hidden = !club;
  $('empty').hidden = Boolean(club);
  if (!club) return;
  $('club-name').textContent = clubId;
  club.unread = 0;
  renderUnread(club);
  renderMembers(club);
  club.list.scrollTop = club.list.scrollHeight;
  $('message').focus();
  readEarlier(clubId);
}

function renderUnread(club) {
  club.button.querySelector('.unread').textContent = club.unread ? String(club.unread) : '';
}

function renderMembers(club) {
  if (clubs.get(current) !== club) return;
  const count = club.count ?? club.members.length;
  const items = club.members.map((name) => element('li', '', name));
  if (club.large) {
    // A large club sends counts, not who comes and goes: the names are read in pages when wanted.
    const more = element('button', 'more-names', club.members.length < count
      ? `Show more names (${club.members.length} of ${count})` : 'Refresh the names');
    more.type = 'button';
    more.addEventListener('click', () => readNames(club));
    const entry = element('li', 'names-more');
    entry.append(more);
    items.push(entry);
  }
  $('members').replaceChildren(...items);
  $('member-count').textContent = `(${count})`;
}

/**
 * The next page of a large club's names (code point order), or from the first again once every name
 * counted is shown; a page that ends the list tells whether the club is still large.
 */
async function readNames(club) {
  const clubId = club.list.dataset.club;
  const fromStart = club.members.length >= (club.count ?? 0);
  try {
    const page = await client.members(clubId, { after: fromStart ? undefined : club.members.at(-1), limit: NAMES_PAGE });
    club.members = fromStart ? page.names : [...club.members, ...page.names];
    club.count = page.count;
    if (!page.more && fromStart) club.large = page.count > club.members.length;
  } catch (refused) {
    showError(refused.code === 'offline' ? 'You are offline: the names can be read once the connection is back.'
      : 'The names could not be read just now. Try again in a moment.');
  }
  renderMembers(club);
}

/** Appends to a club's list, keeping it scrolled to the newest unless the reader scrolled up. */
function append(club, item) {
  const list = club.list;
  const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 8;
  list.append(item);
  if (atBottom || list.hidden) list.scrollTop = list.scrollHeight;
}

function notice(club, text) {
  append(club, element('li', 'notice', text));
}

/** A message; {@code mine} only for what this page sent (by its key), never by the name it carries. */
function messageItem({ from, message, ts, seq, deleted }, mine) {
  if (deleted) {
    const gone = element('li', 'deleted', 'message deleted');
    gone.dataset.seq = String(seq);
    return gone;
  }
  const item = element('li', mine ? 'mine' : '');
  const meta = element('span', 'meta');
  meta.append(element('span', 'from', mine ? 'you' : from), element('time', '', ts ? new Date(ts).toLocaleTimeString() : 'sending…'));
  if (mine || (from !== undefined && from === myName)) {
    const remove = element('button', 'delete', 'delete');
    remove.type = 'button';
    remove.setAttribute('aria-label', 'delete this message for everyone');
    remove.addEventListener('click', () => confirmDelete(item));
    meta.append(remove);
  }
  item.append(meta, element('span', 'text', message));
  if (from) item.dataset.from = from;
  if (seq) item.dataset.seq = String(seq);
  return item;
}

/** What a refused deletion tells the reader. */
const DELETE_ERRORS = {
  forbidden: 'You can only delete your own messages.',
  not_found: 'That message is no longer kept, so it cannot be deleted.',
  rate_limited: ERRORS.rate_limited,
  unavailable: 'The chat service is having trouble, so the message was not deleted. Try again in a moment.',
  offline: 'You are offline: delete the message once the connection is back.',
};

/** Asks, in the message itself, whether to delete it for everyone; the server's `deleted` then shows it gone. */
function confirmDelete(item) {
  if (item.querySelector('.confirm') || !item.dataset.seq) return;
  const ask = element('span', 'confirm');
  const yes = element('button', 'confirm-delete', 'Delete for everyone');
  const no = element('button', 'keep', 'Keep');
  yes.type = 'button';
  no.type = 'button';
  ask.append(element('span', 'question', 'Delete this message for everyone?'), yes, no);
  no.addEventListener('click', () => ask.remove());
  yes.addEventListener('click', async () => {
    ask.remove();
    const clubId = item.closest('ol.messages')?.dataset.club;
    try {
      await client.deleteMessage(clubId, Number(item.dataset.seq));
    } catch (refused) {
      showError(DELETE_ERRORS[refused.code] ?? 'The message could not be deleted.');
    }
  });
  item.append(ask);
  yes.focus();
}

/**
 * A message was deleted (by its sender or an operator): it shows as "message deleted" in place. One the
 * page does not show is added only when it comes next in the club (a replay's tombstone).
 */
function onDeleted({ detail: deleted }) {
  const club = clubs.get(deleted.clubId);
  if (!club) return;
  const gone = messageItem({ seq: deleted.seq, deleted: true }, false);
  gone.dataset.epoch = club.epoch;
  const item = shown(club, deleted.seq);
  if (item) {
    item.replaceWith(gone);
  } else if (deleted.seq > (lastShown(club) ?? 0)) {
    append(club, gone);
  }
}

/** The item of a seq of the club's current run, if the page shows it already. */
function shown(club, seq) {
  return club.list.querySelector(`li[data-epoch="${CSS.escape(club.epoch ?? '')}"][data-seq="${seq}"]`);
}

function ownItem(key) {
  return document.querySelector(`li[data-key="${CSS.escape(key)}"]`);
}

function showError(text) {
  $('composer-error').textContent = text;
}

function onChat({ detail: chat }) {
  const club = clubs.get(chat.clubId);
  if (!club) return;
  // A replay after a reconnect brings back what this page sent and shows already.
  if (shown(club, chat.seq)) return;
  const item = messageItem(chat, false);
  item.dataset.epoch = club.epoch;
  append(club, item);
  // Once a burst (a replay) is in, a list that does not fill its box reads earlier messages by itself.
  clearTimeout(club.settling);
  club.settling = setTimeout(() => {
    if (club.list.scrollHeight <= club.list.clientHeight) readEarlier(chat.clubId);
  }, SETTLE_MS);
  if (chat.clubId !== current) {
    club.unread += 1;
    renderUnread(club);
  }
}

function onSent({ detail: sent }) {
  const item = ownItem(sent.key);
  if (!item) return;
  const club = clubs.get(sent.clubId);
  // The replay of a reconnect may have shown it before its ack came: keep this one, marked as ours.
  const replayed = club && shown(club, sent.seq);
  if (replayed && replayed !== item) replayed.remove();
  item.classList.remove('pending', 'resending');
  item.dataset.seq = String(sent.seq);
  if (club) item.dataset.epoch = club.epoch;
  item.querySelector('time').textContent = `sent ${new Date().toLocaleTimeString()}`;
}

function onResending({ detail: resent }) {
  const item = ownItem(resent.key);
  if (!item) return;
  item.classList.add('resending');
  item.querySelector('time').textContent = 'resending…';
}

function onFailed({ detail: failed }) {
  const item = ownItem(failed.key);
  item?.classList.replace('pending', 'unsent');
  if (item) item.querySelector('time').textContent = 'not sent';
  showError(ERRORS[failed.code] ?? 'The message could not be sent.');
}

/** The last message the list shows in the club's run, or null. */
function lastShown(club) {
  const items = club.list.querySelectorAll(`li[data-epoch="${CSS.escape(club.epoch ?? '')}"][data-seq]`);
  return items.length ? Number(items[items.length - 1].dataset.seq) : null;
}

/** The first message the list shows in the club's run: where reading earlier goes on from. */
function firstShown(club) {
  const first = club.list.querySelector(`li[data-epoch="${CSS.escape(club.epoch ?? '')}"][data-seq]`);
  return first ? Number(first.dataset.seq) : null;
}

/** Items for what was read back that the list does not show yet, tagged with the club's run. */
function readItems(club, messages, from = 1) {
  return messages.filter((m) => m.seq >= from && !shown(club, m.seq)).map((m) => {
    const item = messageItem(m, false);
    item.dataset.epoch = club.epoch;
    return item;
  });
}

/** Nothing older is held: at seq 1 that is the club's beginning; past it, retention or memory's limit. */
function begin(club, first) {
  club.begun = true;
  topLine(club, first === 1 ? 'the beginning of this club' : 'earlier messages are no longer kept');
}

function topLine(club, text) {
  club.top.textContent = text;
  club.top.hidden = !text;
}

/**
 * At the top of a club's list (or when it does not fill its box), reads the messages before the first
 * one shown and puts them above it, keeping the reader's place; says when the club's beginning is shown.
 */
async function readEarlier(clubId) {
  const club = clubs.get(clubId);
  if (!club || club.reading || club.begun || !club.epoch || club.list.hidden || club.list.scrollTop > NEAR_TOP) return;
  const before = firstShown(club);
  if (before === 1) {
    begin(club, 1);
    return;
  }
  if (before === null || !client?.online) return;
  club.reading = true;
  topLine(club, 'loading earlier messages…');
  const epoch = club.epoch;
  try {
    const page = await client.history(clubId, { before, limit: PAGE });
    if (club.epoch !== epoch) return;
    const height = club.list.scrollHeight;
    club.top.after(...readItems(club, page.messages));
    club.list.scrollTop += club.list.scrollHeight - height;
    if (page.more) topLine(club, '');
    else begin(club, firstShown(club));
  } catch {
    topLine(club, '');
  } finally {
    club.reading = false;
  }
  if (!club.begun) readEarlier(clubId);
}

/**
 * A capped replay: the skipped messages are held, not lost. With nothing shown above them, scrolling to
 * the top reads them; between older messages and the replay (a long absence), a line where they belong
 * offers them, a page a click, newest first, each page put just below the line.
 */
function onSkipped({ detail: skipped }) {
  const club = clubs.get(skipped.clubId);
  if (!club || firstShown(club) === null) return;
  const line = element('li', 'skipped');
  const button = element('button', 'load-skipped');
  button.type = 'button';
  let to = skipped.to;
  const label = () => {
    const count = to - skipped.from + 1;
    button.textContent = `${count} earlier ${count === 1 ? 'message' : 'messages'}, load them`;
  };
  label();
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const page = await client.history(skipped.clubId, { before: to + 1, limit: Math.min(PAGE, to - skipped.from + 1) });
      line.after(...readItems(club, page.messages, skipped.from));
      to = page.messages.length ? page.messages[0].seq - 1 : skipped.from - 1;
    } catch {
      // Offline or refused: the line stays, to be clicked again.
    } finally {
      button.disabled = false;
    }
    if (to < skipped.from) line.remove();
    else label();
  });
  line.append(button);
  append(club, line);
}

function onLost({ detail: lost }) {
  const club = clubs.get(lost.clubId);
  if (club) notice(club, `${lost.count} earlier ${lost.count === 1 ? 'message' : 'messages'} could not be recovered`);
}

function onJoined({ detail: joined }) {
  const club = clubView(joined.clubId);
  club.epoch = joined.epoch;
  club.members = joined.members;
  club.count = joined.count ?? joined.members.length;
  club.large = club.count > joined.members.length;
  renderMembers(club);
  if (joined.epochChanged) {
    notice(club, 'The club started over: earlier messages are gone.');
    club.begun = false;
    topLine(club, '');
  }
  if (!current || !clubs.has(current)) select(joined.clubId);
}

function onPresence({ detail: presence }) {
  const club = clubs.get(presence.clubId);
  if (!club) return;
  const others = club.members.filter((name) => name !== presence.name);
  club.members = presence.event === 'join' ? [...others, presence.name].sort() : others;
  club.count = club.large ? club.count + (presence.event === 'join' ? 1 : -1) : club.members.length;
  renderMembers(club);
  notice(club, `${presence.name} ${presence.event === 'join' ? 'joined' : 'left'}`);
}

/** A large club's member count: the list shown stays as read, and says it can be read again. */
function onCount({ detail: counted }) {
  const club = clubs.get(counted.clubId);
  if (!club) return;
  club.count = counted.count;
  club.large = true;
  renderMembers(club);
}

function onError({ detail: error }) {
  showError(ERRORS[error.code] ?? 'Something went wrong. Reloading the page may help.');
}

/** Token mode: the host application's token URL answers {"token": "…"} for its signed-in user. */
async function fetchToken() {
  const response = await fetch(tokenUrl, { credentials: 'include', headers: { Accept: 'application/json' } });
  if (!response.ok) throw new Error(`token URL answered ${response.status}`);
  return (await response.json()).token;
}

function connect(name) {
  client?.disconnect();
  const options = { url: endpointFor(location.href) };
  if (tokenMode) options.getToken = tokenUrl ? fetchToken : async () => { throw new Error('no token URL configured'); };
  else options.name = name;
  client = new ChatClient(options);
  window.clubChat = { client };
  client.addEventListener('state', ({ detail }) => showState(detail));
  client.addEventListener('joined', onJoined);
  client.addEventListener('chat', onChat);
  client.addEventListener('deleted', onDeleted);
  client.addEventListener('sent', onSent);
  client.addEventListener('resending', onResending);
  client.addEventListener('failed', onFailed);
  client.addEventListener('lost', onLost);
  client.addEventListener('skipped', onSkipped);
  client.addEventListener('presence', onPresence);
  client.addEventListener('count', onCount);
  client.addEventListener('error', onError);
  client.addEventListener('left', onLeft);
  for (const clubId of clubs.keys()) client.join(clubId);
  client.connect();
}

/** Takes a club off the page (the user left it, or the server ended the membership). */
function drop(clubId) {
  const club = clubs.get(clubId);
  if (!club) return;
  club.list.remove();
  club.entry.remove();
  clubs.delete(clubId);
  saveClubs();
  if (current === clubId) select(clubs.keys().next().value ?? null);
}

function leave() {
  if (!clubs.has(current)) return;
  client?.leave(current);
  drop(current);
}

function onLeft({ detail: left }) {
  if (left.reason !== 'forbidden') return;
  drop(left.clubId);
  showError(`You are no longer allowed in ${left.clubId}.`);
}

$('identity').addEventListener('submit', (event) => {
  event.preventDefault();
  const name = $('name').value.trim();
  if (name && !isValidName(name)) {
    showError('A name is 1-32 characters, without control characters.');
    return;
  }
  localStorage.setItem(NAME_KEY, name);
  connect(name);
});

$('join-club').addEventListener('submit', (event) => {
  event.preventDefault();
  const clubId = $('club').value.trim();
  if (!client) connect($('name').value.trim());
  clubView(clubId);
  client.join(clubId);
  select(clubId);
  $('club').value = '';
});

$('composer').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = $('message');
  const text = input.value;
  if (!text || !current) return;
  if (!client) return;
  const key = client.chat(current, text);
  showError(client.online ? '' : 'You are offline: the message goes out when the connection is back.');
  const item = messageItem({ message: text }, true);
  item.classList.add('pending');
  item.dataset.key = key;
  append(clubs.get(current), item);
  input.value = '';
});

$('leave').addEventListener('click', leave);

/** The server says whether it is in token mode and where the page gets tokens; an older server says nothing. */
async function loadConfig() {
  try {
    const response = await fetch(new URL('page-config.json', location.href));
    if (!response.ok) return;
    const config = await response.json();
    tokenMode = config.tokenMode === true;
    tokenUrl = config.tokenUrl ?? null;
  } catch {
    // Not served: open mode, as before.
  }
}

await loadConfig();
if (tokenMode) {
  // The name comes from the token: no name to pick.
  $('name').closest('form').hidden = true;
  $('empty').textContent = 'Join a club to start chatting.';
  for (const clubId of JSON.parse(localStorage.getItem(CLUBS_KEY) ?? '[]')) clubView(clubId);
  connect(null);
} else {
  const remembered = localStorage.getItem(NAME_KEY);
  if (remembered !== null) {
    $('name').value = remembered;
    for (const clubId of JSON.parse(localStorage.getItem(CLUBS_KEY) ?? '[]')) clubView(clubId);
    connect(remembered);
  }
}
