// The TypeScript side of bench/workflow_vs_npm.sh: GitHub's own packages (@actions/expressions
// and @actions/workflow-parser 0.3.61, installed in tests/node_modules) doing in one process
// what one cairn process does.
//
//   node workflow_vs_npm.mjs gen N                  N JSON-line requests on stdout (a fixed mix)
//   node workflow_vs_npm.mjs eval FILE              evaluates each request of FILE, like
//                                                   `cairn workflow eval --batch < FILE`
//   node workflow_vs_npm.mjs parse REPS LIST        parses and converts every workflow file named
//                                                   in LIST (one path a line), REPS times, like
//                                                   `cairn workflow check FILE...`
//   node workflow_vs_npm.mjs compare TS CAIRN       counts the result lines that agree
//
// eval and parse print nothing but their results; with an empty FILE or LIST they measure only
// node's startup and the import of the package.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { register } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const modules = process.env.CAIRN_NODE_MODULES ?? join(root, 'tests', 'node_modules');
const importPackage = (name) =>
  import(pathToFileURL(join(modules, '@actions', name, 'dist', 'index.js')).href);

// ---------------------------------------------------------------------------------------------
// gen: the expression mix. Conditions, string functions and property access over a github
// context shaped like a push or a pull request (it varies with the line number), env, matrix and
// steps. Every expression is valid for its contexts.

const EXPRESSIONS = [
  // conditions
  "github.event_name == 'push' && github.ref == 'refs/heads/main'",
  "success() && (github.event_name != 'pull_request' || " +
      "contains(github.event.pull_request.labels.*.name, 'deploy'))",
  "!cancelled() && steps.evaluate.outputs.accuracy >= 0.85",
  "startsWith(github.ref, 'refs/tags/v') || endsWith(github.ref, '/main')",
  "contains(github.event.head_commit.message, '[skip ci]') == false",
  // string functions
  "format('{0}-{1}-py{2}', github.repository, github.run_number, matrix.python)",
  "join(github.event.commits.*.message, '; ')",
  "contains(fromJSON('[\"ubuntu-latest\", \"macos-latest\"]'), matrix.os)",
  "fromJSON(steps.split.outputs.sizes).train",
  "toJSON(matrix)",
  // property access
  'github.event.head_commit.author.name',
  "steps['train'].outputs['model-uri']",
  'env.MLFLOW_TRACKING_URI',
  "github.event.pull_request.labels[0].name || 'none'",
];

function contexts(i) {
  const pr = i % 3 === 2;
  const ref = pr ? `refs/pull/${i % 500}/merge` : ['refs/heads/main', 'refs/heads/dev',
                                                   'refs/tags/v1.2.0'][i % 3];
  const sha = (0x3f786850 + i).toString(16).padStart(8, '0').repeat(5);
  const github = {
    event_name: pr ? 'pull_request' : 'push',
    ref,
    sha,
    repository: 'acme/ml-pipeline',
    repository_owner: 'acme',
    actor: 'octocat',
    run_id: String(8123456789 + i),
    run_number: String(i % 1000),
    server_url: 'https://github.com',
    head_ref: pr ? 'feature/tune' : '',
    base_ref: pr ? 'main' : '',
    event: {
      ref,
      head_commit: { id: sha, message: i % 7 === 0 ? 'Retrain [skip ci]' : 'Tune learning rate',
                     author: { name: 'Mona', email: 'mona@example.com' } },
      commits: [{ id: sha.slice(0, 8), message: 'Tune learning rate' },
                { id: '89e6c98d', message: 'Add data checks' }],
      ...(pr ? { pull_request: { number: i % 500,
                                 labels: [{ name: i % 2 ? 'deploy' : 'experiment' }],
                                 head: { ref: 'feature/tune' }, base: { ref: 'main' } } } : {}),
    },
  };
  return {
    github,
    env: { MLFLOW_TRACKING_URI: 'http://mlflow:5000', DVC_REMOTE: 's3://acme/dvc' },
    matrix: { python: ['3.10', '3.11', '3.12'][i % 3], os: 'ubuntu-latest' },
    steps: {
      split: { outputs: { sizes: `{"train": ${800 + (i % 50)}, "test": 200}` },
               outcome: 'success', conclusion: 'success' },
      train: { outputs: { 'model-uri': `runs:/${sha.slice(0, 12)}/model` },
               outcome: 'success', conclusion: 'success' },
      evaluate: { outputs: { accuracy: String(0.8 + (i % 10) / 100) },
                  outcome: 'success', conclusion: 'success' },
    },
  };
}

function gen(n) {
  const lines = [];
  for (let i = 0; i < n; i++) {
    lines.push(JSON.stringify({ expr: EXPRESSIONS[i % EXPRESSIONS.length], contexts: contexts(i) }));
    if (lines.length === 10000) {
      process.stdout.write(lines.join('\n') + '\n');
      lines.length = 0;
    }
  }
  if (lines.length) process.stdout.write(lines.join('\n') + '\n');
}

