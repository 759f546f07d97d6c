/**
 * The layer order is enforced: ESLint refuses an import that points up (or sideways) the order in
 * eslint.config.js, and scripts/folder-graph.mjs finds no folder-level cycle in electron/.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';
import { PROJECT_ROOT } from '../../support/paths.js';

const eslint = new ESLint({ cwd: PROJECT_ROOT });

async function layerErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(PROJECT_ROOT, file) });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layers', () => {
  it('ESLint refuses imports against the layer order', async () => {
    const up = await layerErrors(
      'electron/dicom/example.ts',
      "import type { Encoder } from '../inference/encoder.js';\nexport type E = Encoder;\n",
    );
    assert.equal(up.length, 1);
    assert.match(up[0]!, /electron\/dicom\/ may import only util/);
    const deep = await layerErrors(
      'electron/dicom/codecs/example.ts',
      "import type { Services } from '../../api/services.js';\nexport type S = Services;\n",
    );
    assert.equal(deep.length, 1);
    const shell = await layerErrors('electron/scoring/example.ts', "export * from '../main.js';\n");
    assert.equal(shell.length, 1, 'no folder imports the shells');
  });

  it('ESLint allows imports down the order and within a folder', async () => {
    const ok = await layerErrors(
      'electron/screening/example.ts',
      [
        "import type { Encoder } from '../inference/encoder.js';",
        "import type { DicomError } from '../dicom/errors.js';",
        "import type { EncodedFile } from './pipeline.js';",
        'export type X = [Encoder, DicomError, EncodedFile];',
        '',
      ].join('\n'),
    );
    assert.deepEqual(ok, []);
  });

  it('electron/ has no folder-level import cycle', () => {
    const r = spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'scripts', 'folder-graph.mjs'), '--json'], {
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    const { graph, cycles } = JSON.parse(r.stdout) as { graph: Record<string, object>; cycles: string[][] };
    assert.deepEqual(cycles, []);
    assert.ok(Object.keys(graph).length >= 8, 'the script sees the folders');
  });
});
