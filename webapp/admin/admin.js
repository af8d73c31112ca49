// The admin page: reads /api/summary and /metrics (docs/operations.md) with the API key the operator enters
// (so it works with CLUBCHAT_OPS_PROTECTED too) every 2 seconds, and the club it shows; the list of
// every club, which in Redis mode means scanning Redis, only when asked. Everything from the server is
// put in the page with textContent, never as HTML.
const KEY = 'clubchat.admin.key';
const $ = (id) => document.getElementById(id);
let key = sessionStorage.getItem(KEY);
let selected = null;
/** The open club's messages shown, by seq: the newest page, read again every 2 s, and the earlier pages asked for. */
let shown = new Map();
/** Whether the server holds messages older than the oldest shown. */
let moreHeld = false;
let lastDelivered = null;
let timer = null;

function element(tag, text) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  return node;
}

async function api(path, init = {}) {
  const response = await fetch(new URL(`..${path}`, location.href),
    { ...init, headers: { ...init.headers, Authorization: `Bearer ${key}` } });
  if (response.status === 401) throw new Error('the API key was refused');
  if (response.status === 404) throw new Error('the operations API is off: set CLUBCHAT_API_KEY on the server');
  return response;
}

/** Prometheus text: `name{labels} value` lines, as [name, labels, value]. */
function samples(text) {
  return text.split('\n').filter((line) => line && !line.startsWith('#')).map((line) => {
    const match = line.match(/^([a-z_:]+)(\{[^}]*\})?\s+(\S+)/);
    return match ? [match[1], match[2] ?? '', Number(match[3])] : null;
  }).filter(Boolean);
}

function showStatus(state, text) {
  $('status').dataset.state = state;
  $('status').textContent = text;
}

async function refresh() {
  const [health, metrics] = await Promise.all([
    api('/api/summary').then((r) => r.json()),
    api('/metrics').then((r) => r.text()),
  ]);
  $('connections').textContent = String(health.connections);
  const wires = health.connectionsByProtocol || {};
  $('connections-by-protocol').textContent = `${wires.clubchat ?? 0} native · ${wires.socketio ?? 0} socket.io`;
  $('clubs-count').textContent = String(health.clubs);
  $('health').textContent = health.status;
  const all = samples(metrics);
  const delivered = all.filter(([name]) => name === 'clubchat_messages_delivered_total').reduce((sum, [, , v]) => sum + v, 0);
  const now = Date.now();
  if (lastDelivered) {
    $('rate').textContent = String(Math.round((delivered - lastDelivered.value) / ((now - lastDelivered.at) / 1000)));
  }
  lastDelivered = { value: delivered, at: now };
  const errors = all.filter(([name, , value]) => value > 0
      && (name === 'clubchat_errors_sent_total' || name === 'clubchat_connections_closed_total'));
  $('errors-table').tBodies[0].replaceChildren(...errors.map(([name, labels, value]) => {
    const what = name === 'clubchat_errors_sent_total' ? `error ${labels.match(/code="([^"]*)"/)?.[1]}`
      : `closed with ${labels.match(/code="([^"]*)"/)?.[1]}`;
    const row = element('tr');
    row.append(element('td', what), element('td', String(value)));
    return row;
  }));
  if (selected) await refreshClub();
}

/** Every club on every node, read once when the operator asks: in Redis mode it scans Redis. */
async function listClubs() {
  const clubs = await api('/api/clubs').then((r) => r.json());
  $('clubs-listed').textContent = `${clubs.clubs.length} club${clubs.clubs.length === 1 ? '' : 's'}, listed at ${new Date().toLocaleTimeString()}`;
  $('clubs-table').tBodies[0].replaceChildren(...clubs.clubs.map((club) => {
    const row = element('tr');
    const open = element('button', 'open');
    open.type = 'button';
    open.addEventListener('click', () => openClub(club.clubId));
    const action = element('td');
    action.append(open);
    row.append(element('td', club.clubId), element('td', String(club.members)), element('td', String(club.seq)), action);
    row.dataset.club = club.clubId;
    return row;
  }));
}

function openClub(clubId) {
  selected = clubId;
  shown = new Map();
  moreHeld = false;
  refreshClub().catch((e) => showStatus('failed', e.message));
}

/** A page of the club's messages read back (GET …/messages?before=&limit=), kept with the rest. */
async function readPage(before) {
  const query = before === undefined ? 'limit=50' : `before=${before}&limit=50`;
  const page = await (await api(`/api/clubs/${encodeURIComponent(selected)}/messages?${query}`)).json();
  for (const message of page.messages) shown.set(message.seq, message);
  if (before !== undefined || shown.size <= page.messages.length) moreHeld = page.more;
}

/** The 50 messages before the oldest shown, above it, keeping the operator's place in the list. */
async function readEarlier() {
  const list = $('club-messages');
  const height = list.scrollHeight;
  await readPage(Math.min(...shown.keys()));
  renderMessages();
  list.scrollTop += list.scrollHeight - height;
}

