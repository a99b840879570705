// Line diffs for the maps workbench (no DOM here: tests/browser/units.test.mjs
// runs it under node).

// A line diff of a and b ('-' a only, '+' b only, ' ' both) by their longest
// common subsequence; null when too large to compare in the page.
export function lineDiff(a, b) {
  const x = a.split('\n'), y = b.split('\n');
  if (x.length * y.length > 4e6) return null;
  const n = x.length, m = y.length;
  const L = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      L[i][j] = x[i] === y[j] ? L[i + 1][j + 1] + 1 : Math.max(L[i + 1][j], L[i][j + 1]);
  const out = ['--- expected', '+++ output'];
  let i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && x[i] === y[j]) { out.push(' ' + x[i]); i++; j++; }
    else if (i < n && (j === m || L[i + 1][j] >= L[i][j + 1])) { out.push('-' + x[i]); i++; }
    else { out.push('+' + y[j]); j++; }
  }
  return out.join('\n');
}
