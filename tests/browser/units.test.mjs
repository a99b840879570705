// The console's pure modules under node, no browser: the findings parser
// and the X12 segment numbering of edi.js (the numbers must be the ones
// wharf's findings use: the set's ST is segment 1), and diff.js's line
// diff. Prints TAP lines "ok - ..." / "not ok - ..." for console.sh.
// Usage: node units.test.mjs CONSOLE_DIR GOLDEN_X12_DIR
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [dir, golden] = process.argv.slice(2);
const { parseFinding, segmentsOf } = await import(pathToFileURL(dir + '/edi.js'));
const { lineDiff } = await import(pathToFileURL(dir + '/diff.js'));
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
function t(name, cond, got) {
  console.log((cond ? 'ok - ' : 'not ok - ') + 'units: ' + name);
  if (!cond) console.log('#   got: ' + JSON.stringify(got));
}

let f = parseFinding('segment 2: BEG03 (Purchase Order Number) is required: the Ship ID [element-missing]');
t('a finding: its segment, element and code', same([f.segment, f.element, f.tag, f.pos, f.code], [2, 'BEG03', 'BEG', 3, 'element-missing']), f);
f = parseFinding('segment 14: N103 code 9 is not one of the codes [code-invalid]');
t('a finding with a two-letter tag', same([f.segment, f.element, f.tag, f.pos], [14, 'N103', 'N1', 3]), f);
f = parseFinding('segment 7: PO1 is not allowed here [segment-unexpected]');
t('a finding about a whole segment: no element', same([f.segment, f.element], [7, null]), f);
f = parseFinding('interchange 000000001: IEA02 does not match ISA13 [envelope]');
t('a finding of the envelope: no segment', f.segment === undefined && f.code === 'envelope', f);

const bad = readFileSync(golden + '/bad/amazon-df-850-no-beg03.edi', 'latin1');
let s = segmentsOf(bad, '0001');
const beg = s.find((x) => x.tag === 'BEG');
t('ISA and GS are not numbered; ST is 1, BEG 2', same(s.slice(0, 4).map((x) => [x.tag, x.n]), [['ISA', null], ['GS', null], ['ST', 1], ['BEG', 2]]), s.slice(0, 4));
t('BEG03 is the empty element 3', beg.elements[3] === '' && beg.elements.length > 3, beg.elements);
t('SE is numbered, GE and IEA are not', same(s.slice(-3).map((x) => [x.tag, x.n === null]), [['SE', false], ['GE', true], ['IEA', true]]), s.slice(-3));
const se = s.find((x) => x.tag === 'SE');
t('SE01 counts the set\'s segments: the last number', Number(se.elements[1]) === se.n, se);

// two sets in one interchange: the second one's numbers start again at its ST
const two = readFileSync(golden + '/amazon-rp-850-multi.edi', 'latin1');
s = segmentsOf(two, null);
const sts = s.filter((x) => x.tag === 'ST');
if (sts.length >= 2) {
  const ctl = sts[1].elements[2];
  const s2 = segmentsOf(two, ctl);
  const st2 = s2.find((x) => x.tag === 'ST' && x.elements[2] === ctl);
  t('the set named by its control number is the one numbered', st2.n === 1 && s2.filter((x) => x.n === 1).length === 1, st2);
} else t('amazon-rp-850-multi.edi has two sets', false, sts.length);
t('not X12: null', segmentsOf('{"json": true}', null) === null, null);

t('a line diff: deletions, then additions, then the same lines',
  lineDiff('a\nb\nc', 'a\nB\nc') === '--- expected\n+++ output\n a\n-b\n+B\n c', lineDiff('a\nb\nc', 'a\nB\nc'));
t('the same text: no line marked', lineDiff('x\ny', 'x\ny').split('\n').slice(2).every((l) => l.startsWith(' ')), lineDiff('x\ny', 'x\ny'));
