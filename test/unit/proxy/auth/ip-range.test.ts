/**
 * @module
 * TempURL's `temp_url_ip_range`: `ip_address(client) in ip_network(range)` with Python 3's
 * ipaddress answers (checked against CPython 3.11), any ValueError meaning "not in range".
 * Swift: common/middleware/tempurl.py; Python: Lib/ipaddress.py.
 */
import { describe, it } from "vitest";
import { ipInRange } from "../../../../src/proxy/auth/ip-range";

describe("ipInRange, as Python's ipaddress answers it", () => {
  it("a network is an address and a prefix length; an address alone is a single-address network", ({ expect }) => {
    expect(ipInRange("10.0.0.200", "10.0.0.0/24")).toBe(true);
    expect(ipInRange("10.0.1.0", "10.0.0.0/24")).toBe(false);
    expect(ipInRange("10.0.0.1", "10.0.0.1")).toBe(true);
    expect(ipInRange("10.0.0.2", "10.0.0.1")).toBe(false);
    expect(ipInRange("203.0.113.9", "0.0.0.0/0")).toBe(true);
    expect(ipInRange("10.1.2.3", "10.1.2.0/024")).toBe(true);
  });

  it("a network with host bits set raises ValueError (strict): it holds nothing, not even its own address", ({
    expect,
  }) => {
    expect(ipInRange("10.0.0.1", "10.0.0.1/24")).toBe(false);
    expect(ipInRange("10.0.0.5", "10.0.0.1/24")).toBe(false);
    expect(ipInRange("2001:db8::1", "2001:db8::1/64")).toBe(false);
    expect(ipInRange("9.9.9.9", "1.2.3.4/255.255.255.255")).toBe(false);
  });

  it("an IPv4 prefix may be a dotted netmask or, failing that, a hostmask; an IPv6 prefix only a length", ({
    expect,
  }) => {
    expect(ipInRange("10.0.0.5", "10.0.0.0/255.255.255.0")).toBe(true);
    expect(ipInRange("10.0.0.5", "10.0.0.0/0.0.0.255")).toBe(true);
    expect(ipInRange("10.0.1.5", "10.0.0.0/0.0.0.255")).toBe(false);
    // 0.0.0.0 is read as a netmask first (/0), 255.255.255.255 too (/32).
    expect(ipInRange("1.2.3.4", "0.0.0.0/0.0.0.0")).toBe(true);
    expect(ipInRange("1.2.3.4", "1.2.3.4/255.255.255.255")).toBe(true);
    expect(ipInRange("1.2.3.4", "1.2.3.0/255.0.255.0")).toBe(false);
    expect(ipInRange("::1", "::/ffff::")).toBe(false);
    expect(ipInRange("::1", "::/0.0.0.0")).toBe(false);
  });

  it("an IPv4 address is four decimal octets of 0-255 without leading zeros: no octal, hex or short forms", ({
    expect,
  }) => {
    expect(ipInRange("255.255.255.255", "255.255.255.255")).toBe(true);
    expect(ipInRange("1.2.3.4", "1.2.3.04")).toBe(false);
    expect(ipInRange("1.2.3.4", "01.2.3.4")).toBe(false);
    expect(ipInRange("10.0.0.1", "010.0.0.1")).toBe(false);
    expect(ipInRange("127.0.0.1", "0x7f.1")).toBe(false);
    expect(ipInRange("127.0.0.1", "127.1")).toBe(false);
    expect(ipInRange("127.0.0.1", "2130706433")).toBe(false);
    expect(ipInRange("0x7f.0.0.1", "0.0.0.0/0")).toBe(false);
    expect(ipInRange("1.2.3", "0.0.0.0/0")).toBe(false);
    expect(ipInRange("256.1.1.1", "0.0.0.0/0")).toBe(false);
  });

  it("an IPv6 address may end in a (strict) IPv4 address: ::a.b.c.d is IPv4-compatible, not IPv4-mapped", ({
    expect,
  }) => {
    expect(ipInRange("::ffff:1.2.3.4", "::ffff:1.2.3.0/120")).toBe(true);
    expect(ipInRange("::ffff:102:304", "::ffff:1.2.3.4")).toBe(true);
    expect(ipInRange("::102:304", "::1.2.3.4")).toBe(true);
    expect(ipInRange("::ffff:1.2.3.4", "::1.2.3.4")).toBe(false);
    expect(ipInRange("1:2:3:4:5:6:a01:203", "1:2:3:4:5:6:10.1.2.0/120")).toBe(true);
    expect(ipInRange("::ffff:10.1.2.3", "::ffff:010.1.2.3")).toBe(false);
    expect(ipInRange("::ffff:10.1.2.3", "::ffff:0xa.1.2.3")).toBe(false);
    expect(ipInRange("::ffff:10.1.2", "::/0")).toBe(false);
  });

  it("an IPv6 address may carry a %scope of any characters but %, which is ignored", ({ expect }) => {
    expect(ipInRange("fe80::1", "fe80::1%eth0")).toBe(true);
    expect(ipInRange("fe80::1", "fe80::1%eth0.1")).toBe(true);
    expect(ipInRange("fe80::1%x", "fe80::/64")).toBe(true);
    expect(ipInRange("::1", "::1%\n")).toBe(true);
    expect(ipInRange("fe80::1", "fe80::1%")).toBe(false);
    expect(ipInRange("fe80::1", "fe80::1%a%b")).toBe(false);
    // An address never holds a /, scope or not.
    expect(ipInRange("fe80::1%eth0/64", "fe80::/64")).toBe(false);
  });

  it("an IPv6 address has groups of 1-4 hex digits and at most one ::, which stands for one or more zero groups", ({
    expect,
  }) => {
    expect(ipInRange("::", "::")).toBe(true);
    expect(ipInRange("1:2:3:4:5:6:7:0", "1:2:3:4:5:6:7::")).toBe(true);
    expect(ipInRange("1:0:3:4:5:6:7:8", "1::3:4:5:6:7:8")).toBe(true);
    expect(ipInRange("0:2:3:4:5:6:7:8", "::2:3:4:5:6:7:8")).toBe(true);
    expect(ipInRange("ABCD::", "abcd::/16")).toBe(true);
    for (const client of [
      "12345::1",
      "00001::",
      "1::2::3",
      "1:2:3:4:5:6:7:8:9",
      ":1::",
      "1::1:",
      "1:2:3:4:5:6:7",
      "::g",
    ])
      expect(ipInRange(client, "::/0"), client).toBe(false);
  });

  it("an IPv4 client is in no IPv6 network and an IPv6 client in no IPv4 network, even the whole space", ({
    expect,
  }) => {
    expect(ipInRange("1.2.3.4", "::/0")).toBe(false);
    expect(ipInRange("::ffff:1.2.3.4", "0.0.0.0/0")).toBe(false);
    expect(ipInRange("::1", "0.0.0.0/0")).toBe(false);
    expect(ipInRange("::ffff:1.2.3.4", "::/0")).toBe(true);
  });

  it("a prefix length past the address's bits, or not ASCII digits, makes the network invalid", ({ expect }) => {
    for (const range of ["0.0.0.0/33", "0.0.0.0/x", "0.0.0.0/-1", "0.0.0.0/ 8", "0.0.0.0/8 ", "0.0.0.0/"])
      expect(ipInRange("0.1.2.3", range), range).toBe(false);
    for (const range of ["0.0.0.0/1e1", "0.0.0.0/0x8", "0.0.0.0/8.0", "0.0.0.0/\uff18", "0.0.0.0/8/8"])
      expect(ipInRange("0.1.2.3", range), range).toBe(false);
    expect(ipInRange("0.1.2.3", "0.0.0.0/8")).toBe(true);
    expect(ipInRange("::1", "::/128")).toBe(false);
    for (const range of ["::/129", "::/x", "::/1x", "::/"]) expect(ipInRange("::1", range), range).toBe(false);
  });

  it("whitespace is never part of an address", ({ expect }) => {
    expect(ipInRange(" 1.2.3.4", "1.2.3.4")).toBe(false);
    expect(ipInRange("1.2.3.4 ", "1.2.3.4")).toBe(false);
    expect(ipInRange("1.2.3.4", "1.2.3.4 ")).toBe(false);
    expect(ipInRange("1.2.3.4", "1.2.3.4\n")).toBe(false);
    expect(ipInRange("::1", " ::1")).toBe(false);
    expect(ipInRange("::1", "::1\n")).toBe(false);
  });

  it("an address that cannot be read is in no network", ({ expect }) => {
    for (const client of ["", "garbage", "10.1.2.3/32", "1.2.3.4.5"])
      expect(ipInRange(client, "0.0.0.0/0"), client).toBe(false);
    for (const range of ["", "/0", "garbage/0"]) expect(ipInRange("1.2.3.4", range), range).toBe(false);
  });
});