// ---------------------------------------------------------------------------------------------
// eval: what `cairn workflow eval --batch` does for each line (parse the JSON line into the
// package's data, lex, parse with the line's contexts allowed, evaluate, print a JSON line);
// status functions as cairn's: success() and always() true, failure() and cancelled() false.

async function evalFile(file) {
  const { Lexer, Parser, Evaluator, data } = await importPackage('expressions');
  const text = readFileSync(file, 'utf8');
  const statusFunctions = ['success', 'failure', 'cancelled', 'always'].map(
      (name) => ({ name, minArgs: 0, maxArgs: Number.MAX_SAFE_INTEGER }));
  const impls = new Map([
    ['success', { call: () => new data.BooleanData(true) }],
    ['always', { call: () => new data.BooleanData(true) }],
    ['failure', { call: () => new data.BooleanData(false) }],
    ['cancelled', { call: () => new data.BooleanData(false) }],
  ]);
  const kindName = (d) => ['String', 'Array', 'Object', 'Boolean', 'Number', 'Object', 'Null'][d.kind];
  const plain = (d) => {
    switch (d.kind) {
      case data.Kind.Null: return null;
      case data.Kind.Boolean: case data.Kind.Number: case data.Kind.String: return d.value;
      case data.Kind.Array: return d.values().map(plain);
      default: {
        const out = {};
        for (const p of d.pairs()) out[p.key] = plain(p.value);
        return out;
      }
    }
  };
  const out = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const request = JSON.parse(line, data.reviver);
    const expr = request.get('expr').value;
    const ctx = request.get('contexts');
    try {
      const tokens = new Lexer(expr).lex().tokens;
      const tree = new Parser(tokens, ctx.pairs().map((p) => p.key), statusFunctions).parse();
      const result = new Evaluator(tree, ctx, impls).evaluate();
      out.push(JSON.stringify({ value: plain(result), kind: kindName(result) }));
    } catch (e) {
      out.push(JSON.stringify({ error: { kind: 'error', message: e.message } }));
    }
  }
  if (out.length) process.stdout.write(out.join('\n') + '\n');
}

// ---------------------------------------------------------------------------------------------
// parse: what `cairn workflow check` does for each file (read, parse, validate against the
// schema, convert to the workflow template), as tests/compat/workflow_parser_test.mjs runs it.

async function parseFiles(reps, list) {
  register(pathToFileURL(join(root, 'tests', 'compat', 'json_loader.mjs')));
  const parser = await importPackage('workflow-parser');
  const files = readFileSync(list, 'utf8').split('\n').filter((f) => f !== '');
  let valid = 0;
  let invalid = 0;
  for (let r = 0; r < reps; r++) {
    for (const file of files) {
      const result = parser.parseWorkflow({ name: file, content: readFileSync(file, 'utf8') },
                                          new parser.NoOperationTraceWriter());
      let errors = result.context.errors.getErrors();
      if (errors.length === 0 && result.value) {
        const template = await parser.convertWorkflowTemplate(result.context, result.value);
        errors = template.errors ?? [];
      }
      if (errors.length === 0) valid++; else invalid++;
    }
  }
  process.stdout.write(`valid ${valid} invalid ${invalid}\n`);
}

// ---------------------------------------------------------------------------------------------
// compare: how many result lines agree (value and kind; an error on both sides counts as
// agreeing).

function compare(tsFile, cairnFile) {
  const ts = readFileSync(tsFile, 'utf8').split('\n').filter((l) => l !== '');
  const ours = readFileSync(cairnFile, 'utf8').split('\n').filter((l) => l !== '');
  let agree = 0;
  let errors = 0;
  let firstDiff = '';
  for (let i = 0; i < Math.max(ts.length, ours.length); i++) {
    const a = ts[i] === undefined ? {} : JSON.parse(ts[i]);
    const b = ours[i] === undefined ? {} : JSON.parse(ours[i]);
    if (a.error || b.error) errors++;
    if ((a.error && b.error) ||
        (a.kind === b.kind && JSON.stringify(a.value) === JSON.stringify(b.value))) {
      agree++;
    } else if (!firstDiff) {
      firstDiff = `line ${i + 1}: TS ${ts[i]} cairn ${ours[i]}`;
    }
  }
  process.stdout.write(`${agree} of ${Math.max(ts.length, ours.length)} results agree ` +
                       `(lines with an error: ${errors})${firstDiff ? '; first difference: ' + firstDiff : ''}\n`);
}

const [mode, a, b] = process.argv.slice(2);
if (mode === 'gen') gen(Number(a));
else if (mode === 'eval') await evalFile(a);
else if (mode === 'parse') await parseFiles(Number(a), b);
else if (mode === 'compare') compare(a, b);
else {
  process.stderr.write('usage: workflow_vs_npm.mjs gen N | eval FILE | parse REPS LIST | compare TS CAIRN\n');
  process.exit(2);
}
