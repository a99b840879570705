// x12parse.js: `make bench`'s comparison: node-x12's strict parse of one
// file, as tests/integration/x12check.js runs it (the whole process is
// timed by bench.c, start-up included, as wharf's is).
// Usage: node x12parse.js NODE_MODULES_DIR FILE
// Prints the number of transaction sets read; exit 1 when the parse fails.
'use strict'
const fs = require('fs')
const path = require('path')

const [modules, file] = process.argv.slice(2)
const { X12Parser } = require(path.resolve(modules, 'node-x12'))
const ic = new X12Parser(true).parse(fs.readFileSync(file, 'latin1'))
let sets = 0
for (const x of ic.interchanges || [ic]) {
  for (const g of x.functionalGroups) sets += g.transactions.length
}
console.log(sets)
