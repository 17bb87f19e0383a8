/** Bits of `ContextValues.bits`: the context features that are 0/1. */
export const CONTEXT_BIT = { srcNew: 1, dstAddrChanged: 2, dstPortChanged: 4 } as const;
