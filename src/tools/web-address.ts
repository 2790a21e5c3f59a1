import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";

/**
 * Where a web_fetch URL really goes: its host resolved once, and whether that address is private
 * (loopback, the private ranges, link-local with the cloud metadata address 169.254.169.254,
 * carrier-grade NAT, unspecified, multicast). The request then connects to exactly the address
 * checked (no second lookup a DNS rebinding could answer differently).
 */

const PRIVATE = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 3],
] as const) {
  PRIVATE.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const) {
  PRIVATE.addSubnet(network, prefix, "ipv6");
}

export interface ResolvedHost {
  address: string;
  family: 4 | 6;
  /** The address (or, for a name, any address it resolves to) is private. */
  private: boolean;
}

/** True for a private, loopback, link-local or otherwise non-public address (IPv4-mapped IPv6 included). */
function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return isPrivateAddress(mapped);
  const family = isIP(address);
  if (family === 0) return true;
  return PRIVATE.check(address, family === 4 ? "ipv4" : "ipv6");
}

/**
 * Resolve `hostname` (a URL's, brackets removed). Contract: rejects with a sentence when the name
 * does not resolve; a name with several addresses counts as private when any of them is.
 */
export async function resolveHost(hostname: string, signal: AbortSignal): Promise<ResolvedHost> {
  const bare = hostname.replace(/^\[|\]$/g, "");
  const literal = isIP(bare);
  if (literal) return { address: bare, family: literal as 4 | 6, private: isPrivateAddress(bare) };
  signal.throwIfAborted();
  let addresses: { address: string; family: number }[];
  try {
    addresses = await lookup(bare, { all: true, verbatim: true });
  } catch {
    throw new Error(`${bare} does not resolve (no DNS answer); check the address.`);
  }
  if (!addresses.length) throw new Error(`${bare} does not resolve (no DNS answer); check the address.`);
  const first = addresses[0];
  return { address: first.address, family: first.family === 6 ? 6 : 4, private: addresses.some((entry) => isPrivateAddress(entry.address)) };
}
