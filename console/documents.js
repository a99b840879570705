// Documents: the list (state, type, partner, since; server-side pages), one
// document (its raw EDI beside what wharf knows about it, findings marked at
// their segment and element, what the partner said about it), and the
// quarantine with reprocess.
import { el, table, time, field, select, hashOf, pager, announce, clear } from './dom.js';
import { api, errorOf, isOperator, go } from './app.js';
import { parseFinding, segmentsOf } from './edi.js';

const DOC_STATES = ['', 'accepted', 'rejected', 'duplicate-ship-id', 'queued', 'sent'];
const DOC_TYPES = ['', '850', '855', '856', '810', '846', '860', '864', '997', '999', '180', '754', '753'];

function tabs(current) {
  return el('nav', { class: 'tabs', 'aria-label': 'Documents and quarantine' },
    el('a', { href: '#/documents', 'aria-current': current === 'documents' ? 'page' : null }, 'All documents'),
    el('a', { href: '#/quarantine', 'aria-current': current === 'quarantine' ? 'page' : null }, 'Quarantine'));
}

export async function documentsPage(parts, query) {
  const q = new URLSearchParams();
  for (const k of ['state', 'type', 'partner', 'since', 'after']) if (query.get(k)) q.set(k, query.get(k));
  q.set('limit', '25');
  const r = await api('GET', 'documents?' + q);
  const si = select('state', DOC_STATES, query.get('state') || '');
  const ti = select('type', DOC_TYPES, query.get('type') || '');
  const pi = el('input', { name: 'partner', value: query.get('partner') || '', placeholder: 'amazon-df' });
  const di = el('input', { type: 'date', name: 'since', value: query.get('since') || '' });
  const form = el('form', { class: 'filters', role: 'search', 'aria-label': 'Find documents' },
    field('f-dstate', 'State', si), field('f-type', 'Type', ti), field('f-dpartner', 'Partner', pi),
    field('f-since', 'Since (UTC day)', di), el('button', { type: 'submit' }, 'Find'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    go(hashOf('documents', { state: si.value, type: ti.value, partner: pi.value.trim(), since: di.value }));
  });
  const out = el('div', {}, el('h1', {}, 'Documents'), tabs('documents'), form);
  if (!r.ok) {
    out.append(el('p', { class: 'error', role: 'alert' }, errorOf(r)));
    return out;
  }
  const rows = r.data.documents.map((d) => ({
    class: d.state === 'rejected' ? 'late' : undefined,
    cells: [el('a', { href: '#/documents/' + d.id }, '#' + d.id), d.kind, d.direction, d.partner, d.ref || '–',
      d.state, time(d.created), el('td', { class: 'mono' }, d.findings ? d.findings.split('\n')[0] : '')],
  }));
  out.append(rows.length ? table(['Document', 'Type', 'Dir.', 'Partner', 'About', 'State', 'When', 'First finding'], rows, { id: 'documents', label: 'Documents, newest first' })
    : el('p', { class: 'muted', id: 'documents' }, 'No document matches.'),
  pager('documents', query, r.data.next));
  return out;
}

