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
const $ = (id) => document.getElementById(id);

let client = null;
let myName = null;
let current = null;
let countdown = null;
/** clubId -> { list, members, unread, entry }: each club's message list, member names and sidebar entry. */
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

function showState({ state, retryAt, name }) {
  const badge = $('state');
  badge.dataset.state = state;
  clearInterval(countdown);
  if (state === 'online') badge.textContent = `online as ${name}`;
  else if (state === 'connecting') badge.textContent = 'connecting…';
  else if (state === 'reconnecting') {
    const tick = () => {
      badge.textContent = `reconnecting in ${Math.max(0, Math.ceil((retryAt - Date.now()) / 1000))} s`;
    };
    tick();
    countdown = setInterval(tick, 250);
  } else badge.textContent = 'offline';
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
  $('conversation').insertBefore(list, $('composer'));
  const button = element('button');
  button.type = 'button';
  button.dataset.club = clubId;
  button.append(element('span', 'club-label', clubId), element('span', 'unread'));
  button.addEventListener('click', () => select(clubId));
  const entry = element('li');
  entry.append(button);
  $('clubs').append(entry);
  club = { list, members: [], unread: 0, entry, button };
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
}

function renderUnread(club) {
  club.button.querySelector('.unread').textContent = club.unread ? String(club.unread) : '';
}

function renderMembers(club) {
  if (clubs.get(current) !== club) return;
  $('members').replaceChildren(...club.members.map((name) => element('li', name === myName ? 'me' : '', name)));
  $('member-count').textContent = `(${club.members.length})`;
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

function messageItem({ from, message, ts, seq }, mine) {
  const item = element('li', mine ? 'mine' : '');
  const meta = element('span', 'meta');
  meta.append(element('span', 'from', mine ? 'you' : from), element('time', '', ts ? new Date(ts).toLocaleTimeString() : 'sending…'));
  item.append(meta, element('span', 'text', message));
  item.dataset.from = from;
  if (seq) item.dataset.seq = String(seq);
  return item;
}

function showError(text) {
  $('composer-error').textContent = text;
}

function onChat({ detail: chat }) {
  const club = clubs.get(chat.clubId);
  if (!club) return;
  const mine = chat.from === myName;
  if (mine) {
    // Our own message, accepted before a dropped connection could deliver its ack: drop the unsent copy.
    const unsent = [...club.list.querySelectorAll('li.unsent')].find((li) => li.querySelector('.text').textContent === chat.message);
    unsent?.remove();
  }
  append(club, messageItem(chat, mine));
  if (chat.clubId !== current) {
    club.unread += 1;
    renderUnread(club);
  }
}

function onAck({ detail: ack }) {
  const item = document.querySelector(`li[data-id="${CSS.escape(ack.id ?? '')}"]`);
  if (!item) return;
  item.classList.remove('pending');
  item.dataset.seq = String(ack.seq);
  item.removeAttribute('data-id');
  item.querySelector('time').textContent = new Date().toLocaleTimeString();
}

function onJoined({ detail: joined }) {
  const club = clubView(joined.clubId);
  club.members = joined.members;
  renderMembers(club);
  if (joined.epochChanged) notice(club, 'The server restarted.');
  if (joined.rejoin && joined.recovered === false) notice(club, 'Some earlier messages could not be loaded.');
  if (!current || !clubs.has(current)) select(joined.clubId);
}

function onPresence({ detail: presence }) {
  const club = clubs.get(presence.clubId);
  if (!club) return;
  const others = club.members.filter((name) => name !== presence.name);
  club.members = presence.event === 'join' ? [...others, presence.name].sort() : others;
  renderMembers(club);
  notice(club, `${presence.name} ${presence.event === 'join' ? 'joined' : 'left'}`);
}

function onError({ detail: error }) {
  if (error.id) document.querySelector(`li[data-id="${CSS.escape(error.id)}"]`)?.remove();
  showError(ERRORS[error.code] ?? 'Something went wrong. Reloading the page may help.');
}

function onUnsent({ detail: unsent }) {
  const item = document.querySelector(`li[data-id="${CSS.escape(unsent.id)}"]`);
  if (!item) return;
  item.classList.replace('pending', 'unsent');
  item.querySelector('time').textContent = 'not sent: the connection dropped';
}

function connect(name) {
  client?.disconnect();
  myName = name || null;
  client = new ChatClient(endpointFor(location.href, name));
  window.clubChat = { client };
  client.addEventListener('state', ({ detail }) => {
    if (detail.name) myName = detail.name;
    showState(detail);
  });
  client.addEventListener('joined', onJoined);
  client.addEventListener('chat', onChat);
  client.addEventListener('ack', onAck);
  client.addEventListener('presence', onPresence);
  client.addEventListener('error', onError);
  client.addEventListener('unsent', onUnsent);
  for (const clubId of clubs.keys()) client.join(clubId);
  client.connect();
}

function leave() {
  const club = clubs.get(current);
  if (!club) return;
  client?.leave(current);
  club.list.remove();
  club.entry.remove();
  clubs.delete(current);
  saveClubs();
  select(clubs.keys().next().value ?? null);
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
  const id = client?.chat(current, text);
  if (!id) {
    showError('You are offline: the message was not sent.');
    return;
  }
  showError('');
  const item = messageItem({ from: myName, message: text }, true);
  item.classList.add('pending');
  item.dataset.id = id;
  append(clubs.get(current), item);
  input.value = '';
});

$('leave').addEventListener('click', leave);

const remembered = localStorage.getItem(NAME_KEY);
if (remembered !== null) {
  $('name').value = remembered;
  for (const clubId of JSON.parse(localStorage.getItem(CLUBS_KEY) ?? '[]')) clubView(clubId);
  connect(remembered);
}
