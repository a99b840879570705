// Orders: the list (search, state and partner filters, server-side pages)
// and one order with its lines, history, acknowledgment, shipments and
// invoices, and the approve / backorder / reject form that shows the
// refusals of Amazon's rules (409) next to it.
import { el, table, num, time, field, select, hashOf, pager, announce, clear } from './dom.js';
import { api, errorOf, isOperator, go } from './app.js';

export const ORDER_STATES = ['', 'pending-approval', 'approved', 'acknowledged', 'partially-shipped', 'shipped',
  'invoiced', 'closed', 'cancelled', 'rejected'];

const reloads = new Map();
const orderHref = (partner, po) => '#/orders/' + encodeURIComponent(partner) + '/' + encodeURIComponent(po);

export async function ordersPage(parts, query) {
  const q = new URLSearchParams();
  for (const k of ['q', 'state', 'partner', 'after']) if (query.get(k)) q.set(k, query.get(k));
  q.set('limit', '25');
  const r = await api('GET', 'orders?' + q);
  const qi = el('input', { type: 'search', name: 'q', value: query.get('q') || '', placeholder: 'part of a PO number' });
  const si = select('state', ORDER_STATES, query.get('state') || '');
  const pi = el('input', { name: 'partner', value: query.get('partner') || '', placeholder: 'amazon-rp' });
  const form = el('form', { class: 'filters', role: 'search', 'aria-label': 'Find orders' },
    field('f-q', 'PO number', qi), field('f-state', 'State', si), field('f-partner', 'Partner', pi),
    el('button', { type: 'submit' }, 'Find'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    go(hashOf('orders', { q: qi.value.trim(), state: si.value, partner: pi.value.trim() }));
  });
  const out = el('div', {}, el('h1', {}, 'Orders'), form);
  if (!r.ok) {
    out.append(el('p', { class: 'error', role: 'alert' }, errorOf(r)));
    return out;
  }
  const rows = r.data.orders.map((o) => [
    el('a', { href: orderHref(o.partner, o.po_number) }, o.po_number), o.partner, o.program,
    el('td', {}, el('span', { class: 'badge' }, o.state)), time(o.created), time(o.updated)]);
  out.append(rows.length ? table(['PO', 'Partner', 'Program', 'State', 'Received', 'Updated'], rows, { id: 'orders', label: 'Orders, newest first' })
    : el('p', { class: 'muted', id: 'orders' }, 'No order matches.'),
  pager('orders', query, r.data.next));
  return out;
}

