import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

let ready: Promise<typeof tf> | undefined;

/**
 * Starts tfjs on its WebAssembly backend once per process. The .wasm binaries ship inside the
 * npm package; in Node they must be located by file path (the default looks them up relative to
 * a browser URL). tfjs-node cannot be installed here and the pure-JS `cpu` backend is ~6x slower.
 */
export function tfjsWasm(): Promise<typeof tf> {
  ready ??= (async () => {
    const require = createRequire(import.meta.url);
    const dist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
    setWasmPaths(`${dist}/`);
    if (!(await tf.setBackend('wasm'))) throw new Error('could not start the tfjs WebAssembly backend');
    await tf.ready();
    return tf;
  })();
  return ready;
}
