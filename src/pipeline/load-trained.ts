/** A model directory as training wrote it: the network plus the preprocessing it was trained with. */
import type { Preprocessor } from '../features/index.js';
import { loadModel } from '../nn/model-io.js';
import type { SequenceModel } from '../nn/engine.js';
import { InputError } from '../util/errors.js';
import type { ModelExtra } from './write-run.js';

export interface TrainedModel {
  model: SequenceModel;
  preprocessor: Preprocessor;
  extra: ModelExtra;
}

export async function loadTrained(dir: string): Promise<TrainedModel> {
  const { model, extra } = await loadModel(dir);
  const p = (extra as Partial<ModelExtra>).preprocessor;
  if (!p || !Array.isArray(p.names) || !Array.isArray(p.classes)) {
    model.dispose();
    throw new InputError(`${dir}: model.json carries no preprocessing (extra.preprocessor); was it written by ntc train?`);
  }
  if (p.names.length !== model.spec.inputSize) {
    model.dispose();
    throw new InputError(`${dir}: the preprocessing makes ${p.names.length} features but the network takes ${model.spec.inputSize}`);
  }
  return { model, preprocessor: p, extra: extra as unknown as ModelExtra };
}