export async function documentPage(parts) {
  const id = parts[1];
  const out = el('div', {}, el('p', {}, el('a', { href: '#/documents' }, '← Documents')));
  const [r, raw, about] = await Promise.all([api('GET', 'documents/' + encodeURIComponent(id)),
    api('GET', 'documents/' + encodeURIComponent(id) + '/raw'), api('GET', 'documents?about=' + encodeURIComponent(id))]);
  if (!r.ok) {
    out.append(el('h1', {}, 'Document ' + id), el('p', { class: 'error', role: 'alert' }, errorOf(r)));
    return out;
  }
  const d = r.data;
  const findings = (d.findings || '').split('\n').filter(Boolean).map(parseFinding);
  out.append(el('h1', {}, `${d.kind} ${d.direction === 'in' ? 'from' : 'to'} ${d.partner} (#${d.id})`));
  const left = el('section', { class: 'col', 'aria-labelledby': 'raw-h' }, el('h2', { id: 'raw-h' }, 'Raw EDI'));
  if (raw.ok) left.append(rawView(String(raw.data), d, findings));
  else left.append(el('p', { class: raw.status === 403 ? 'notice' : 'error', id: 'raw-refused' }, errorOf(raw)));
  const meta = el('dl', { class: 'meta', id: 'doc-meta' });
  for (const [k, v] of [['State', d.state], ['Direction', d.direction], ['Type', d.kind], ['Partner', d.partner],
    ['About', d.ref], ['Group control', d.group_control], ['Set control', d.set_control], ['Received', time(d.created)],
    ['Updated', time(d.updated)], ['Why', d.why], ['Text', d.text]]) {
    if (v) meta.append(el('dt', {}, k), el('dd', {}, v));
  }
  if (d.about) meta.append(el('dt', {}, 'Says about'), el('dd', {}, el('a', { href: '#/documents/' + d.about }, 'document #' + d.about)));
  if (d.kind === '850' && d.ref) meta.append(el('dt', {}, 'Order'), el('dd', {}, el('a', { href: '#/orders/' + encodeURIComponent(d.partner) + '/' + encodeURIComponent(d.ref) }, d.ref)));
  const right = el('section', { class: 'col', 'aria-labelledby': 'meta-h' }, el('h2', { id: 'meta-h' }, 'What wharf knows'), meta);
  right.append(el('h3', {}, 'Findings'));
  if (findings.length) {
    right.append(el('ul', { class: 'findings', id: 'findings' }, findings.map((f) => el('li', {},
      f.segment ? el('a', { href: '#seg-' + f.segment, class: 'finding-link', onclick: (ev) => { ev.preventDefault(); focusSeg(f.segment); } },
        'segment ' + f.segment + (f.element ? ' ' + f.element : '')) : null,
      f.segment ? ': ' : '', f.segment ? f.text.replace(/^segment \d+:\s*/, '') : f.text))));
  } else right.append(el('p', { class: 'muted', id: 'findings' }, 'None.'));
  right.append(el('h3', {}, 'What the partner said about it'));
  if (about.ok && about.data.documents.length) {
    right.append(table(['Document', 'Type', 'State', 'When', 'Text'], about.data.documents.map((a) => [
      el('a', { href: '#/documents/' + a.id }, '#' + a.id), a.kind, a.state, time(a.created), a.text || '']), { id: 'about' }));
  } else right.append(el('p', { class: 'muted', id: 'about' }, about.ok ? 'Nothing yet (no 997, 999, 864 or MDN about it).' : errorOf(about)));
  // only a quarantined file is reprocessed: a set rejected in an accepted
  // file was refused to the partner in its 997, who sends a corrected one
  if (isOperator() && d.file && d.file.verdict === 'quarantined')
    right.append(reprocessBox('documents/' + d.id + '/reprocess', 'Reprocess its file'));
  else if (d.file && d.direction === 'in' && d.state === 'rejected')
    right.append(el('p', { class: 'muted', id: 'no-reprocess' }, `Its file (#${d.file.id}) was ${d.file.verdict}: this set's rejection went to the partner in the acknowledgment, and the partner sends a corrected one.`));
  out.append(el('div', { class: 'row' }, left, right));
  return out;
}

function focusSeg(n) {
  const row = document.getElementById('seg-' + n);
  if (row) { row.focus(); row.scrollIntoView({ block: 'center' }); }
}

