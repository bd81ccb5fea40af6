// Differential test: random GitHub Actions expressions evaluated by @actions/expressions
// 0.3.61 (GitHub's own TypeScript evaluator, pinned in tests/package.json) and by
// `cairn workflow eval --batch` (one process for all of them). Values and kinds must match,
// or both must fail with the same error kind and message.
//
// The seed is printed; set EXPR_DIFF_SEED=<n> to replay a run, EXPR_DIFF_COUNT=<n> to change
// the number of expressions (default 12000).
//
// Where the TypeScript package deviates from GitHub (the official vectors or GitHub's
// documented behaviour), a difference is excluded by one of the named predicates in
// KNOWN_DEVIATIONS below, each counted and printed; nothing else is tolerated.
//
// Run by ctest: CAIRN_BIN=<path of cairn> node --test tests/compat/expressions_diff_test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Lexer, Parser, Evaluator, ExpressionError, data } from '@actions/expressions';

const cairn = process.env.CAIRN_BIN;

// ---------------------------------------------------------------------------------------------
// Seeded PRNG (mulberry32)

function makeRng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n) => Math.floor(next() * n);
  const pick = (xs) => xs[int(xs.length)];
  const chance = (p) => next() < p;
  return { next, int, pick, chance };
}

// ---------------------------------------------------------------------------------------------
// Random contexts and expressions

const KEYS = ['a', 'B', 'name', 'Value', 'x-y', 'under_score', 'n1', 'ok', 'items', 'Infinity',
              'NaN', 'true', 'null'];
const CONTEXT_NAMES = ['github', 'env', 'matrix', 'foo', 'Bar', 'x1', 'a_b', 'a-b'];
// Letters GitHub and JS upper-case the same way, one-to-one; a few caseless symbols.
const STRING_CHARS = ['a', 'b', 'A', 'B', 'z', 'Z', '0', '1', '9', ' ', '.', '-', '_', '{', '}',
                      '{0}', '{1}', '{{', '}}', "''", '"', '\\', ',', 'é', 'É', 'ü', 'Ü', 'ж',
                      'Ж', 'σ', 'Σ', 'ς', '€', '中', 'true', 'false', 'null', '0x1F', '1e3',
                      ' 12 ', 'NaN', 'Infinity', '\t', '\n', 'ß'];

function randomScalar(r) {
  switch (r.int(9)) {
    case 0: return null;
    case 1: return r.chance(0.5);
    case 2: return r.int(21) - 10;
    case 3: return r.pick([0, -0, 1.5, -2.25, 0.1, 1e3, 123456.789, 1e20, 1e-7, 0.3333333333333333,
                           9007199254740993, 2.5e-5]);
    default: {
      let s = '';
      const n = r.int(5);
      for (let i = 0; i < n; i++) s += r.pick(STRING_CHARS).replace("''", "'");
      return s;
    }
  }
}

function randomJson(r, depth) {
  if (depth <= 0 || r.chance(0.45)) return randomScalar(r);
  if (r.chance(0.5)) {
    const n = r.int(4);
    const out = [];
    for (let i = 0; i < n; i++) out.push(randomJson(r, depth - 1));
    return out;
  }
  const out = {};
  const used = new Set();
  const n = r.int(4);
  for (let i = 0; i < n; i++) {
    const k = r.pick(KEYS);
    if (used.has(k.toLowerCase())) continue;  // keys unique ignoring case, as GitHub's contexts
    used.add(k.toLowerCase());
    out[k] = randomJson(r, depth - 1);
  }
  return out;
}

function randomContexts(r) {
  const ctx = {};
  const n = 1 + r.int(4);
  for (let i = 0; i < n; i++) ctx[r.pick(CONTEXT_NAMES)] = randomJson(r, 3);
  // Case-insensitive duplicates would be GitHub-undefined: keep the first spelling only.
  const seen = new Set();
  for (const k of Object.keys(ctx)) {
    if (seen.has(k.toLowerCase())) delete ctx[k];
    seen.add(k.toLowerCase());
  }
  return ctx;
}

function quote(s) { return "'" + s.replaceAll("'", "''") + "'"; }

function numberLiteral(r) {
  return r.pick(['0', '1', '-1', '+1', '42', '-0', '0.0', '1.5', '-2.25', '.5', '-.5', '5.', '1e3',
                 '1E3', '1.2e+2', '1.2E-2', '1e20', '1e21', '1e-7', '2.5e-5', '0xff', '0xFF',
                 '0x1F', '0o17', '0b101', 'Infinity', '-Infinity', '+Infinity', 'NaN',
                 '123456789012345678', '0.1', '0.84551240822557006', '1e400', '-1e-400',
                 String(r.int(1000)), String(r.int(100000) / 100), '007', '1_000', '0x',
                 '-0xFF', '1e', '--1', '1.2.3', '-Inf', '0x1G']);
}

