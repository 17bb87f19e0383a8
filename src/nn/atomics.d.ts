/**
 * Atomics.waitAsync (ES2024), which Node 20 has; ES2022's lib, which the project targets, lacks it.
 */
interface Atomics {
  waitAsync(typedArray: Int32Array, index: number, value: number, timeout?: number):
    { async: false; value: 'not-equal' | 'timed-out' } | { async: true; value: Promise<'ok' | 'timed-out'> };
}
