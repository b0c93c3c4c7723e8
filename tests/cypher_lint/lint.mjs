#!/usr/bin/env node
// Offline Neo4j Cypher linter: syntax + Neo4j semantic analysis (the real Neo4j front end,
// compiled to JS, shipped in @neo4j-cypher/language-support) for a list of statements.
//
// Usage:
//   node lint.mjs [options] [FILE]          FILE (or stdin when absent / "-") holds a JSON array of
//                                           statements: strings, or {"id"?, "query", "params"?} objects
// Options:
//   --format=json|text   output (default json: one array, see below)
//   --cypher=5|25        Cypher version used for analysis (default 5 = Neo4j 5.x semantics)
//   --functions=builtin  check function/procedure names against Neo4j built-ins only (default)
//   --functions=apoc     built-ins + APOC + GDS (as in a Neo4j with those plugins)
//   --functions=none     do not check function/procedure names at all
//   --keep-param-errors  keep "Parameter $x is not defined." errors (dropped by default; if a
//                        statement object has "params", those names count as defined anyway)
//   --errors-only        drop warnings (deprecations etc.)
//   --strict             exit 1 on warnings too
//   --timing             add "ms" per statement and print start-up time on stderr
// Besides the library's diagnostics, an item holding several ";"-separated statements is an error.
// Exit code: 0 = no errors, 1 = at least one error (or warning with --strict), 2 = bad input.
//
// JSON output: [{"index": 0, "id": ..., "query": "...", "ok": true|false,
//                "diagnostics": [{"severity": "error"|"warning"|"info"|"hint", "message": "...",
//                                 "line": 1, "column": 1, "endLine": 1, "endColumn": 9,
//                                 "offset": 0, "endOffset": 8}]}]
// (line/column are 1-based; offsets are 0-based UTF-16 code-unit offsets into the query)

import { readFileSync } from 'node:fs';

const t0 = performance.now();
const { lintCypherQuery, testData, isNotParamError, parseStatementsStrs } = await import(
  '@neo4j-cypher/language-support'
);
const importMs = performance.now() - t0;

const args = process.argv.slice(2);
const opt = (name, def) => {
  const a = args.find((x) => x === `--${name}` || x.startsWith(`--${name}=`));
  if (!a) return def;
  return a.includes('=') ? a.slice(a.indexOf('=') + 1) : true;
};
const format = opt('format', 'json');
const cypher = `CYPHER ${opt('cypher', '5')}`;
const functionsMode = opt('functions', 'builtin');
const keepParamErrors = Boolean(opt('keep-param-errors', false));
const errorsOnly = Boolean(opt('errors-only', false));
const strict = Boolean(opt('strict', false));
const timing = Boolean(opt('timing', false));
const file = args.find((a) => !a.startsWith('--'));

const SEVERITY = { 1: 'error', 2: 'warning', 3: 'info', 4: 'hint' };

// The package ships no function registry of its own except `testData.mockSchema`: the
// functions/procedures of a real Neo4j 5/2025 *with APOC and GDS*. Keep only what a plain
// Neo4j has, unless --functions=apoc.
function buildSchema() {
  const schema = { defaultLanguage: cypher };
  if (functionsMode === 'none') return schema;
  const mock = testData.mockSchema;
  const plugin = (name) => /^(apoc|gds)\./.test(name);
  const pick = (registry, keep) =>
    Object.fromEntries(
      Object.entries(registry).map(([ver, reg]) => [
        ver,
        Object.fromEntries(Object.entries(reg).filter(([name, v]) => keep(name, v))),
      ]),
    );
  if (functionsMode === 'apoc') {
    schema.functions = mock.functions;
    schema.procedures = mock.procedures;
  } else {
    schema.functions = pick(mock.functions, (n, f) => f.isBuiltIn && !plugin(n));
    schema.procedures = pick(mock.procedures, (n) => !plugin(n));
  }
  // Deliberately no labels / relationshipTypes / propertyKeys: with them the linter warns
  // about every label, type or property not in that list.
  return schema;
}

function toDiag(d) {
  return {
    severity: SEVERITY[d.severity] ?? String(d.severity),
    message: d.message,
    line: d.range.start.line + 1,
    column: d.range.start.character + 1,
    endLine: d.range.end.line + 1,
    endColumn: d.range.end.character + 1,
    offset: d.offsets?.start,
    endOffset: d.offsets?.end,
  };
}

function readInput() {
  const text = !file || file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8');
  const data = JSON.parse(text);
  if (!Array.isArray(data)) throw new Error('input must be a JSON array');
  return data.map((item, i) => {
    if (typeof item === 'string') return { id: i, query: item };
    if (item && typeof item.query === 'string') return { id: item.id ?? i, ...item };
    throw new Error(`item ${i}: expected a string or {"query": ...}`);
  });
}

let items;
try {
  items = readInput();
} catch (e) {
  process.stderr.write(`lint.mjs: bad input: ${e.message}\n`);
  process.exit(2);
}

const baseSchema = buildSchema();
let errors = 0;
let warnings = 0;
const results = items.map((item, index) => {
  // the linter treats dbSchema.parameters[name] === undefined as "not defined"; null is fine
  const schema = item.params
    ? { ...baseSchema, parameters: Object.fromEntries(Object.keys(item.params).map((k) => [k, null])) }
    : baseSchema;
  const t = performance.now();
  let diags = lintCypherQuery(item.query, schema).diagnostics;
  const ms = performance.now() - t;
  if (!keepParamErrors) diags = diags.filter(isNotParamError);
  let out = diags.map(toDiag);
  // the linter accepts "A; B" silently, but a driver's run() takes exactly one statement
  const parts = parseStatementsStrs(item.query);
  if (parts.length > 1) {
    out.push({ severity: 'error', message: `${parts.length} statements in one item (driver run() takes one)`,
               line: 1, column: 1, endLine: 1, endColumn: 1, offset: 0, endOffset: 0 });
  }
  if (errorsOnly) out = out.filter((d) => d.severity === 'error');
  const e = out.filter((d) => d.severity === 'error').length;
  errors += e;
  warnings += out.length - e;
  const r = { index, id: item.id, query: item.query, ok: e === 0, diagnostics: out };
  if (timing) r.ms = Math.round(ms * 10) / 10;
  return r;
});

if (format === 'text') {
  for (const r of results) {
    const head = r.query.replace(/\s+/g, ' ').slice(0, 100);
    console.log(`[${r.ok ? 'ok' : 'ERROR'}] #${r.index}${r.ms !== undefined ? ` (${r.ms} ms)` : ''} ${head}`);
    for (const d of r.diagnostics) console.log(`    ${d.severity} ${d.line}:${d.column}: ${d.message}`);
  }
  console.log(`${errors} errors, ${warnings} warnings in ${results.length} statements`);
} else {
  process.stdout.write(JSON.stringify(results, null, 1) + '\n');
}
if (timing) {
  process.stderr.write(
    `import ${importMs.toFixed(0)} ms, total ${(performance.now() - t0).toFixed(0)} ms for ${results.length} statements\n`,
  );
}
process.exit(errors > 0 || (strict && warnings > 0) ? 1 : 0);
