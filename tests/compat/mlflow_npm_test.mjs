// The `mlflow` npm package (2.0.7, an MLflow REST client nobody here wrote) against
// `cairn server`: every method of its Experiments, Runs, Metrics and Artifacts classes.
// Experiments.list calls GET /experiments/list, which MLflow removed in 2.0, and
// Experiments.setExperimentTag builds a path without its slash ("/experimentsset-experiment-tag"):
// both fail against a real MLflow server too, so here they must fail with a 404.
//
// Run by ctest: CAIRN_BIN=<path of cairn> node --test tests/compat/mlflow_npm_test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const MLflow = require('mlflow');

const cairn = process.env.CAIRN_BIN;
let dir;
let server;
let endpoint;
let mlflow;

// The client logs every POST body on stdout; keep the test's output readable.
const log = console.log;
console.log = () => {};

before(async () => {
  assert.ok(cairn, 'CAIRN_BIN must name the cairn binary');
  dir = mkdtempSync(join(tmpdir(), 'cairn-npm-'));
  server = spawn(cairn, ['server', '--backend-store-uri', `sqlite:///${dir}/mlflow.db`,
                         '--artifacts-destination', join(dir, 'artifacts'), '--port', '0'],
                 { stdio: ['ignore', 'ignore', 'pipe'] });
  endpoint = await new Promise((resolve, reject) => {
    let text = '';
    server.stderr.on('data', (chunk) => {
      text += chunk;
      const m = text.match(/listening on (http:\/\/[^\s]+)/);
      if (m) resolve(m[1]);
    });
    server.on('exit', (code) => reject(new Error(`cairn server exited (${code}): ${text}`)));
  });
  mlflow = new MLflow({ endpoint });
});

after(() => {
  server?.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
  console.log = log;
});

// The client throws Error(Error(JSON.stringify({status, statusText, data}))).
function failure(err) {
  const text = String(err.message).replace(/^Error: /, '');
  return JSON.parse(text);
}

test('experiments: create, get, update, delete, restore', async () => {
  const { experiment_id } = await mlflow.Experiments.create({ name: 'npm-exp' });
  assert.match(experiment_id, /^[0-9]+$/);

  let { experiment } = await mlflow.Experiments.get({ experiment_id });
  assert.equal(experiment.name, 'npm-exp');
  assert.equal(experiment.lifecycle_stage, 'active');
  assert.equal(experiment.artifact_location, `mlflow-artifacts:/${experiment_id}`);
  assert.equal(typeof experiment.creation_time, 'number');

  assert.deepEqual(await mlflow.Experiments.update({ experiment_id, new_name: 'npm-renamed' }), {});
  ({ experiment } = await mlflow.Experiments.get({ experiment_id }));
  assert.equal(experiment.name, 'npm-renamed');

  await mlflow.Experiments.delete({ experiment_id });
  ({ experiment } = await mlflow.Experiments.get({ experiment_id }));
  assert.equal(experiment.lifecycle_stage, 'deleted');
  await mlflow.Experiments.restore({ experiment_id });
  ({ experiment } = await mlflow.Experiments.get({ experiment_id }));
  assert.equal(experiment.lifecycle_stage, 'active');

  const dup = failure(await mlflow.Experiments.create({ name: 'npm-renamed' }).then(
      () => assert.fail('a duplicate name was accepted'), (e) => e));
  assert.equal(dup.status, 400);
  assert.equal(dup.data.error_code, 'RESOURCE_ALREADY_EXISTS');

  const missing = failure(await mlflow.Experiments.get({ experiment_id: '987654' }).then(
      () => assert.fail('an unknown experiment was found'), (e) => e));
  assert.equal(missing.status, 404);
  assert.equal(missing.data.error_code, 'RESOURCE_DOES_NOT_EXIST');
});

test('experiments: list and setExperimentTag fail as they do against MLflow', async () => {
  for (const call of [() => mlflow.Experiments.list(),
                      () => mlflow.Experiments.setExperimentTag({ experiment_id: '0', key: 'k', value: 'v' })]) {
    const err = failure(await call().then(() => assert.fail('the call succeeded'), (e) => e));
    assert.equal(err.status, 404);
  }
});

