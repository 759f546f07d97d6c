/**
 * A second RadSift process changing the example sets (test/unit/api/example-sets.test.ts): adds `count` paths
 * named after `tag` to `scope`, one change after another, once its parent writes a line to its stdin (so that
 * two such processes start together). Prints "ready" first, then one line per change: "ok" or the error.
 *   node example-sets-writer.js <dataDir> <scope> <tag> <count>
 */
import { once } from 'node:events';
import { ExampleSets } from '../../electron/api/example-sets.js';

const [dataDir, scope, tag, count] = process.argv.slice(2);
const sets = new ExampleSets(dataDir!);
process.stdout.write('ready\n');
await once(process.stdin, 'data');
process.stdin.pause();
for (let i = 0; i < Number(count); i++) {
  try {
    await sets.add(scope!, `/scans/${tag}-${String(i).padStart(4, '0')}.dcm`);
    process.stdout.write('ok\n');
  } catch (error) {
    process.stdout.write(`${(error as Error).message}\n`);
  }
}
