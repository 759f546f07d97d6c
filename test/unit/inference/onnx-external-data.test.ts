import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ModelError } from '../../../electron/inference/errors.js';
import { externalDataLocations } from '../../../electron/inference/onnx-external-data.js';
import { pythonMissing, runPython } from '../../support/python.js';

/**
 * A graph with tensors where exporters put them — an initializer, a Constant's attribute, a subgraph's
 * Constant (and a sparse initializer, which onnx keeps inline) — each saved to its own external file by onnx;
 * prints onnx's own list.
 */
const BUILD = `
import sys, json
import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto
from onnx.external_data_helper import _get_all_tensors, uses_external_data
big = lambda name, v: numpy_helper.from_array(np.full((64,), v, np.float32), name)
branch = lambda name, v: helper.make_graph(
    [helper.make_node("Constant", [], [name], value=big(name + "_value", v))], name, [],
    [helper.make_tensor_value_info(name, TensorProto.FLOAT, [64])])
sparse = helper.make_sparse_tensor(big("sparse_values", 3.0), numpy_helper.from_array(np.arange(64, dtype=np.int64), "sparse_indices"), [128])
graph = helper.make_graph(
    [helper.make_node("Constant", [], ["c"], value=big("const_value", 1.0)),
     helper.make_node("If", ["cond"], ["y"], then_branch=branch("then", 2.0), else_branch=branch("else", 4.0))],
    "g", [helper.make_tensor_value_info("cond", TensorProto.BOOL, [])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [64])],
    initializer=[big("weight", 5.0)], sparse_initializer=[sparse])
model = helper.make_model(graph)
onnx.save_model(model, sys.argv[1], save_as_external_data=True, all_tensors_to_one_file=False, size_threshold=0,
                convert_attribute=True)
saved = onnx.load(sys.argv[1], load_external_data=False)
print(json.dumps(sorted({e.value for t in _get_all_tensors(saved) if uses_external_data(t) for e in t.external_data if e.key == "location"})))
`;

const missing = pythonMissing(['onnx', 'numpy']);

describe('the external-data files an ONNX graph names', { skip: missing ?? false }, () => {
  let work: string;
  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'radsift-onnx-external-'));
  });
  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('finds every location onnx itself lists: initializers, attributes, subgraphs', async () => {
    const file = path.join(work, 'model.onnx');
    const listed = JSON.parse(runPython(BUILD, [file])) as string[];
    assert.ok(listed.length >= 4, `onnx lists ${listed.join(', ')}`);
    assert.deepEqual([...(await externalDataLocations(file))].sort(), listed);
  });

  it('a file that is not an ONNX graph, or is cut short, is a BAD_MODEL naming it', async () => {
    const file = path.join(work, 'model.onnx');
    const cut = path.join(work, 'cut.onnx');
    await writeFile(cut, (await readFile(file)).subarray(0, 100));
    const json = path.join(work, 'tokenizer.json');
    await writeFile(json, '{"model": {}}');
    for (const f of [cut, json])
      await assert.rejects(
        externalDataLocations(f),
        (e: unknown) => e instanceof ModelError && e.code === 'BAD_MODEL' && e.message.includes(f),
      );
  });
});
