/**
 * @module
 * TempURL's `temp_url_ip_range` test, `ip_address(client) in ip_network(range)` as Python's
 * ipaddress module answers it, on top of ipaddr.js. ipaddr.js is laxer than Python (octal, hex
 * and short IPv4, leading zeros, `::a.b.c.d` read as `::ffff:a.b.c.d`, few zone characters), so
 * each text is first held to Python's grammar. Swift: common/middleware/tempurl.py; Python:
 * Lib/ipaddress.py.
 */

import ipaddr from "ipaddr.js";

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/**
 * Python's IPv4Address: four decimal octets of 0-255 without leading zeros; null when malformed
 * (ipaddr.js on its own also reads `0x7f.1`, `010.0.0.1` or `2130706433`).
 */
function parseIpv4(text: string): ipaddr.IPv4 | null {
  return ipaddr.IPv4.isValidFourPartDecimal(text) ? ipaddr.IPv4.parse(text) : null;
}

/**
 * Python's IPv6Address: eight groups of 1-4 hex digits, one `::` for one or more zero groups, an
 * IPv4 address (Python's grammar) for the last two groups, and a `%scope` of any characters but
 * `%` (ignored); null when malformed. The IPv4 tail becomes two hex groups before ipaddr.js reads
 * the address, for ipaddr.js reads `::a.b.c.d` as `::ffff:a.b.c.d` and takes leading zeros there.
 */
function parseIpv6(text: string): ipaddr.IPv6 | null {
  const percent = text.indexOf("%");
  const address = percent < 0 ? text : text.slice(0, percent);
  const scope = percent < 0 ? null : text.slice(percent + 1);
  if (scope !== null && (!scope || scope.includes("%"))) return null;
  const groups = address.split(":");
  const last = groups.at(-1) ?? "";
  if (last.includes(".")) {
    const ipv4 = parseIpv4(last);
    if (ipv4 === null) return null;
    const [a = 0, b = 0, c = 0, d = 0] = ipv4.octets;
    groups.splice(-1, 1, ((a << 8) | b).toString(16), ((c << 8) | d).toString(16));
  }
  const hex = groups.join(":");
  return ipaddr.IPv6.isValid(hex) ? ipaddr.IPv6.parse(hex) : null;
}

/** Python's ip_address: IPv4 first, then IPv6; never with a `/`. Null when malformed. */
function parseIp(text: string): Address | null {
  if (text.includes("/")) return null;
  return parseIpv4(text) ?? parseIpv6(text);
}

/**
 * Python's _make_netmask: a prefix length of ASCII digits up to the address's bits, or for IPv4
 * also a dotted netmask (255.255.255.0) or, failing that, a hostmask (0.0.0.255); null otherwise.
 */
function prefixLength(text: string, address: Address): number | null {
  const bits = address.kind() === "ipv4" ? 32 : 128;
  if (/^[0-9]+$/.test(text)) return Number(text) <= bits ? Number(text) : null;
  if (bits !== 32) return null;
  const mask = parseIpv4(text);
  if (mask === null) return null;
  const hostmask = new ipaddr.IPv4(mask.octets.map((octet) => 255 - octet));
  return mask.prefixLengthFromSubnetMask() ?? hostmask.prefixLengthFromSubnetMask();
}

/**
 * Python's strict ip_network: the address and its prefix, or null when either is malformed or the
 * address has bits set past the prefix (ValueError "has host bits set").
 */
function parseNetwork(range: string): [Address, number] | null {
  const [text = "", prefixText, extra] = range.split("/");
  if (extra !== undefined) return null;
  const base = parseIp(text);
  if (base === null) return null;
  const prefix = prefixText === undefined ? (base.kind() === "ipv4" ? 32 : 128) : prefixLength(prefixText, base);
  if (prefix === null) return null;
  const mask =
    base.kind() === "ipv4"
      ? ipaddr.IPv4.subnetMaskFromPrefixLength(prefix)
      : ipaddr.IPv6.subnetMaskFromPrefixLength(prefix);
  const maskBytes = mask.toByteArray();
  const hostBits = base.toByteArray().some((byte, i) => (byte & (maskBytes[i] ?? 0)) !== byte);
  return hostBits ? null : [base, prefix];
}

/**
 * Swift: tempurl.py `ip_address(client) in ip_network(range)`, any ValueError meaning "not in
 * range". A client of the other IP version than the range is in no range.
 */
export function ipInRange(client: string, range: string): boolean {
  const network = parseNetwork(range);
  const address = parseIp(client);
  if (network === null || address === null) return false;
  const [base, prefix] = network;
  return address.kind() === base.kind() && address.match(base, prefix);
}
