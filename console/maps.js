// The maps workbench (mapping specialists): pick a map and one of its
// golden samples, or paste or upload an input, run it read-only on the
// gateway, and see the output, the diff against the expected file and the
// code lists the map uses.
import { el, table, field, select, clear, announce } from './dom.js';
import { api, errorOf, go } from './app.js';
import { lineDiff } from './diff.js';

// A map's name is a path (amazon-rp/850-to-order): each segment encoded, the
// slashes kept (the API refuses an encoded slash in a path).
const mapPath = (name) => name.split('/').map(encodeURIComponent).join('/');

export async function mapsPage(parts, query) {
  const out = el('div', {}, el('h1', {}, 'Maps workbench'));
  const r = await api('GET', 'maps');
  if (!r.ok) {
    out.append(el('p', { class: 'error', role: 'alert' }, errorOf(r)));
    return out;
  }
  const maps = r.data.maps;
  const name = query.get('map') || (maps[0] && maps[0].name) || '';
  const mapSel = select('map', maps.map((m) => [m.name, `${m.name} (${m.from} → ${m.to})`]), name);
  mapSel.addEventListener('change', () => go('#/maps?map=' + encodeURIComponent(mapSel.value)));
  out.append(el('div', { class: 'filters' }, field('m-map', 'Map', mapSel)));
  if (!name) return out;
  const m = await api('GET', 'maps/' + mapPath(name));
  if (!m.ok) {
    out.append(el('p', { class: 'error', role: 'alert' }, errorOf(m)));
    return out;
  }
  const info = maps.find((x) => x.name === name) || {};
  if (info.description) out.append(el('p', {}, info.description));
  const samples = m.data.samples || [];
  const first = samples.find((s) => s.expected) || samples[0];
  const sampleSel = select('sample', [['', '(my own input)'], ...samples.map((s) => [s.name, s.name + (s.expected ? '' : ' (no expected file)')])], first ? first.name : '');
  const input = el('textarea', { name: 'input', spellcheck: 'false' });
  const upload = el('input', { type: 'file' });
  const partner = el('input', { name: 'partner', placeholder: 'optional' });
  const run = el('button', { type: 'submit', id: 'run-map' }, 'Run');
  const result = el('div', { id: 'map-result', 'aria-live': 'polite' });
  let loaded = '', expected = null;
  const loadSample = async () => {
    if (!sampleSel.value) return;
    const s = await api('GET', 'maps/' + mapPath(name) + '/samples/' + encodeURIComponent(sampleSel.value));
    input.value = loaded = s.ok ? s.data.input : '';
    expected = s.ok ? s.data.expected : null;
  };
  sampleSel.addEventListener('change', loadSample);
  upload.addEventListener('change', async () => {
    const f = upload.files[0];
    if (!f) return;
    input.value = await f.text();
    sampleSel.value = '';
    expected = null;
  });
  const form = el('form', { id: 'map-form', 'aria-label': 'Run ' + name },
    el('div', { class: 'filters' }, field('m-sample', 'Sample', sampleSel), field('m-upload', 'Or upload a file', upload),
      field('m-partner', 'Partner', partner)),
    field('m-input', 'Input', input), el('p', {}, run));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clear(result);
    run.disabled = true;
    // a sample unchanged runs as the sample (with its expected file)
    const body = sampleSel.value && input.value === loaded ? { sample: sampleSel.value } : { input: input.value };
    if (partner.value.trim() && !body.sample) body.partner = partner.value.trim();
    const res = await api('POST', 'maps/' + mapPath(name) + '/run', body);
    run.disabled = false;
    // an edited sample: its output against the sample's expected file, here
    result.append(showRun(res, !body.sample && sampleSel.value ? expected : null));
    announce(res.ok ? (res.data.ok ? 'The map ran' : 'The map failed') + (res.data.same === true ? ': same as expected' : res.data.same === false ? ': different from expected' : '') : 'Refused: ' + errorOf(res));
  });
  const codeLists = m.data.code_lists || [];
  out.append(el('div', { class: 'row' },
    el('section', { class: 'col', 'aria-labelledby': 'run-h' }, el('h2', { id: 'run-h' }, 'Run ' + name), form, result),
    el('section', { class: 'col', 'aria-labelledby': 'codes-h' },
      el('h2', { id: 'codes-h' }, 'Code lists it uses'),
      codeLists.length ? table(['Code list', ['Entries', 'num']], codeLists.map((c) => [c.name, el('td', { class: 'num' }, String(c.entries))]), { id: 'code-lists' })
        : el('p', { class: 'muted', id: 'code-lists' }, 'None.'),
      el('details', {}, el('summary', {}, 'The map\'s source (XSLT)'), el('pre', {}, m.data.source || '')))));
  await loadSample();
  return out;
}

function showRun(res, localExpected) {
  if (!res.ok) return el('p', { class: 'refusal', role: 'alert' }, errorOf(res));
  const x = { ...res.data };
  if (x.ok && x.diff == null && typeof localExpected === 'string') {
    x.same = x.output === localExpected;
    x.diff = x.same ? null : lineDiff(localExpected, x.output || '');
  }
  const out = el('div', {},
    el('p', { class: x.same === true ? 'ok-box' : x.same === false || !x.ok ? 'refusal' : 'notice', id: 'map-verdict' },
      (x.ok ? 'The map ran' : 'The map failed') + ` in ${x.ms} ms` +
      (x.same === true ? ': the output is the same as the expected file.' : x.same === false ? ': the output differs from the expected file.' : '.')));
  if (x.errors && x.errors.length)
    out.append(el('h3', {}, 'Errors'), el('ul', { id: 'map-errors' }, x.errors.map((e) => el('li', {}, (e.line ? 'line ' + e.line + ': ' : '') + e.message))));
  if (x.diff) out.append(el('h3', {}, 'Diff (expected → output)'), diffView(x.diff));
  out.append(el('h3', {}, 'Output'), el('pre', { id: 'map-output' }, x.output || ''));
  return out;
}

function diffView(text) {
  return el('pre', { class: 'diff', id: 'map-diff' }, text.split('\n').map((l) => {
    const cls = l.startsWith('+++') || l.startsWith('---') ? 'hunk' : l.startsWith('+') ? 'add' : l.startsWith('-') ? 'del' : l.startsWith('@@') ? 'hunk' : null;
    return el('span', { class: cls }, l === '' ? '\u200b' : l);
  }));
}
