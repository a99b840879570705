// Today: orders near or past their acknowledgment deadline first, counts by
// state, the outbox, the last errors, documents per day and ack latency.
// All of it from GET /api/v1/today, in one call.
import { el, svg, table, num, time, duration } from './dom.js';
import { api, errorOf } from './app.js';

const DAY = 86400;

export async function todayPage() {
  const t = await api('GET', 'today');
  if (!t.ok) return el('div', {}, el('h1', {}, 'Today'), el('p', { class: 'error', role: 'alert' }, errorOf(t)));
  const d = t.data;
  const now = d.now || Math.floor(Date.now() / 1000);
  const deadlines = (d.deadlines || []).slice().sort((a, b) => a.due - b.due);
  const rows = deadlines.map((x) => {
    const left = x.left_s !== undefined ? x.left_s : x.due - now;
    const cls = left < 0 ? 'late' : left < 6 * 3600 ? 'soon' : undefined;
    return {
      class: cls,
      cells: [
        el('a', { href: '#/orders/' + encodeURIComponent(x.partner) + '/' + encodeURIComponent(x.po) }, x.po),
        x.partner, x.state, time(x.due),
        el('td', {}, left < 0 ? 'late: due ' + duration(left) : 'due ' + duration(left)),
      ],
    };
  });
  const states = Object.entries(d.orders_by_state || {});
  const errors = d.errors || [];
  return el('div', {},
    el('h1', {}, 'Today'),
    el('h2', { id: 'deadlines-h' }, 'Acknowledgment deadlines'),
    rows.length ? table(['PO', 'Partner', 'State', 'Due', 'Left'], rows, { id: 'deadlines', label: 'Orders by acknowledgment deadline, nearest first' })
      : el('p', { class: 'muted', id: 'deadlines' }, 'No order waits for its acknowledgment.'),
    el('div', { class: 'row' },
      el('section', { class: 'col', 'aria-labelledby': 'states-h' },
        el('h2', { id: 'states-h' }, 'Orders by state'),
        el('div', { class: 'cards', id: 'order-states' }, states.length ? states.map(([k, v]) =>
          el('a', { class: 'card', href: '#/orders?state=' + encodeURIComponent(k) },
            el('div', { class: 'big' }, String(v)), el('div', { class: 'label' }, k))) : el('p', { class: 'muted' }, 'No orders yet.'))),
      el('section', { class: 'col', 'aria-labelledby': 'outbox-h' },
        el('h2', { id: 'outbox-h' }, 'Outbox'),
        el('div', { class: 'cards', id: 'outbox' },
          el('div', { class: 'card' }, el('div', { class: 'big' }, String(d.outbox ? d.outbox.depth : '–')), el('div', { class: 'label' }, 'waiting to be sent')),
          el('div', { class: 'card' }, el('div', { class: 'big' }, d.outbox && d.outbox.depth ? duration(-d.outbox.oldest_s).replace(' ago', '') : '–'),
            el('div', { class: 'label' }, 'oldest waiting'))))),
    el('div', { class: 'row' },
      el('section', { class: 'col', 'aria-labelledby': 'perday-h' },
        el('h2', { id: 'perday-h' }, 'Documents per day (14 days)'),
        perDayChart(d.per_day || [])),
      el('section', { class: 'col', 'aria-labelledby': 'latency-h' },
        el('h2', { id: 'latency-h' }, 'Acknowledgment latency'),
        d.ack_latency ? latencyChart(d.ack_latency) : el('p', { class: 'muted' }, 'Not available from this gateway.'))),
    el('h2', { id: 'errors-h' }, 'Last errors'),
    errors.length ? table(['When', 'Partner', 'What'], errors.map((e) => [time(e.at), e.partner || '–', el('td', { class: 'mono' }, e.what)]), { id: 'errors' })
      : el('p', { class: 'muted', id: 'errors' }, 'No errors.'));
}

// Stacked bars: inbound, outbound, rejected per day.
function perDayChart(days) {
  const W = 600, H = 200, L = 34, B = 28, T = 10;
  const max = Math.max(1, ...days.map((d) => d.inbound + d.outbound + d.rejected));
  const bw = days.length ? (W - L - 10) / days.length : 0;
  const y = (v) => T + (H - T - B) * (1 - v / max);
  const g = svg('svg', { class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img', id: 'chart-per-day',
    'aria-label': 'Documents per day: ' + days.map((d) => `${d.day} ${d.inbound} in, ${d.outbound} out, ${d.rejected} rejected`).join('; ') });
  g.append(svg('line', { class: 'axis', x1: L, y1: H - B, x2: W - 5, y2: H - B }),
    svg('text', { x: 4, y: T + 8 }, String(max)), svg('text', { x: 4, y: H - B }, '0'));
  days.forEach((d, i) => {
    const x = L + i * bw + 2;
    let base = 0;
    for (const [k, cls] of [['inbound', 'in'], ['outbound', 'out'], ['rejected', 'rej']]) {
      const v = d[k] || 0;
      if (v) g.append(svg('rect', { class: cls, x, y: y(base + v), width: Math.max(1, bw - 4), height: y(base) - y(base + v) },
        svg('title', {}, `${d.day}: ${v} ${k}`)));
      base += v;
    }
    if (i % 2 === 0 || days.length < 8) g.append(svg('text', { x, y: H - 10 }, d.day.slice(5)));
  });
  return el('figure', {}, g, el('div', { class: 'legend', 'aria-hidden': 'true' },
    el('span', { class: 'in' }, 'inbound'), el('span', { class: 'out' }, 'outbound'), el('span', { class: 'rej' }, 'rejected')));
}

// Lines: the median and the 90th percentile of receipt-to-855, per day.
function latencyChart(days) {
  const W = 600, H = 200, L = 44, B = 28, T = 10;
  const pts = days.filter((d) => d.n > 0);
  if (!pts.length) return el('p', { class: 'muted', id: 'chart-latency' }, 'No acknowledgments in the last 14 days.');
  const max = Math.max(1, ...pts.map((d) => d.p90_s || d.median_s || 0));
  const x = (i) => L + (W - L - 10) * (days.length > 1 ? i / (days.length - 1) : 0.5);
  const y = (v) => T + (H - T - B) * (1 - v / max);
  const path = (key) => days.map((d, i) => [d, i]).filter(([d]) => d.n > 0)
    .map(([d, i], k) => (k ? 'L' : 'M') + x(i).toFixed(1) + ' ' + y(d[key] || 0).toFixed(1)).join(' ');
  const hours = (s) => (s / 3600).toFixed(1) + ' h';
  const g = svg('svg', { class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img', id: 'chart-latency',
    'aria-label': 'Acknowledgment latency per day: ' + pts.map((d) => `${d.day} median ${hours(d.median_s)}, 90% ${hours(d.p90_s)} (${d.n})`).join('; ') });
  g.append(svg('line', { class: 'axis', x1: L, y1: H - B, x2: W - 5, y2: H - B }),
    svg('text', { x: 2, y: T + 8 }, hours(max)), svg('text', { x: 2, y: H - B }, '0 h'),
    svg('path', { class: 'p90', d: path('p90_s') }), svg('path', { class: 'median', d: path('median_s') }));
  days.forEach((d, i) => { if (i % 2 === 0) g.append(svg('text', { x: x(i) - 12, y: H - 10 }, d.day.slice(5))); });
  return el('figure', {}, g, el('div', { class: 'legend', 'aria-hidden': 'true' },
    el('span', { class: 'in' }, 'median'), el('span', { class: 'rej' }, '90th percentile (dashed)')));
}
