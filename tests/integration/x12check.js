// x12check.js: reads X12 files with an independent parser (node-x12, strict)
// and checks what Amazon checks before it reads a document: the envelope
// counts (SE01 = segments ST..SE, GE01 = sets, IEA01 = groups), the control
// numbers (ST02 = SE02, GS06 = GE02, ISA13 = IEA02) and that every segment
// holds only characters of the X12 basic and extended sets (printable
// ASCII). The counts are also taken from the raw text, so a parser that
// normalises values cannot hide a mismatch.
//
// A file that holds one bare transaction set (ST..SE: the map goldens under
// mappings/*/*.tests) is wrapped in a test envelope first. Lines that a
// golden runner appends ("exit: 0") are dropped.
//
// Usage: node x12check.js NODE_MODULES_DIR FILE...
// Prints one TAP line per file ("ok - FILE" / "not ok - FILE: why"), exit 1
// when any file fails. Used by tests/integration/independent.sh.
'use strict'
const fs = require('fs')
const path = require('path')

const [modules, ...files] = process.argv.slice(2)
const { X12Parser } = require(path.resolve(modules, 'node-x12'))

// GS01 functional identifier of each set wharf writes or reads
const GROUP = {
  810: 'IN', 812: 'CD', 820: 'RA', 846: 'IB', 850: 'PO', 855: 'PR', 856: 'SH',
  860: 'PC', 864: 'TX', 997: 'FA', 999: 'FA'
}

function envelope (set, v5010) {
  const isa = ['ISA', '00', '          ', '00', '          ', 'ZZ', 'WHARFTEST      ',
    'ZZ', 'AMAZON         ', '250101', '0000', v5010 ? '^' : 'U', v5010 ? '00501' : '00401',
    '000000001', '0', 'T', '>'].join('*') + '~\n'
  const gs = ['GS', GROUP[set] || 'ZZ', 'WHARFTEST', 'AMAZON', '20250101', '0000', '1', 'X',
    v5010 ? '005010' : '004010'].join('*') + '~\n'
  return [isa + gs, 'GE*1*1~\nIEA*1*000000001~\n']
}

// the text of FILE as an interchange, with its separators
function load (file) {
  let text = fs.readFileSync(file, 'latin1').split('\n')
    .filter(l => !/^exit: [0-9]+$/.test(l)).join('\n')
  if (/^\s*ST\*/.test(text)) {
    const set = text.match(/^\s*ST\*([0-9]{3})/)[1]
    const [head, tail] = envelope(set, /5010/.test(file))
    text = head + text.replace(/^\s+/, '') + (text.endsWith('\n') ? '' : '\n') + tail
  }
  if (!text.startsWith('ISA') || text.length < 106) throw new Error('no ISA header')
  return { text, el: text[3], comp: text[104], term: text[105] }
}

function check (file) {
  const { text, el, term } = load(file)
  const problems = []

  // raw segments: the terminator, then optional line ends
  const segs = text.split(term).map(s => s.replace(/^[\r\n]+/, ''))
  if (segs[segs.length - 1].trim() !== '') problems.push('text after the last segment terminator')
  segs.pop()
  segs.forEach((s, i) => {
    for (let k = 0; k < s.length; k++) {
      const c = s.charCodeAt(k)
      if (c < 0x20 || c > 0x7e) {
        problems.push(`segment ${i + 1} (${s.slice(0, 3)}) byte ${k}: 0x${c.toString(16)} is not an X12 basic/extended character`)
        break
      }
    }
  })

  // envelope counts and control numbers, from the raw text
  const f = s => s.split(el)
  let isa, gs, st, nst = 0, ngs = 0, nseg = 0, nsets = 0, nta1 = 0
  for (const s of segs) {
    const e = f(s)
    switch (e[0]) {
      case 'ISA': isa = e; ngs = 0; break
      case 'GS': gs = e; nsets = 0; ngs++; break
      case 'ST': st = e; nseg = 1; nst++; nsets++; break
      case 'SE':
        nseg++
        if (!st) { problems.push('SE without ST'); break }
        if (Number(e[1]) !== nseg) problems.push(`SE01 ${e[1]} but set ${st[2]} has ${nseg} segments`)
        if (e[2] !== st[2]) problems.push(`SE02 ${e[2]} does not match ST02 ${st[2]}`)
        st = undefined
        break
      case 'GE':
        if (!gs) { problems.push('GE without GS'); break }
        if (Number(e[1]) !== nsets) problems.push(`GE01 ${e[1]} but group ${gs[6]} has ${nsets} sets`)
        if (e[2] !== gs[6]) problems.push(`GE02 ${e[2]} does not match GS06 ${gs[6]}`)
        gs = undefined
        break
      case 'TA1': // interchange acknowledgment: after ISA, outside groups
        if (!isa || gs) problems.push('TA1 outside an interchange header')
        nta1++
        break
      case 'IEA':
        if (!isa) { problems.push('IEA without ISA'); break }
        if (Number(e[1]) !== ngs) problems.push(`IEA01 ${e[1]} but the interchange has ${ngs} groups`)
        if (e[2] !== isa[13]) problems.push(`IEA02 ${e[2]} does not match ISA13 ${isa[13]}`)
        isa = undefined
        break
      default:
        if (st) nseg++
        else problems.push(`${e[0]} outside a transaction set`)
    }
  }
  if (st || gs || isa) problems.push('an envelope is not closed')
  if (nst === 0 && nta1 === 0) problems.push('no transaction set and no TA1')

  // the independent parser, strict: it throws on what it cannot accept.
  // node-x12 has no TA1 (an interchange-level segment X12 places after
  // ISA): those are checked above only, and left out of its text.
  const forParser = nta1 ? segs.filter(s => !s.startsWith('TA1' + el)).map(s => s + term).join('\n') + '\n' : text
  // An interchange of TA1s only (no group) is valid X12 that node-x12
  // refuses to read at all: say so on the result line.
  let ic, note = ''
  if (nst === 0) {
    note = ' (TA1 only: envelope and characters checked here, node-x12 reads no TA1)'
  } else {
    try {
      ic = new X12Parser(true).parse(forParser)
    } catch (e) {
      problems.push(`node-x12: ${e.message}`)
    }
  }
  if (ic) {
    const ics = ic.interchanges || [ic]
    let sets = 0
    for (const x of ics) {
      for (const g of x.functionalGroups) {
        for (const t of g.transactions) {
          sets++
          if (Number(t.trailer.elements[0].value) !== t.segments.length + 2) {
            problems.push(`node-x12: SE01 ${t.trailer.elements[0].value} for ${t.segments.length + 2} segments`)
          }
        }
      }
    }
    if (sets !== nst) problems.push(`node-x12 reads ${sets} sets, the text has ${nst}`)
  }
  return { problems, note }
}

let failed = 0
for (const file of files) {
  let problems, note = ''
  try {
    ({ problems, note } = check(file))
  } catch (e) {
    problems = [e.message]
  }
  if (problems.length === 0) {
    console.log(`ok - independent parser: ${file}${note}`)
  } else {
    failed++
    console.log(`not ok - independent parser: ${file}: ${problems[0]}`)
    problems.slice(1, 5).forEach(p => console.log(`#   ${p}`))
  }
}
process.exit(failed ? 1 : 0)
