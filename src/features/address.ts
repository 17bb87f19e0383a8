/**
 * Whether an address belongs to the monitored network. CIDDS writes addresses as strings, and only
 * some of them are IPs, so this works on the text and is evaluated once per distinct address.
 *
 * Internal: RFC 1918 private ranges (CIDDS internal hosts are `192.168.*`), the benchmark range
 * 198.18.0.0/15 that ntc's traffic lab uses, loopback, link-local, IPv6 unique-local/link-local,
 * and `OPENSTACK_NET` (CIDDS-001 external files use it for the OpenStack network, i.e. the
 * internal hosts seen from outside). Everything else is external: `DNS`, `EXT_SERVER`,
 * `ATTACKER1`..`ATTACKER3`, anonymised public addresses such as `10000_34`, public IPs.
 */
const INTERNAL_NAMES = new Set(['OPENSTACK_NET']);

export function isInternalAddress(addr: string): boolean {
  const a = addr.trim();
  if (INTERNAL_NAMES.has(a.toUpperCase())) return true;
  const v4 = parseIpv4(a);
  if (v4) {
    const [o1, o2] = v4;
    return (
      o1 === 10 ||
      (o1 === 172 && o2 >= 16 && o2 <= 31) ||
      (o1 === 192 && o2 === 168) ||
      (o1 === 198 && (o2 === 18 || o2 === 19)) ||
      o1 === 127 ||
      (o1 === 169 && o2 === 254)
    );
  }
  if (a.includes(':')) {
    const lower = a.toLowerCase();
    return lower === '::1' || /^f[cd][0-9a-f]{0,2}:/.test(lower) || /^fe[89ab][0-9a-f]?:/.test(lower);
  }
  return false;
}

function parseIpv4(a: string): number[] | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(a);
  if (!m) return undefined;
  const octets = m.slice(1).map(Number);
  return octets.every((o) => o <= 255) ? octets : undefined;
}

/** Flags computed so far per dictionary's values array (append-only: see byte-dictionary.ts). */
const flagsOf = new WeakMap<readonly string[], Uint8Array>();

/**
 * Per dictionary value: 1 if internal, else 0. A stream's batches share their dictionaries, which
 * only grow: the values seen before keep their flags, and only new ones are looked at.
 */
export function internalFlags(dictValues: readonly string[]): Uint8Array {
  const known = flagsOf.get(dictValues);
  if (known && known.length === dictValues.length) return known;
  const out = new Uint8Array(dictValues.length);
  let from = 0;
  if (known && known.length < dictValues.length) {
    out.set(known);
    from = known.length;
  }
  for (let c = from; c < dictValues.length; c++) out[c] = isInternalAddress(dictValues[c]) ? 1 : 0;
  flagsOf.set(dictValues, out);
  return out;
}
