/**
 * @module
 * Signed tokens expire: a token is valid strictly before its expiry second ("valid until
 * expiresAt"), whether the isolate checks its signature afresh or remembers it. Swift's tempauth
 * drops a token once `expires < time()`, on float clocks where the exact second never comes up.
 */
import { env } from "cloudflare:workers";
import { describe, it } from "vitest";
import { parseConfig } from "../../../src/config/config";
import { mintToken, verifyToken } from "../../../src/proxy/auth/swift-v1";

const config = parseConfig(env);
const tester = () => {
  const user = config.users.get("test:tester");
  if (!user) throw new Error("no test:tester in AUTH_USERS");
  return user;
};
/** A fixed expiry, unique per test so no token is already remembered by the isolate. */
let expirySeconds = 1_900_000_000;
const nextExpiry = () => (expirySeconds += 100);

describe("token expiry", () => {
  it("a token is refused at its expiry second exactly and one second past it, on its first check", async ({
    expect,
  }) => {
    const expires = nextExpiry();
    const atExpiry = await mintToken(config, tester(), expires);
    expect(await verifyToken(config, atExpiry, expires * 1000)).toBeNull();
    const past = await mintToken(config, tester(), nextExpiry());
    expect(await verifyToken(config, past, (expirySeconds + 1) * 1000)).toBeNull();
  });

  it("a token is accepted up to the last millisecond before its expiry", async ({ expect }) => {
    const expires = nextExpiry();
    const token = await mintToken(config, tester(), expires);
    expect(await verifyToken(config, token, expires * 1000 - 1)).toMatchObject({ account: "test", user: "tester" });
  });

  it(
    "a token accepted once is refused at its expiry second and one second past it " +
      "(the isolate's memory of it expires too)",
    async ({ expect }) => {
      const expires = nextExpiry();
      const token = await mintToken(config, tester(), expires);
      expect(await verifyToken(config, token, expires * 1000 - 1000)).not.toBeNull();
      expect(await verifyToken(config, token, expires * 1000)).toBeNull();
      const other = await mintToken(config, tester(), nextExpiry());
      expect(await verifyToken(config, other, expirySeconds * 1000 - 1000)).not.toBeNull();
      expect(await verifyToken(config, other, (expirySeconds + 1) * 1000)).toBeNull();
    },
  );
});