test('runs, metrics and artifacts', async () => {
  const { experiment_id } = await mlflow.Experiments.create({ name: 'npm-runs' });
  const start = Date.now();
  const { run } = await mlflow.Runs.create({
    experiment_id, user_id: 'npm', start_time: start, tags: [{ key: 'team', value: 'ml' }] });
  const run_id = run.info.run_id;
  assert.match(run_id, /^[0-9a-f]{32}$/);
  assert.equal(run.info.run_uuid, run_id);
  assert.equal(run.info.status, 'RUNNING');
  assert.equal(run.info.user_id, 'npm');
  assert.equal(run.info.start_time, start);
  assert.equal(run.info.end_time, undefined);
  assert.equal(run.info.artifact_uri, `mlflow-artifacts:/${experiment_id}/${run_id}/artifacts`);
  assert.ok(run.data.tags.some((t) => t.key === 'team' && t.value === 'ml'));

  await mlflow.Runs.logMetric({ run_id, key: 'acc', value: 0.5, timestamp: start, step: 0 });
  await mlflow.Runs.logMetric({ run_id, key: 'acc', value: 0.75, timestamp: start + 1, step: 1 });
  await mlflow.Runs.logParameter({ run_id, key: 'lr', value: '0.1' });
  await mlflow.Runs.setTag({ run_id, key: 'stage', value: 'train' });
  await mlflow.Runs.logBatch({
    run_id,
    metrics: [{ key: 'loss', value: 0.25, timestamp: start, step: 1 }],
    params: [{ key: 'depth', value: '6' }],
    tags: [{ key: 'note', value: 'batch' }],
  });
  await mlflow.Runs.deleteTag({ run_id, key: 'stage' });

  const changed = failure(await mlflow.Runs.logParameter({ run_id, key: 'lr', value: '0.2' }).then(
      () => assert.fail('a param changed'), (e) => e));
  assert.equal(changed.status, 400);
  assert.equal(changed.data.error_code, 'INVALID_PARAMETER_VALUE');

  const got = (await mlflow.Runs.get({ run_id })).run;
  const metrics = Object.fromEntries(got.data.metrics.map((m) => [m.key, m]));
  assert.deepEqual(metrics.acc, { key: 'acc', value: 0.75, timestamp: start + 1, step: 1 });
  assert.equal(metrics.loss.value, 0.25);
  const params = Object.fromEntries(got.data.params.map((p) => [p.key, p.value]));
  assert.deepEqual(params, { depth: '6', lr: '0.1' });
  const tags = Object.fromEntries(got.data.tags.map((t) => [t.key, t.value]));
  assert.equal(tags.note, 'batch');
  assert.equal(tags.stage, undefined);

  const { metrics: history } = await mlflow.Metrics.getHistory({ run_id, metric_key: 'acc' });
  assert.deepEqual(history.map((m) => [m.value, m.step]), [[0.5, 0], [0.75, 1]]);

  const { runs } = await mlflow.Runs.search({
    experiment_ids: [experiment_id], filter: 'metrics.acc > 0.7 AND params.lr = \'0.1\'',
    order_by: ['metrics.acc DESC'], max_results: 10 });
  assert.deepEqual(runs.map((r) => r.info.run_id), [run_id]);
  const none = await mlflow.Runs.search({ experiment_ids: [experiment_id], filter: 'metrics.acc > 0.9' });
  assert.equal(none.runs, undefined);

  const end = start + 1000;
  const { run_info } = await mlflow.Runs.update({ run_id, status: 'FINISHED', end_time: end });
  assert.equal(run_info.status, 'FINISHED');
  assert.equal(run_info.end_time, end);

  // An artifact through the proxy, as MLflow's Python client uploads one, then listed by the
  // npm client.
  const put = await fetch(`${endpoint}/api/2.0/mlflow-artifacts/artifacts/${experiment_id}/${run_id}/artifacts/model/model.txt`,
                          { method: 'PUT', body: 'weights' });
  assert.equal(put.status, 200);
  const root = await mlflow.Artifacts.list({ run_id });
  assert.equal(root.root_uri, run.info.artifact_uri);
  assert.deepEqual(root.files, [{ path: 'model', is_dir: true }]);
  const inner = await mlflow.Artifacts.list({ run_id, path: 'model' });
  assert.deepEqual(inner.files, [{ path: 'model/model.txt', is_dir: false, file_size: 7 }]);

  await mlflow.Runs.delete({ run_id });
  assert.equal((await mlflow.Runs.get({ run_id })).run.info.lifecycle_stage, 'deleted');
  const deleted = failure(await mlflow.Runs.logMetric({ run_id, key: 'acc', value: 1, timestamp: end }).then(
      () => assert.fail('logged to a deleted run'), (e) => e));
  assert.equal(deleted.status, 400);
  await mlflow.Runs.restore({ run_id });
  assert.equal((await mlflow.Runs.get({ run_id })).run.info.lifecycle_stage, 'active');
});