export async function orderPage(parts) {
  const [, partner, po] = parts;
  const r = await api('GET', 'orders/' + encodeURIComponent(partner) + '/' + encodeURIComponent(po));
  const out = el('div', {}, el('p', {}, el('a', { href: '#/orders' }, '← Orders')));
  if (!r.ok) {
    out.append(el('h1', {}, 'Order ' + po), el('p', { class: 'error', role: 'alert' }, errorOf(r)));
    return out;
  }
  const o = r.data;
  const det = o.details || {};
  const [docs, ships, invs] = await Promise.all([
    api('GET', 'documents?limit=200&partner=' + encodeURIComponent(partner)),
    api('GET', 'shipments?limit=100&partner=' + encodeURIComponent(partner)),
    api('GET', 'invoices?limit=100&partner=' + encodeURIComponent(partner)),
  ]);
  const mine = docs.ok ? docs.data.documents.filter((d) => d.ref === po) : [];
  const acks = mine.filter((d) => d.kind === '855');
  // a shipment is this order's when one of its lines is (its detail says)
  let myShips = [];
  if (ships.ok) {
    const detail = await Promise.all(ships.data.shipments.slice(0, 25).map((s) => api('GET', 'shipments/' + s.id)));
    myShips = detail.filter((d) => d.ok && (d.data.lines || []).some((l) => l.order_id === o.id)).map((d) => d.data);
  }
  const myInvs = invs.ok ? invs.data.invoices.filter((v) => (v.po_numbers || '').split(/[ ,;]+/).includes(po)) : [];

  out.append(el('h1', {}, 'Order ' + o.po_number),
    el('dl', { class: 'meta', id: 'order-meta' },
      el('dt', {}, 'Partner'), el('dd', {}, o.partner + ' (' + o.program + ')'),
      el('dt', {}, 'State'), el('dd', {}, el('span', { class: 'badge', id: 'order-state' }, o.state)),
      el('dt', {}, 'Received'), el('dd', {}, time(o.created)),
      det.order_date ? [el('dt', {}, 'Order date'), el('dd', {}, det.order_date)] : null,
      det.delivery_window ? [el('dt', {}, 'Delivery window'), el('dd', {}, det.delivery_window.start + ' to ' + det.delivery_window.end)] : null,
      det.ship_to ? [el('dt', {}, 'Ship to'), el('dd', {}, typeof det.ship_to === 'string' ? det.ship_to : JSON.stringify(det.ship_to))] : null,
      o.personal_data ? [el('dt', {}, 'Personal data'), el('dd', {}, o.personal_data)] : null));

  const done = sessionStorage.getItem('wharf-decided');
  if (done && done.startsWith(o.po_number + ' ')) {
    if (o.state !== 'approved') sessionStorage.removeItem('wharf-decided');
    out.append(el('p', { class: 'ok-box', role: 'status', id: 'decided' }, done));
  }
  // approved, the 855 not queued yet: the page reads the order again a few
  // times (the daemon's next ack run queues it)
  const here = location.hash;
  if (o.state === 'approved' && (reloads.get(here) || 0) < 8) {
    reloads.set(here, (reloads.get(here) || 0) + 1);
    out.append(el('p', { class: 'notice', id: 'waiting-855' }, 'Approved: waiting for the ack run to queue the 855…'));
    setTimeout(() => { if (location.hash === here) go(here); }, 2500);
  } else if (o.state !== 'approved') reloads.delete(here);
  const lineDet = new Map((det.lines || []).map((l) => [l.line_no, l]));
  out.append(el('h2', {}, 'Lines'),
    table(['Line', 'Product', ['Quantity', 'num'], 'Unit', ['Unit cost', 'num'], 'State'],
      o.lines.map((l) => {
        const d = lineDet.get(l.line_no);
        const ids = d && d.product_ids ? Object.entries(d.product_ids).map(([k, v]) => k + ' ' + v).join(', ') : l.product_id;
        return [String(l.line_no), ids, num(l.quantity), l.unit, num(l.unit_cost), l.state];
      }), { id: 'order-lines' }));

  if (o.state === 'pending-approval' || o.state === 'approved') {
    if (isOperator()) out.append(decideForm(o, lineDet));
    else out.append(el('p', { class: 'notice', id: 'viewer-note' }, 'Only operators approve or reject orders; you are a viewer.'));
  }

  out.append(el('h2', {}, 'History'),
    table(['When', 'State', 'What'], o.history.map((h) => [time(h.at), h.state, h.what]), { id: 'order-history' }));

  out.append(el('h2', {}, 'Acknowledgment'),
    acks.length ? table(['Document', 'State', 'Interchange', 'Sent'], acks.map((d) => [
      el('a', { href: '#/documents/' + d.id }, '855 #' + d.id), d.state, d.group_control || '–', time(d.updated)]), { id: 'order-acks' })
      : el('p', { class: 'muted', id: 'order-acks' }, o.state === 'approved' ? 'Approved: the next ack run queues the 855.' : 'No 855 yet.'));

  out.append(el('h2', {}, 'Documents about this order'),
    mine.length ? table(['Document', 'Type', 'Direction', 'State', 'When'], mine.map((d) => [
      el('a', { href: '#/documents/' + d.id }, '#' + d.id), d.kind, d.direction, d.state, time(d.created)]), { id: 'order-docs' })
      : el('p', { class: 'muted' }, 'None.'));

  out.append(el('h2', {}, 'Shipments'),
    myShips.length ? table(['Shipment', 'Version', 'State', 'Warehouse', 'Created'], myShips.map((s) => [
      s.shipment_id, String(s.version), s.state, s.warehouse || '–', time(s.created)]), { id: 'order-shipments' })
      : el('p', { class: 'muted', id: 'order-shipments' }, 'Not shipped yet.'));

  out.append(el('h2', {}, 'Invoices'),
    myInvs.length ? table(['Invoice', 'State', ['Total', 'num'], 'Amazon'], myInvs.map((v) => [
      v.number, v.state, num((v.total || '') + ' ' + (v.currency || '')), v.amazon ? v.amazon.status : '–']), { id: 'order-invoices' })
      : el('p', { class: 'muted', id: 'order-invoices' }, 'Not invoiced yet.'));
  return out;
}

