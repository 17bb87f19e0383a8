/**
 * Child process for the model-directory test: saves a large model to argv[2] again and again, each
 * generation's weights all equal to `generation + 0.5`, and prints `saved N` after each save, until
 * it is killed. Only the save path is real here; the network is a stand-in that hands out weights.
 */
import { saveModel } from '../../src/nn/model-io.js';
import { weightShapes, type ModelSpec, type SequenceModel } from '../../src/nn/engine.js';

const dir = process.argv[2];
export const SAVER_SPEC: ModelSpec = { inputSize: 30, seqLen: 16, layers: [512, 256], dropout: 0, outputs: 5, loss: 'crossentropy', lr: 0.001, seed: 1 };

function modelWith(value: number): SequenceModel {
  const weights = weightShapes(SAVER_SPEC).map(({ name, shape }) => ({ name, shape, values: new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(value) }));
  const unused = (): never => {
    throw new Error('not used by saveModel');
  };
  return { spec: SAVER_SPEC, engine: 'test-saver', threads: 1, predictsInBackground: false, getWeights: () => weights, setWeights: unused, trainBatch: unused, evaluateBatch: unused, predict: unused, dispose: () => {} };
}

if (dir) {
  for (let generation = 1; ; generation++) {
    await saveModel(dir, modelWith(generation + 0.5), { generation });
    process.stdout.write(`saved ${generation}\n`);
  }
}