function stringLiteral(r) {
  let s = '';
  const n = r.int(6);
  for (let i = 0; i < n; i++) s += r.pick(STRING_CHARS);
  // STRING_CHARS' "''" is already an escaped quote inside the literal.
  return "'" + s.replaceAll("'", "''").replaceAll("''''", "''") + "'";
}

function jsonText(r) {
  const v = randomJson(r, 3);
  let text = JSON.stringify(v);
  if (text === undefined) text = 'null';
  switch (r.int(8)) {
    case 0: text = text.slice(0, Math.max(0, text.length - 1)); break;  // truncated
    case 1: text = r.pick(['', ' ', '{', '[1,]', "{'a':1}", 'NaN', 'tru', '{"a":1}}', '01',
                           '1.', '"\\x"', '[1 2]', '  42  ', '"a"', '{"A":1,"a":2}']);
            break;
    case 2: text = ' ' + text + '\n'; break;
    default: break;
  }
  return quote(text);
}

function formatString(r) {
  const parts = ['{0}', '{1}', '{2}', '{{', '}}', '{', '}', 'x', ' ', '{0', '0}', '{a}', '{ 0}',
                 '{0 }', '{00}', '{10}', '{-1}', 'abc'];
  let s = '';
  const n = r.int(5);
  for (let i = 0; i < n; i++) s += r.pick(parts);
  return quote(s);
}

const FUNCTIONS = [
  ['contains', 2], ['startsWith', 2], ['endsWith', 2], ['join', 1], ['join', 2], ['toJSON', 1],
  ['fromJSON', 1], ['format', 1], ['case', 3], ['case', 5],
];

function variantName(r, name) {
  switch (r.int(4)) {
    case 0: return name.toLowerCase();
    case 1: return name.toUpperCase();
    default: return name;
  }
}

function access(r, base, depth) {
  let e = base;
  const n = r.int(4);
  for (let i = 0; i < n; i++) {
    switch (r.int(7)) {
      case 0: e += '.' + r.pick(KEYS.filter((k) => !['true', 'null'].includes(k))); break;
      case 1: e += '.*'; break;
      case 2: e += '[*]'; break;
      case 3: e += '[' + r.pick(['0', '1', '2', '5', '-1', '1.7', "'0x01'", 'true', 'null',
                                 "'a'", "'VALUE'", "'x-y'", "''"]) + ']';
              break;
      case 4: e += '[' + gen(r, depth - 1) + ']'; break;
      case 5: e += "['" + r.pick(KEYS) + "']"; break;
      default: e += '.' + r.pick(KEYS.filter((k) => !['true', 'null'].includes(k)))
                         .toUpperCase();
    }
  }
  return e;
}

function gen(r, depth) {
  if (depth <= 0) {
    switch (r.int(6)) {
      case 0: return r.pick(['null', 'true', 'false']);
      case 1: case 2: return numberLiteral(r);
      case 3: case 4: return stringLiteral(r);
      default: return access(r, r.pick(CONTEXT_NAMES), 0);
    }
  }
  switch (r.int(16)) {
    case 0: return r.pick(['null', 'true', 'false']);
    case 1: return numberLiteral(r);
    case 2: return stringLiteral(r);
    case 3: case 4: return access(r, r.pick(CONTEXT_NAMES.concat(['nope', 'secrets'])), depth);
    case 5: return access(r, '(' + gen(r, depth - 1) + ')', depth);
    case 6: case 7: {
      const op = r.pick(['==', '!=', '<', '<=', '>', '>=', '&&', '||']);
      return gen(r, depth - 1) + ' ' + op + ' ' + gen(r, depth - 1);
    }
    case 8: return '!' + gen(r, depth - 1);
    case 9: return '(' + gen(r, depth - 1) + ')';
    case 10: return 'fromJSON(' + (r.chance(0.7) ? jsonText(r) : gen(r, depth - 1)) + ')';
    case 11: {
      const n = r.int(4);
      const args = [r.chance(0.7) ? formatString(r) : gen(r, depth - 1)];
      for (let i = 0; i < n; i++) args.push(gen(r, depth - 1));
      return variantName(r, 'format') + '(' + args.join(', ') + ')';
    }
    case 12: {
      let [name, n] = r.pick(FUNCTIONS);
      if (r.chance(0.1)) n += r.pick([-1, 1, 2]);  // wrong arity
      const args = [];
      for (let i = 0; i < Math.max(0, n); i++) {
        if (name === 'case' && i % 2 === 0 && i < n - 1 && r.chance(0.8)) {
          args.push(r.chance(0.8) ? gen(r, depth - 1) + ' == ' + gen(r, 0) : gen(r, depth - 1));
        } else if (name === 'contains' && i === 0 && r.chance(0.4)) {
          args.push('fromJSON(' + quote(JSON.stringify([randomScalar(r), randomScalar(r)])) + ')');
        } else {
          args.push(gen(r, depth - 1));
        }
      }
      return access(r, variantName(r, name) + '(' + args.join(', ') + ')', depth);
    }
    case 13: return garbage(r, gen(r, depth - 1));
    default: return gen(r, depth - 1) + ' ' + r.pick(['&&', '||']) + ' ' + gen(r, depth - 1);
  }
}

