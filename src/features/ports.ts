/**
 * Port classes instead of port numbers: a port's number is an identity (and a shortcut to the
 * label on CIDDS), its range says what kind of service or client it is.
 */
export const PORT_CLASSES = ['WellKnown', 'Registered', 'Ephemeral', 'Icmp', 'None'] as const;
export type PortClass = (typeof PORT_CLASSES)[number];
export const PORT_CLASS = { WellKnown: 0, Registered: 1, Ephemeral: 2, Icmp: 3, None: 4 } as const;

/** Protocol kinds that decide how a port field is read, per protocol dictionary value. */
export const PROTO_KIND = { ported: 0, icmp: 1, other: 2 } as const;

export function protoKind(proto: string): number {
  const p = proto.trim().toUpperCase();
  if (p === 'TCP' || p === 'UDP' || p === 'SCTP' || p === 'UDPLITE') return PROTO_KIND.ported;
  // ICMP "ports" are type.code, not ports.
  if (p === 'ICMP' || p === 'ICMP6' || p === 'IPV6-ICMP' || p === 'ICMPV6') return PROTO_KIND.icmp;
  return PROTO_KIND.other;
}

export function protoKinds(dictValues: readonly string[]): Uint8Array {
  const out = new Uint8Array(dictValues.length);
  for (let c = 0; c < dictValues.length; c++) out[c] = protoKind(dictValues[c]);
  return out;
}

/** Class of one port given its protocol kind (see PROTO_KIND). */
export function portClass(kind: number, port: number): number {
  if (kind === PROTO_KIND.icmp) return PORT_CLASS.Icmp;
  if (kind !== PROTO_KIND.ported) return PORT_CLASS.None;
  if (port < 1024) return PORT_CLASS.WellKnown;
  if (port < 49152) return PORT_CLASS.Registered;
  return PORT_CLASS.Ephemeral;
}
