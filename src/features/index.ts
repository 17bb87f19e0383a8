export * from './types.js';
export { fitPreprocessor, transformFlows, resolveOptions, type TransformOptions } from './preprocess.js';
export { encodeTargets, fitClasses, targetValue, NORMAL } from './targets.js';
export { buildSequences, gatherSequenceBatch } from './sequences.js';
export { SourceContextStore, updateSourceContext, CONTEXT_FEATURES, type SourceContext } from './source-context.js';
export { isInternalAddress } from './address.js';
export { PORT_CLASSES, portClass, protoKind } from './ports.js';
export { UNKNOWN_CODE } from './vocabulary.js';
export { sourceTimeOrder, timeOrder } from './order.js';
