/**
 * Training and prediction throughput of the sequence model on random data, full-length sequences:
 * `node dist/bench/nn-throughput.js [layers=64,32] [seqLen=16] [batch=256] [inputSize=20] [batches=8] [ops]`
 * (`ops` runs the unfused tfjs-ops LSTM cell, for comparison). Prints one JSON line.
 */
import { createTfjsModel } from '../src/nn/tfjs-model.js';
import { Rng } from '../src/util/rng.js';

const [layersArg = '64,32', seqLenArg = '16', batchArg = '256', inputArg = '20', batchesArg = '8', mode = 'fused'] = process.argv.slice(2);
const layers = layersArg.split(',').map(Number);
const seqLen = Number(seqLenArg);
const batch = Number(batchArg);
const inputSize = Number(inputArg);
const batches = Number(batchesArg);
const classes = 5;

const rng = new Rng(1);
const x = new Float32Array(batch * seqLen * inputSize).map(() => rng.normal());
const y = new Int32Array(batch * seqLen).map(() => rng.int(classes));
const mask = new Float32Array(batch * seqLen).fill(1);
const spec = { inputSize, seqLen, layers, dropout: 0.2, outputs: classes, loss: 'crossentropy' as const, lr: 1e-3, seed: 1 };
const model = await createTfjsModel(spec, undefined, { fusedCell: mode !== 'ops' });

await model.trainBatch({ x, y, mask, batch }); // warm-up
let t0 = performance.now();
for (let i = 0; i < batches; i++) await model.trainBatch({ x, y, mask, batch });
const trainSeqPerSec = (batches * batch) / ((performance.now() - t0) / 1000);

await model.predict(x, batch);
t0 = performance.now();
for (let i = 0; i < batches; i++) await model.predict(x, batch);
const predictSeqPerSec = (batches * batch) / ((performance.now() - t0) / 1000);

console.log(JSON.stringify({
  engine: `${model.engine}${mode === 'ops' ? ' (ops cell)' : ''}`, layers, seqLen, batch, inputSize,
  trainSequencesPerSec: Math.round(trainSeqPerSec), trainStepsPerSec: Math.round(trainSeqPerSec * seqLen),
  predictSequencesPerSec: Math.round(predictSeqPerSec), predictStepsPerSec: Math.round(predictSeqPerSec * seqLen),
}));
model.dispose();
