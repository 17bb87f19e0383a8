/**
 * The part of the WebAssembly JavaScript API the kernel engine uses. Node has it globally, but
 * neither ES2022's lib nor @types/node 20 declares it (TypeScript ships it only with the DOM lib).
 */
declare namespace WebAssembly {
  class Module {
    constructor(bytes: ArrayBufferView | ArrayBuffer);
  }
  class Instance {
    constructor(module: Module, imports?: Record<string, Record<string, unknown>>);
    readonly exports: Record<string, unknown>;
  }
  class Memory {
    constructor(descriptor: { initial: number; maximum?: number; shared?: boolean });
    readonly buffer: ArrayBuffer;
    grow(pages: number): number;
  }
  function validate(bytes: ArrayBufferView | ArrayBuffer): boolean;
}
