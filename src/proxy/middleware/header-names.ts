/**
 * @module
 * Header names as Swift reads them: its WSGI server files every header under `HTTP_<NAME>` with
 * `-` turned to `_`, and swob turns each `_` back into `-`. So `X-Object-Meta-Foo_Bar` is stored
 * as `X-Object-Meta-Foo-Bar`, and `X_Object_Meta_Q` is object metadata. A request whose header
 * names hold `_` is handed on with them as `-` (two names that meet keep both values, joined).
 */

import type { MiddlewareHandler } from "hono";

export const wsgiHeaderNames: MiddlewareHandler = async (c, next) => {
  const request = c.req.raw;
  if ([...request.headers.keys()].some((name) => name.includes("_"))) {
    const headers = new Headers();
    for (const [name, value] of request.headers) headers.append(name.replaceAll("_", "-"), value);
    c.req.raw = new Request(request, { headers });
  }
  await next();
};
