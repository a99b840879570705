// wharf console: the router, the API client and the login. Plain ES
// modules, no framework, no build step. Every text from the API goes into
// the page through textContent (dom.js el()), never as HTML.
import { el, clear, announce, when } from './dom.js';
import { todayPage } from './today.js';
import { ordersPage, orderPage } from './orders.js';
import { documentsPage, documentPage, quarantinePage } from './documents.js';
import { mapsPage } from './maps.js';
import { runsPage } from './runs.js';

export const session = { name: null, role: null, csrf: null };

// One API call: {status, ok, data} (data: parsed JSON, or text for files).
// A 401 outside login sends the user to the login page.
export async function api(method, path, body) {
  const opts = { method, headers: {}, credentials: 'same-origin' };
  if (method !== 'GET') {
    opts.headers['X-CSRF-Token'] = session.csrf || '';
    if (body !== undefined) {
      opts.headers['Content-Type'] = 'application/json';
      opts.body = JSON.stringify(body);
    }
  }
  let r;
  try {
    r = await fetch('/api/v1/' + path, opts);
  } catch (e) {
    return { status: 0, ok: false, data: { error: 'wharf does not answer: ' + e.message } };
  }
  const ct = r.headers.get('Content-Type') || '';
  const data = ct.startsWith('application/json') ? await r.json().catch(() => null) : await r.text();
  if (r.status === 401 && path !== 'login' && path !== 'session') {
    session.name = null;
    location.hash = '#/login';
  }
  return { status: r.status, ok: r.ok, data };
}

export function errorOf(res) {
  if (res.data && typeof res.data === 'object' && res.data.error) return res.data.error;
  return 'HTTP ' + res.status;
}

export const isOperator = () => session.role === 'operator';

// "#/orders/amazon-rp/4Z32PABC?x=1" -> {parts: ['orders', 'amazon-rp', '4Z32PABC'], query}
function parseHash() {
  const h = location.hash.replace(/^#\/?/, '');
  const q = h.indexOf('?');
  const path = q < 0 ? h : h.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : h.slice(q + 1));
  return { parts: path.split('/').filter(Boolean).map(decodeURIComponent), query };
}

export function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

const pages = {
  today: () => todayPage,
  orders: (p) => (p.length >= 3 ? orderPage : ordersPage),
  documents: (p) => (p.length >= 2 ? documentPage : documentsPage),
  quarantine: () => quarantinePage,
  maps: () => mapsPage,
  runs: () => runsPage,
};

let routing = 0, firstLoad = true;
async function route() {
  const main = document.getElementById('main');
  const { parts, query } = parseHash();
  const seq = ++routing;
  if (!session.name && parts[0] !== 'login') {
    const r = await api('GET', 'session');
    if (r.ok) Object.assign(session, { name: r.data.name, role: r.data.role, csrf: r.data.csrf });
  }
  if (seq !== routing) return;
  if (!session.name || parts[0] === 'login') {
    showWho();
    return loginPage(main);
  }
  showWho();
  const name = pages[parts[0]] ? parts[0] : 'today';
  for (const a of document.querySelectorAll('#nav a')) {
    if (a.dataset.page === name) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const page = pages[name](parts);
  clear(main);
  main.append(el('p', { class: 'muted' }, 'Loading…'));
  try {
    const content = await page(parts, query);
    if (seq !== routing) return;
    clear(main);
    main.append(content);
    const h1 = main.querySelector('h1');
    document.title = (h1 ? h1.textContent + ' — ' : '') + 'wharf console';
    // a new page: the keyboard and a screen reader start at its content
    // (not at the first load: there the skip link comes first)
    if (!firstLoad && !main.contains(document.activeElement)) main.focus({ preventScroll: true });
    firstLoad = false;
  } catch (e) {
    if (seq !== routing) return;
    clear(main);
    main.append(el('h1', {}, 'Something went wrong'), el('p', { class: 'error', role: 'alert' }, String(e && e.message || e)));
  }
}

function showWho() {
  document.getElementById('nav').hidden = !session.name;
  document.getElementById('who').hidden = !session.name;
  document.getElementById('who-name').textContent = session.name ? session.name + ' (' + session.role + ')' : '';
}

function loginPage(main) {
  clear(main);
  const name = el('input', { id: 'login-name', name: 'name', autocomplete: 'username', required: true });
  const pw = el('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const msg = el('div', { id: 'login-message', 'aria-live': 'assertive' });
  const form = el('form', { class: 'login', id: 'login-form' },
    el('h1', {}, 'Log in to wharf'),
    el('div', {}, el('label', { for: 'login-name' }, 'Name'), name),
    el('div', {}, el('label', { for: 'login-password' }, 'Password'), pw),
    msg,
    el('button', { type: 'submit' }, 'Log in'),
    el('p', { class: 'muted' }, 'Users are made with wharf users add NAME --role operator|viewer.'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clear(msg);
    const r = await api('POST', 'login', { name: name.value, password: pw.value });
    pw.value = '';
    if (r.ok) {
      Object.assign(session, { name: r.data.name, role: r.data.role, csrf: r.data.csrf_token });
      announce('Logged in as ' + r.data.name);
      const { parts } = parseHash();
      if (!parts.length || parts[0] === 'login') go('#/today');
      else route();
    } else if (r.status === 429) {
      msg.append(el('p', { class: 'error', role: 'alert' },
        'Too many failed logins: wait a minute before trying again (' + errorOf(r) + ').'));
    } else {
      msg.append(el('p', { class: 'error', role: 'alert' }, errorOf(r)));
    }
  });
  main.append(form);
  document.title = 'Log in — wharf console';
  name.focus();
}

async function logout() {
  await api('POST', 'logout');
  Object.assign(session, { name: null, role: null, csrf: null });
  announce('Logged out');
  go('#/login');
}

when(() => {
  document.getElementById('logout').addEventListener('click', logout);
  // the skip link moves the focus; it must not change the route (#main is no page)
  document.querySelector('.skip').addEventListener('click', (ev) => {
    ev.preventDefault();
    document.getElementById('main').focus();
  });
  window.addEventListener('hashchange', route);
  route();
});
