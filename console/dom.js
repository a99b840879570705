// DOM helpers: elements are built with textContent only, never from markup,
// so no text from the API or a file is ever read as markup.

// el('a', {href: '#/x', class: 'c', onclick: fn}, 'text', child, ...)
export function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') e.addEventListener(k.slice(2), v);
    else if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (v === true) e.setAttribute(k, '');
    else e.setAttribute(k, String(v));
  }
  append(e, children);
  return e;
}

function append(e, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(e, c);
    else if (c instanceof Node) e.append(c);
    else e.append(document.createTextNode(String(c)));
  }
}

// the same for SVG elements (charts)
export function svg(tag, attrs, ...children) {
  const e = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined && v !== null) e.setAttribute(k, String(v));
  append(e, children);
  return e;
}

export function clear(e) {
  while (e.firstChild) e.firstChild.remove();
}

export function announce(text) {
  const a = document.getElementById('announce');
  a.textContent = '';
  setTimeout(() => { a.textContent = text; }, 30);
}

export function when(fn) {
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', fn);
  else fn();
}

export function time(epoch) {
  if (epoch === null || epoch === undefined || epoch === 0) return '–';
  const d = new Date(epoch * 1000);
  return d.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

export function duration(s) {
  const neg = s < 0;
  s = Math.abs(Math.round(s));
  let t;
  if (s < 90) t = s + ' s';
  else if (s < 5400) t = Math.round(s / 60) + ' min';
  else if (s < 172800) t = (s / 3600).toFixed(1) + ' h';
  else t = (s / 86400).toFixed(1) + ' days';
  return neg ? t + ' ago' : 'in ' + t;
}

// A table: heads (strings, or [text, 'num']) and rows of cells (nodes or text).
export function table(heads, rows, opts = {}) {
  const head = el('tr', {}, heads.map((h) => Array.isArray(h)
    ? el('th', { scope: 'col', class: h[1] }, h[0]) : el('th', { scope: 'col' }, h)));
  const body = rows.map((r) => {
    const cells = r.cells || r;
    return el('tr', { class: r.class }, cells.map((c) => (c && c.nodeName === 'TD' ? c : el('td', {}, c))));
  });
  return el('table', { id: opts.id, 'aria-label': opts.label },
    opts.caption ? el('caption', { class: 'sr-only' }, opts.caption) : null,
    el('thead', {}, head), el('tbody', {}, body));
}

export const num = (v) => el('td', { class: 'num' }, v === null || v === undefined ? '–' : String(v));

// A labelled field for a filter form: [wrapper, input]
export function field(id, label, input) {
  input.id = id;
  return el('div', {}, el('label', { for: id }, label), input);
}

export function select(name, options, value) {
  return el('select', { name }, options.map((o) => {
    const [v, t] = Array.isArray(o) ? o : [o, o || 'any'];
    return el('option', { value: v, selected: v === value }, t);
  }));
}

// The hash of a list page with these filters (empty ones dropped).
export function hashOf(page, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== '' && v !== null && v !== undefined) q.set(k, v);
  const s = q.toString();
  return '#/' + page + (s ? '?' + s : '');
}

export function pager(page, query, next) {
  const params = Object.fromEntries(query.entries());
  const first = query.get('after');
  delete params.after;
  return el('div', { class: 'pager' },
    first ? el('a', { href: hashOf(page, params) }, 'First page') : null,
    next ? el('a', { href: hashOf(page, { ...params, after: next }), id: 'next-page' }, 'Next page') : el('span', { class: 'muted' }, 'No more pages'));
}
