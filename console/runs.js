// Runs & ERP: the scheduled jobs' recent runs with their counts and errors,
// and each ERP connector's pending, failing and held pushes with retry.
import { el, table, time, field, select, hashOf, pager, clear, announce } from './dom.js';
import { api, errorOf, isOperator, go } from './app.js';

export async function runsPage(parts, query) {
  const q = new URLSearchParams();
  for (const k of ['state', 'after']) if (query.get(k)) q.set(k, query.get(k));
  q.set('limit', '25');
  const [r, e] = await Promise.all([api('GET', 'runs?' + q), api('GET', 'erp')]);
  const si = select('state', ['', 'running', 'done', 'failed'], query.get('state') || '');
  const form = el('form', { class: 'filters', 'aria-label': 'Filter runs' }, field('f-rstate', 'State', si), el('button', { type: 'submit' }, 'Show'));
  form.addEventListener('submit', (ev) => { ev.preventDefault(); go(hashOf('runs', { state: si.value })); });
  const out = el('div', {}, el('h1', {}, 'Runs & ERP'));

  out.append(el('h2', {}, 'ERP connectors'));
  if (!e.ok) out.append(el('p', { class: 'error', role: 'alert' }, errorOf(e)));
  else if (!e.data.erps.length) out.append(el('p', { class: 'muted', id: 'erps' }, 'No API connector: orders go to the ERP as files.'));
  else for (const c of e.data.erps) {
    out.append(el('section', { 'aria-labelledby': 'erp-' + c.id },
      el('h3', { id: 'erp-' + c.id }, `${c.id} (${c.kind})`),
      el('div', { class: 'cards' }, [['pending', c.pending], ['failing', c.failing], ['held', c.held], ['done', c.done]].map(([k, v]) =>
        el('div', { class: 'card' + (k === 'failing' && v ? ' late' : k === 'held' && v ? ' soon' : '') }, el('div', { class: 'big' }, String(v)), el('div', { class: 'label' }, k)))),
      c.messages.filter((m) => m.state !== 'done').length
        ? table(['Message', 'Partner', 'State', 'Attempts', 'Error', ''], c.messages.filter((m) => m.state !== 'done').map((m) => [
          m.name, m.partner, m.state, el('td', { class: 'num' }, String(m.attempts)), el('td', { class: 'mono' }, m.error || ''),
          el('td', {}, isOperator() && (m.state === 'failing' || m.state === 'held') ? retryBox(m) : '')]), { id: 'erp-messages-' + c.id })
        : el('p', { class: 'muted' }, 'Nothing waiting.')));
  }

  out.append(el('h2', {}, 'Recent runs'), form);
  if (!r.ok) {
    out.append(el('p', { class: 'error', role: 'alert' }, errorOf(r)));
    return out;
  }
  out.append(r.data.runs.length ? table(['Run', 'Partner', 'Job', 'Started', ['Seconds', 'num'], 'State', 'Counts', 'Error'], r.data.runs.map((x) => ({
    class: x.state === 'failed' ? 'late' : undefined,
    cells: [String(x.id), el('td', { class: 'nowrap' }, x.partner), el('td', { class: 'nowrap' }, x.job),
      el('td', { class: 'nowrap' }, time(x.started)), el('td', { class: 'num' }, x.ended ? String(x.ended - x.started) : '–'),
      x.state, el('td', { class: 'mono' }, x.counts || ''), el('td', { class: 'mono' }, x.error || '')],
  })), { id: 'runs', label: 'Runs, newest first' }) : el('p', { class: 'muted', id: 'runs' }, 'No runs yet.'),
  pager('runs', query, r.data.next));
  return out;
}

function retryBox(m) {
  const result = el('span', { 'aria-live': 'polite' });
  const b = el('button', { type: 'button', class: 'secondary retry', 'aria-label': 'Retry ' + m.name }, 'Retry');
  b.addEventListener('click', async () => {
    b.disabled = true;
    clear(result);
    const r = await api('POST', 'erp/messages/' + m.message + '/retry');
    b.disabled = false;
    if (r.ok) { result.append(el('span', { class: 'ok-box' }, ' ' + r.data.state)); announce('Retry: ' + r.data.state); }
    else result.append(el('span', { class: 'refusal', role: 'alert' }, ' ' + errorOf(r)));
  });
  return el('span', {}, b, result);
}