// The decision form: per line accepted / backordered / rejected quantities
// (lines left empty are accepted in full), a ship date, or the whole order
// rejected with a reason (RP) or Amazon's code (DF).
function decideForm(o, lineDet) {
  const result = el('div', { id: 'decide-result', 'aria-live': 'polite' });
  const inputs = new Map();
  const qty = (line, what) => {
    const i = el('input', { type: 'number', min: '0', step: 'any', inputmode: 'numeric', name: what + '-' + line.line_no,
      id: 'd-' + what + '-' + line.line_no, 'aria-label': what + ' quantity, line ' + line.line_no });
    inputs.set(what + '-' + line.line_no, i);
    return el('td', {}, i);
  };
  const reasons = ['', 'TemporarilyUnavailable', 'InvalidProductIdentifier', 'ObsoleteProduct'];
  const rows = o.lines.map((l) => {
    const why = select('reason-' + l.line_no, [['', '(none)'], ...reasons.slice(1)], '');
    why.id = 'd-reason-' + l.line_no;
    why.setAttribute('aria-label', 'reason, line ' + l.line_no);
    inputs.set('reason-' + l.line_no, why);
    return [String(l.line_no), num(l.quantity + ' ' + l.unit), qty(l, 'accept'), qty(l, 'backorder'), qty(l, 'reject'), el('td', {}, why)];
  });
  const ship = el('input', { type: 'date', name: 'ship_date' });
  const approve = el('button', { type: 'submit', id: 'approve' }, 'Approve');
  const form = el('form', { class: 'decide', id: 'decide-form', 'aria-labelledby': 'decide-h' },
    el('h2', { id: 'decide-h' }, 'Decide the acknowledgment'),
    el('fieldset', {},
      el('legend', {}, 'Approve, backorder or reject lines'),
      el('p', { class: 'muted' }, 'Leave a line empty to accept it in full. Quantities are in the line\'s unit.'),
      table(['Line', ['Ordered', 'num'], 'Accept', 'Backorder', 'Reject', 'Reason'], rows),
      el('div', { class: 'filters' }, field('d-ship-date', 'Ship date (backorders)', ship), approve)));
  const code = o.program === 'DF'
    ? select('code', [['03', '03 out of stock'], ['02', '02'], ['04', '04 duplicate'], ['05', '05'], ['06', '06'], ['07', '07'], ['08', '08'], ['09', '09'], ['10', '10'], ['11', '11'], ['12', '12'], ['13', '13'], ['20', '20'], ['21', '21'], ['22', '22'], ['50', '50'], ['51', '51'], ['53', '53'], ['54', '54'], ['55', '55'], ['56', '56'], ['71', '71']], '03')
    : select('reason', reasons.slice(1), reasons[1]);
  const reject = el('button', { type: 'button', class: 'danger', id: 'reject' }, 'Reject the whole order');
  form.append(el('fieldset', {}, el('legend', {}, 'Reject the whole order'),
    el('div', { class: 'filters' }, field('d-reject-why', o.program === 'DF' ? 'Amazon code' : 'Reason', code), reject)), result);

  const send = async (action, body) => {
    clear(result);
    approve.disabled = reject.disabled = true;
    const r = await api('POST', 'orders/' + encodeURIComponent(o.partner) + '/' + encodeURIComponent(o.po_number) + '/' + action, body);
    approve.disabled = reject.disabled = false;
    if (r.ok) {
      announce('Order ' + r.data.decision + '; ' + r.data.next);
      sessionStorage.setItem('wharf-decided', o.po_number + ' ' + r.data.decision + ': ' + r.data.next + '.');
      go(orderHref(o.partner, o.po_number));
      return;
    }
    const box = el('div', { class: 'refusal', role: 'alert', id: 'refusal' }, el('strong', {}, 'Refused: '), errorOf(r));
    if (r.data && Array.isArray(r.data.refusals) && r.data.refusals.length > 1)
      box.append(el('ul', {}, r.data.refusals.map((f) => el('li', {}, f.message + ' [rule ' + f.rule + ']'))));
    result.append(box);
  };
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const lines = [];
    for (const l of o.lines) {
      const line = { line_no: l.line_no };
      let any = false;
      for (const w of ['accept', 'backorder', 'reject']) {
        const v = inputs.get(w + '-' + l.line_no).value.trim();
        if (v !== '') { line[w] = v; any = true; }
      }
      const why = inputs.get('reason-' + l.line_no).value;
      if (why) { line.reason = why; any = true; }
      if (any) lines.push(line);
    }
    const body = { lines };
    if (ship.value) body.ship_date = ship.value;
    send('approve', body);
  });
  reject.addEventListener('click', () => {
    if (!window.confirm('Reject every line of ' + o.po_number + '?')) return;
    send('reject', o.program === 'DF' ? { code: code.value } : { reason: code.value });
  });
  return form;
}