function garbage(r, e) {
  const junk = ['=', '&', '|', '@', '"x"', "'open", '(', ')', '[', ']', ',', '.', '..', '!',
                '1 2', 'foo.', '*', '#', '$', '😊', '1_0', '==', '<', ' ', '\n', 'nope()',
                'x1.', ')(', 'a b', '-', '+', '=2', '&2', '|2', '!=', '\t', 'TRUE', 'Null',
                'case(true)', 'join()', 'format()', 'success()', 'hashFiles(1)'];
  const j = r.pick(junk);
  switch (r.int(3)) {
    case 0: return j + e;
    case 1: return e + j;
    default: {
      let at = r.int(e.length + 1);
      // Never split a surrogate pair: workflow text is UTF-8, it cannot hold half a character.
      if (at > 0 && at < e.length && /[\udc00-\udfff]/.test(e[at])) at--;
      return e.slice(0, at) + j + e.slice(at);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The TypeScript side

const origCoerceString = data.NumberData.prototype.coerceString;

// .NET "G15", as GitHub prints numbers (the vectors: "0.84551240822557"; "1E+20").
function g15(d) {
  if (Number.isNaN(d)) return 'NaN';
  if (!Number.isFinite(d)) return d > 0 ? 'Infinity' : '-Infinity';
  if (d === 0) return '0';
  let [mant, exp] = d.toExponential(14).split('e');
  const e = parseInt(exp, 10);
  const neg = mant.startsWith('-');
  if (neg) mant = mant.slice(1);
  let digits = mant.replace('.', '').replace(/0+$/, '') || '0';
  let out = neg ? '-' : '';
  if (e >= 15 || e <= -5) {
    out += digits[0] + (digits.length > 1 ? '.' + digits.slice(1) : '');
    out += (e < 0 ? 'E-' : 'E+') + String(Math.abs(e)).padStart(2, '0');
  } else if (e < 0) {
    out += '0.' + '0'.repeat(-e - 1) + digits;
  } else if (digits.length <= e + 1) {
    out += digits + '0'.repeat(e + 1 - digits.length);
  } else {
    out += digits.slice(0, e + 1) + '.' + digits.slice(e + 1);
  }
  return out;
}

function prettyG15(v, level) {
  const pad = (n) => '  '.repeat(n);
  switch (v.kind) {
    case data.Kind.Null: return 'null';
    case data.Kind.Boolean: return v.value ? 'true' : 'false';
    case data.Kind.Number: return g15(v.value);
    case data.Kind.String: return JSON.stringify(v.value);
    case data.Kind.Array: {
      const items = v.values();
      if (items.length === 0) return '[]';
      return '[\n' + items.map((x) => pad(level + 1) + prettyG15(x, level + 1)).join(',\n') +
             '\n' + pad(level) + ']';
    }
    default: {
      const pairs = v.pairs();
      if (pairs.length === 0) return '{}';
      return '{\n' + pairs.map((p) => pad(level + 1) + JSON.stringify(p.key) + ': ' +
                                      prettyG15(p.value, level + 1)).join(',\n') +
             '\n' + pad(level) + '}';
    }
  }
}

function toData(v) {
  return JSON.parse(JSON.stringify(v), data.reviver);
}

function fromData(d) {
  switch (d.kind) {
    case data.Kind.Null: return null;
    case data.Kind.Boolean: return d.value;
    case data.Kind.Number: return d.value;
    case data.Kind.String: return d.value;
    case data.Kind.Array: return d.values().map(fromData);
    default: {
      const out = {};
      for (const p of d.pairs()) out[p.key] = fromData(p.value);
      return out;
    }
  }
}

function kindName(d) {
  return ['String', 'Array', 'Object', 'Boolean', 'Number', 'Object', 'Null'][d.kind];
}

// The runtime functions `cairn workflow eval` allows (see cmd_workflow_eval.cc): status
// functions as in a run where nothing failed; hashFiles fails when evaluated.
const RUNTIME_FUNCTIONS = [
  ...['success', 'failure', 'cancelled', 'always'].map(
      (name) => ({ name, minArgs: 0, maxArgs: Number.MAX_SAFE_INTEGER })),
  { name: 'hashFiles', minArgs: 1, maxArgs: 255 },
];
const RUNTIME_IMPLS = [
  ['success', { call: () => new data.BooleanData(true) }],
  ['always', { call: () => new data.BooleanData(true) }],
  ['failure', { call: () => new data.BooleanData(false) }],
  ['cancelled', { call: () => new data.BooleanData(false) }],
  ['hashfiles', { call: () => {
    throw new Error("The function 'hashFiles' is not available in this evaluation");
  } }],
];

function tsEval(expr, contexts, g15Printing) {
  let tokens;
  try {
    tokens = new Lexer(expr).lex().tokens;
  } catch (e) {
    return { error: { kind: 'lexing', message: e.message } };
  }
  let tree;
  try {
    tree = new Parser(tokens, Object.keys(contexts), RUNTIME_FUNCTIONS).parse();
  } catch (e) {
    const message = e instanceof ExpressionError
      ? `${e.message}. Located at position ${e.pos.column + 1} within expression: ${expr}`
      : e.message;
    return { error: { kind: 'parsing', message } };
  }
  if (!tree) return { value: null, kind: 'Null' };
  const ctx = new data.Dictionary();
  for (const [k, v] of Object.entries(contexts)) ctx.add(k, toData(v));
  const functions = new Map(RUNTIME_IMPLS);
  if (g15Printing) {
    data.NumberData.prototype.coerceString = function () { return g15(this.value); };
    functions.set('tojson', { call: (v) => new data.StringData(prettyG15(v, 0)) });
  }
  try {
    const result = new Evaluator(tree, ctx, functions).evaluate();
    return { value: fromData(result), kind: kindName(result) };
  } catch (e) {
    return { error: { kind: 'evaluation', message: e.message } };
  } finally {
    data.NumberData.prototype.coerceString = origCoerceString;
  }
}

// ---------------------------------------------------------------------------------------------
// Comparison

// cairn prints NaN/Infinity as strings (see cmd_workflow_eval.cc); do the same to TS values.
function normalize(v) {
  if (typeof v === 'number' && !Number.isFinite(v)) {
    return Number.isNaN(v) ? 'NaN' : (v > 0 ? 'Infinity' : '-Infinity');
  }
  if (Array.isArray(v)) return v.map(normalize);
  if (v !== null && typeof v === 'object') {
    const out = {};
    for (const [k, x] of Object.entries(v)) out[k] = normalize(x);
    return out;
  }
  return v;
}

function sameValue(a, b) {
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b) || a === b;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length &&
           a.every((x, i) => sameValue(x, b[i]));
  }
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a), kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k, i) => k === kb[i] && sameValue(a[k], b[k]));
  }
  return a === b;
}

