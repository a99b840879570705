// The raw X12 of a document, one segment a row, numbered as wharf's
// findings number them (the transaction set's ST is segment 1), with the
// segment and element a finding names marked.

// "segment 2: BEG03 (Purchase Order Number) is required ... [element-missing]"
// -> {segment: 2, element: 'BEG03', tag: 'BEG', pos: 3, code: 'element-missing'}
export function parseFinding(text) {
  const m = /^segment (\d+):\s*(?:([A-Z][A-Z0-9]{1,2})(\d{2})\b)?/.exec(text);
  const code = /\[([^\]]+)\]\s*$/.exec(text);
  if (!m) return { text, code: code ? code[1] : null };
  return { text, segment: Number(m[1]), element: m[2] ? m[2] + m[3] : null, tag: m[2] || null,
    pos: m[3] ? Number(m[3]) : null, code: code ? code[1] : null };
}

// Segments of an X12 interchange: [{text, elements, n (set position or null)}],
// or null when text is not X12 (an ISA of 106 characters names the separators).
export function segmentsOf(raw, setControl) {
  const s = raw.replace(/^\s+/, '');
  if (!s.startsWith('ISA') || s.length < 106) return null;
  const es = s[3], term = s[105];
  const segs = s.split(term).map((t) => t.replace(/^[\r\n]+/, '')).filter((t) => t.trim() !== '');
  let pos = null, inSet = false, found = false;
  const out = segs.map((text) => {
    const elements = text.split(es);
    const tag = elements[0];
    if (tag === 'ST' && !found && (!setControl || elements[2] === setControl)) { inSet = true; found = true; pos = 0; }
    let n = null;
    if (inSet) { pos++; n = pos; }
    if (tag === 'SE' && inSet) inSet = false;
    return { text, elements, tag, n, es, term };
  });
  return out;
}