function renderMessages() {
  const top = element('li');
  top.className = 'earlier';
  if (moreHeld) {
    const button = element('button', 'Load 50 earlier messages');
    button.type = 'button';
    button.id = 'read-earlier';
    button.addEventListener('click', () => readEarlier().catch((e) => showStatus('failed', e.message)));
    top.append(button);
  } else {
    top.textContent = shown.size ? 'the beginning of what the server holds' : 'no messages';
  }
  const items = [...shown.values()].sort((a, b) => a.seq - b.seq).map((message) => {
    const item = element('li');
    item.dataset.seq = String(message.seq);
    if (message.deleted) {
      item.append(element('span', `#${message.seq} `), element('span', 'message deleted'));
      item.className = 'deleted';
    } else {
      const remove = element('button', 'delete');
      remove.type = 'button';
      remove.className = 'delete';
      remove.setAttribute('aria-label', `delete message ${message.seq}`);
      remove.addEventListener('click', () => confirmDelete(item, message.seq));
      item.append(element('span', `#${message.seq} `), element('span', message.from), element('span', `: ${message.message}`), remove);
      item.children[1].className = 'from';
    }
    return item;
  });
  $('club-messages').replaceChildren(top, ...items);
}

async function refreshClub() {
  const [club] = await Promise.all([
    api(`/api/clubs/${encodeURIComponent(selected)}`).then((r) => r.json()),
    readPage(),
  ]);
  const count = club.members.length;
  $('club-title').textContent = `${club.clubId}: ${count} member${count === 1 ? '' : 's'}, seq ${club.seq}`;
  $('club-members').replaceChildren(...club.members.map((name) => {
    const item = element('li');
    const end = element('button', 'disconnect');
    end.type = 'button';
    end.dataset.name = name;
    end.setAttribute('aria-label', `disconnect ${name}`);
    end.addEventListener('click', () => disconnect(name).catch((e) => showStatus('failed', e.message)));
    item.append(element('span', name), end);
    return item;
  }));
  const list = $('club-messages');
  const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 8;
  renderMessages();
  if (atBottom) list.scrollTop = list.scrollHeight;
}

/**
 * Asks, next to the message, whether to delete it for everyone; then DELETE …/messages/{seq}, and the
 * members on every node see "message deleted" in its place.
 */
function confirmDelete(item, seq) {
  if (item.querySelector('.confirm')) return;
  const ask = element('span');
  ask.className = 'confirm';
  const yes = element('button', `Delete #${seq} for everyone`);
  const no = element('button', 'cancel');
  yes.type = 'button';
  no.type = 'button';
  yes.className = 'confirm-delete';
  no.addEventListener('click', () => ask.remove());
  yes.addEventListener('click', () => deleteMessage(seq).catch((e) => showStatus('failed', e.message)));
  ask.append(yes, no);
  item.append(ask);
  yes.focus();
}

async function deleteMessage(seq) {
  const response = await api(`/api/clubs/${encodeURIComponent(selected)}/messages/${seq}`, { method: 'DELETE' });
  const answer = await response.json();
  if (response.ok) {
    shown.set(seq, { seq, deleted: true });
    $('action').textContent = answer.already ? `#${seq} was deleted already` : `#${seq} deleted for everyone`;
  } else {
    $('action').textContent = `#${seq}: ${answer.message}`;
  }
  renderMessages();
}

/** Erases a person (POST /api/erase): every message of a sub or a name in every club, after a confirmation. */
function confirmErase() {
  const field = $('erase-field').value;
  const value = $('erase-value').value.trim();
  if (!value) return;
  const ask = $('erase-confirm');
  ask.replaceChildren();
  const yes = element('button', `Erase every message of ${field} ${value}`);
  const no = element('button', 'cancel');
  yes.type = 'button';
  no.type = 'button';
  yes.className = 'confirm-delete';
  no.addEventListener('click', () => ask.replaceChildren());
  yes.addEventListener('click', () => erase(field, value).catch((e) => showStatus('failed', e.message)));
  ask.append(yes, no);
  yes.focus();
}

async function erase(field, value) {
  $('erase-confirm').replaceChildren(element('span', `erasing every message of ${field} ${value}…`));
  const response = await api('/api/erase', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ [field]: value }),
  });
  const answer = await response.json();
  $('erase-confirm').replaceChildren(element('span', response.ok
    ? `erased ${answer.erased} message${answer.erased === 1 ? '' : 's'} of ${field} ${value}`
    : `the server answered ${response.status}: ${answer.message}`));
  if (selected) await refreshClub();
}

/** Ends every connection of the user, on every node (POST /api/disconnect), and says so. */
async function disconnect(name) {
  const response = await api('/api/disconnect', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  $('action').textContent = response.ok
    ? `${name}: every connection closed; a connect hook decides whether they get back in`
    : `${name}: the server answered ${response.status}`;
  await refresh();
}

async function start() {
  try {
    await refresh();
    $('dashboard').hidden = false;
    showStatus('online', 'live, every 2 s');
    clearInterval(timer);
    timer = setInterval(() => refresh().catch((e) => showStatus('failed', e.message)), 2000);
  } catch (e) {
    showStatus('failed', e.message);
  }
}

$('list-clubs').addEventListener('click', () => listClubs().catch((e) => showStatus('failed', e.message)));

$('club-form').addEventListener('submit', (event) => {
  event.preventDefault();
  if ($('club-id').value) openClub($('club-id').value);
});

$('erase-form').addEventListener('submit', (event) => {
  event.preventDefault();
  confirmErase();
});

$('key-form').addEventListener('submit', (event) => {
  event.preventDefault();
  key = $('key').value;
  sessionStorage.setItem(KEY, key);
  start();
});

if (key) start();