function rawView(raw, d, findings) {
  const segs = segmentsOf(raw, d.set_control);
  if (!segs) return el('pre', { id: 'raw' }, raw);
  const bySeg = new Map();
  for (const f of findings) if (f.segment) bySeg.set(f.segment, [...(bySeg.get(f.segment) || []), f]);
  const rows = segs.map((s) => {
    const fs = s.n ? bySeg.get(s.n) : null;
    const cells = [];
    s.elements.forEach((e, i) => {
      if (i) cells.push(s.es);
      const hit = fs && fs.some((f) => f.pos === i && (!f.tag || f.tag === s.tag));
      if (hit) cells.push(el('mark', { class: 'el', title: s.tag + String(i).padStart(2, '0') }, e === '' ? '∅' : e));
      else cells.push(e);
    });
    // an element past the segment's end (a missing trailing one) is marked after it
    if (fs) for (const f of fs) if (f.pos && f.pos >= s.elements.length) cells.push(s.es.repeat(f.pos - s.elements.length + 1), el('mark', { class: 'el', title: f.element }, '∅'));
    cells.push(s.term);
    return el('tr', { id: s.n ? 'seg-' + s.n : null, class: fs ? 'hl' : null, tabindex: fs ? '-1' : null,
      'aria-label': fs ? 'segment ' + s.n + ': ' + fs.map((f) => f.text).join('; ') : null },
    el('td', { class: 'pos' }, s.n ? String(s.n) : ''), el('td', {}, cells));
  });
  return el('div', { class: 'edi-wrap' }, el('table', { class: 'edi', id: 'raw', 'aria-label': 'The raw EDI, one segment a row; the set\'s segments numbered from ST' }, el('tbody', {}, rows)));
}

// A button that POSTs a reprocess and shows the answer beside it.
function reprocessBox(path, label) {
  const result = el('div', { 'aria-live': 'polite', class: 'reprocess-result' });
  const b = el('button', { type: 'button', class: 'reprocess' }, label);
  b.addEventListener('click', async () => {
    b.disabled = true;
    clear(result);
    const r = await api('POST', path);
    b.disabled = false;
    if (r.ok) {
      const x = r.data;
      result.append(el('p', { class: x.verdict === 'archived' ? 'ok-box' : 'notice', role: 'status' },
        `Reprocessed as file ${x.file}: ${x.verdict}` + (x.reason ? ' — ' + x.reason : '') +
        (x.documents && x.documents.length ? '; documents ' + x.documents.map((n) => '#' + n).join(', ') : '')));
      if (x.documents) result.append(el('p', {}, x.documents.map((n) => [el('a', { href: '#/documents/' + n }, 'document #' + n), ' '])));
      announce('Reprocessed: ' + x.verdict);
    } else {
      result.append(el('p', { class: 'refusal', role: 'alert' }, errorOf(r)));
    }
  });
  return el('div', {}, b, result);
}

export async function quarantinePage(parts, query) {
  const q = new URLSearchParams();
  for (const k of ['partner', 'after']) if (query.get(k)) q.set(k, query.get(k));
  q.set('limit', '25');
  const r = await api('GET', 'quarantine?' + q);
  const out = el('div', {}, el('h1', {}, 'Quarantine'), tabs('quarantine'));
  if (!r.ok) {
    out.append(el('p', { class: 'error', role: 'alert' }, errorOf(r)));
    return out;
  }
  out.append(el('p', { class: 'muted' }, 'Files that could not be read as a whole (bad envelope, unknown sender, a configuration wharf cannot use). Fix the cause — the configuration, a code list, a guide — then reprocess.'));
  const rows = r.data.files.map((f) => [
    String(f.id), f.partner || '–', el('td', { class: 'mono' }, f.name), time(f.received),
    el('td', {}, f.reason || ''), el('td', { class: 'num' }, String(f.size)),
    el('td', {}, (f.documents || []).map((n) => [el('a', { href: '#/documents/' + n }, '#' + n), ' '])),
    el('td', {}, f.reprocessed ? `as file ${f.reprocessed.as}: ${f.reprocessed.verdict} (${time(f.reprocessed.at)})`
      : isOperator() ? reprocessBox('quarantine/' + f.id + '/reprocess', 'Reprocess') : 'not yet')]);
  out.append(rows.length ? table(['File', 'Partner', 'Name', 'Received', 'Reason', ['Bytes', 'num'], 'Documents', 'Reprocess'], rows, { id: 'quarantine', label: 'Quarantined files, newest first' })
    : el('p', { class: 'muted', id: 'quarantine' }, 'Nothing in quarantine.'),
  pager('quarantine', query, r.data.next));
  return out;
}
