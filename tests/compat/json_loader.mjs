// A Node module loader hook that serves `.json` imports as ES modules. @actions/workflow-parser
// imports its schema with `import x from "./workflow-v1.0.min.json"` (no import attributes),
// which plain Node refuses; registered by workflow_parser_test.mjs through module.register().
import { readFile } from 'node:fs/promises';

export async function load(url, context, nextLoad) {
  if (url.startsWith('file:') && url.endsWith('.json')) {
    const text = await readFile(new URL(url), 'utf8');
    return { format: 'module', source: `export default ${text};`, shortCircuit: true };
  }
  return nextLoad(url, context);
}