// TS wraps an error raised while evaluating an index in this prefix (possibly repeatedly).
const INDEX_PREFIX = 'could not evaluate index for index access: ';

function agree(ts, ours) {
  if (ts.error || ours.error) {
    if (!ts.error || !ours.error) return false;
    if (ts.error.kind !== ours.error.kind) return false;
    let m = ts.error.message;
    while (m.startsWith(INDEX_PREFIX)) m = m.slice(INDEX_PREFIX.length);
    return m === ours.error.message;
  }
  return ts.kind === ours.kind && sameValue(normalize(ts.value), ours.value);
}

// Each: a documented way the TS package deviates from GitHub; `applies` decides from the case
// (expression, contexts, TS result, cairn result) whether the difference is that deviation.
const KNOWN_DEVIATIONS = [
  {
    name: 'ts-number-printing',
    why: 'TS converts numbers to strings with JS rules ((+v.toFixed(15)).toString(), and ' +
         'JSON.stringify in toJSON); GitHub prints .NET G15 ("1E+20", "1E-07", ' +
         '"0.84551240822557" in the official vectors). Applies when TS with G15 printing ' +
         'swapped in agrees with cairn.',
    applies: (c) => agree(tsEval(c.expr, c.contexts, true), c.ours),
  },
  {
    name: 'ts-multiline-positions',
    why: 'TS reports a column within the line; GitHub the position within the whole ' +
         'expression (the 4 multi-line vectors marked skip: typescript).',
    applies: (c) => c.expr.includes('\n') && c.ts.error && c.ours.error &&
                    c.ts.error.kind === c.ours.error.kind &&
                    c.ts.error.message.replace(/position \d+/, '') ===
                        c.ours.error.message.replace(/position \d+/, ''),
  },
  {
    name: 'ts-first-escape-only',
    why: "TS unescapes only the first '' in a string literal (String.replace with a string " +
         "pattern); GitHub unescapes every '' (docs: '' is a literal quote).",
    applies: (c) => /'(?:[^']|'')*''(?:[^']|'')*''(?:[^']|'')*'/.test(c.expr),
  },
  {
    name: 'case-duplicate-keys',
    why: 'fromJSON of an object whose keys repeat ignoring case: TS keeps the first value; ' +
         "cairn follows expr.h's contract (a later duplicate replaces the value in place, as " +
         "GitHub's case-insensitive dictionaries do on assignment). Undocumented by GitHub.",
    applies: (c) => /fromjson/i.test(c.expr) && /\\"(\w+)\\":.*\\"\1\\":/i.test(JSON.stringify(c.expr)),
  },
  {
    name: 'ts-full-case-mapping',
    why: 'TS upper-cases with JS full case mapping (ß -> SS, changing lengths); GitHub ' +
         'compares ordinal ignoring case, character by character (ß stays ß).',
    applies: (c) => /ß/.test(c.expr) || /ß/.test(JSON.stringify(c.contexts)),
  },
];

