// GitHub's own workflow parser (@actions/workflow-parser 0.3.61) and `cairn workflow check`
// must accept and reject the same files: every workflow YAML of nektos/act's fixtures
// (../shared/conformance/actions/nektos-act; action.yml, config.yml and event.json are not
// workflows). Neither side fetches reusable workflows here (the npm parser's default), so a
// file is judged on its own content.
//
// Run by ctest: CAIRN_BIN=<path of cairn> node --test tests/compat/workflow_parser_test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, basename, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { register } from 'node:module';

const here = dirname(fileURLToPath(import.meta.url));
const actDir = join(here, '..', '..', '..', 'shared', 'conformance', 'actions', 'nektos-act');

// Files where the two may differ, and why.
const exceptions = new Map([
  // `uses: actions/checkout` without @ref: the npm package does not check a step's `uses`
  // syntax (its own reader vector errors-step-uses-syntax.yml is in its skipped list); GitHub
  // rejects it ("Expected format {org}/{repo}[/path]@ref"), and so does cairn.
  ['runner/uses-github-noref/push.yml', 'a step uses an action without @ref'],
]);

function workflowFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      out.push(...workflowFiles(path));
    } else if (/\.ya?ml$/.test(name) && name !== 'action.yml' && name !== 'action.yaml' &&
               name !== 'config.yml') {
      out.push(path);
    }
  }
  return out;
}

test('cairn workflow check agrees with @actions/workflow-parser', { skip: !existsSync(actDir) && `no ${actDir}` }, async () => {
  const cairn = process.env.CAIRN_BIN;
  assert.ok(cairn, 'CAIRN_BIN must name the cairn binary');
  register(pathToFileURL(join(here, 'json_loader.mjs')));
  const parser = await import('@actions/workflow-parser');
  const files = workflowFiles(actDir);
  assert.ok(files.length > 100, `expected the act fixtures, found ${files.length} files`);

  const official = new Map();
  for (const file of files) {
    const name = relative(actDir, file);
    const result = parser.parseWorkflow({ name, content: readFileSync(file, 'utf8') },
                                        new parser.NoOperationTraceWriter());
    let errors = result.context.errors.getErrors();
    if (errors.length === 0 && result.value) {
      const template = await parser.convertWorkflowTemplate(result.context, result.value);
      errors = template.errors ?? [];
    }
    official.set(file, errors.map((e) => e.message ?? e.Message));
  }

  const run = spawnSync(cairn, ['workflow', 'check', '--json', ...files],
                        { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.ok(run.status === 0 || run.status === 2, `cairn exited ${run.status}: ${run.stderr}`);
  const ours = new Map(JSON.parse(run.stdout).map((e) => [e.file, e]));

  let agree = 0;
  const disagreements = [];
  for (const file of files) {
    const theirs = official.get(file);
    const mine = ours.get(file);
    assert.ok(mine, `cairn said nothing about ${file}`);
    const name = relative(actDir, file);
    if ((theirs.length === 0) === mine.ok) {
      agree++;
    } else if (!exceptions.has(name)) {
      disagreements.push(`${name}: @actions/workflow-parser ${theirs.length ? 'rejects: ' + theirs[0] : 'accepts'}; ` +
                         `cairn ${mine.ok ? 'accepts' : 'rejects: ' + mine.errors[0]}`);
    }
  }
  console.log(`act workflow files: ${agree}/${files.length} judged alike`);
  assert.deepEqual(disagreements, []);
});