// ---------------------------------------------------------------------------------------------

test('@actions/expressions and cairn agree on random expressions', () => {
  assert.ok(cairn, 'CAIRN_BIN must name the cairn binary');
  const seed = process.env.EXPR_DIFF_SEED ? Number(process.env.EXPR_DIFF_SEED)
                                          : Math.floor(Math.random() * 2 ** 31);
  const count = Number(process.env.EXPR_DIFF_COUNT || 12000);
  console.log(`expressions_diff: seed ${seed} (replay with EXPR_DIFF_SEED=${seed}), ${count} cases`);
  const r = makeRng(seed);
  const cases = [];
  let contexts = randomContexts(r);
  for (let i = 0; i < count; i++) {
    if (i % 5 === 0) contexts = randomContexts(r);
    const expr = gen(r, 1 + r.int(4));
    cases.push({ expr, contexts, ts: tsEval(expr, contexts, false) });
  }
  const input = cases.map((c) => JSON.stringify({ expr: c.expr, contexts: c.contexts })).join('\n') + '\n';
  const run = spawnSync(cairn, ['workflow', 'eval', '--batch'],
                        { input, maxBuffer: 1 << 30, encoding: 'utf8' });
  assert.equal(run.status, 0, `cairn workflow eval --batch failed: ${run.stderr}`);
  const lines = run.stdout.split('\n').filter((l) => l.length > 0);
  assert.equal(lines.length, cases.length);

  const excluded = Object.fromEntries(KNOWN_DEVIATIONS.map((d) => [d.name, 0]));
  const failures = [];
  const kinds = {};
  for (let i = 0; i < cases.length; i++) {
    const c = cases[i];
    c.ours = JSON.parse(lines[i]);
    const k = c.ts.error ? `error:${c.ts.error.kind}` : c.ts.kind;
    kinds[k] = (kinds[k] || 0) + 1;
    if (agree(c.ts, c.ours)) continue;
    const deviation = KNOWN_DEVIATIONS.find((d) => d.applies(c));
    if (deviation) {
      excluded[deviation.name]++;
      continue;
    }
    failures.push(c);
  }
  console.log(`expressions_diff: outcomes ${JSON.stringify(kinds)}`);
  console.log(`expressions_diff: ${cases.length - failures.length}/${cases.length} agree or are ` +
              `known deviations; excluded ${JSON.stringify(excluded)}`);
  for (const c of failures.slice(0, 15)) {
    console.log(`DIFF ${JSON.stringify(c.expr)}\n  contexts ${JSON.stringify(c.contexts)}\n` +
                `  ts    ${JSON.stringify(c.ts)}\n  cairn ${JSON.stringify(c.ours)}`);
  }
  assert.equal(failures.length, 0, `${failures.length} differences (seed ${seed})`);
});
