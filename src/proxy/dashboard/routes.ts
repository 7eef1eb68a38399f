/**
 * @module
 * The operators' dashboard: `GET /dashboard` (one page, plain HTML and a script, no build step),
 * its script and stylesheets with uPlot's, and `GET /dashboard/data` (every figure it draws, as
 * JSON, for the reseller admin only: 401 without a token, 403 for anyone else). The page holds
 * no data: it logs in through tempauth (`/auth/v1.0`), keeps the token in the tab's
 * sessionStorage and sends it as X-Auth-Token, as scripts do. No cookie carries it, so no other
 * site can make a browser send it (the fault buttons' `PUT /faults` included), and the page may
 * not be framed. A request for the page with a token that is not the reseller admin's is refused
 * like the data route.
 */

import { Hono } from "hono";
import { parseConfig } from "../../config/config";
import { H } from "../../common/headers";
import { resellerAdminOnly } from "../middleware/reseller-admin";
import { dashboardFigures } from "./figures";
import { DASHBOARD_HTML } from "./page";
import script from "./dashboard.client.js";
import stylesheet from "./dashboard.client.css";
import uplotScript from "uplot/dist/uPlot.iife.min.js";
import uplotStylesheet from "uplot/dist/uPlot.min.css";

export const dashboard = new Hono<{ Bindings: Env }>();

/** The page's policy: its own script, styles and fetches only; no framing, no referrer. */
const PAGE_HEADERS = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
} as const;

/** The page's files, each public (no data in them). */
const ASSETS: Record<string, { body: string; type: string }> = {
  "/dashboard/dashboard.js": { body: script, type: "text/javascript; charset=utf-8" },
  "/dashboard/dashboard.css": { body: stylesheet, type: "text/css; charset=utf-8" },
  "/dashboard/uplot.js": { body: uplotScript, type: "text/javascript; charset=utf-8" },
  "/dashboard/uplot.css": { body: uplotStylesheet, type: "text/css; charset=utf-8" },
};

// A token sent with the page (a script's) is checked as the data route checks it.
dashboard.use("/dashboard", (c, next) =>
  c.req.header(H.X_AUTH_TOKEN) === undefined ? next() : resellerAdminOnly(c, next),
);

dashboard.get(
  "/dashboard",
  () =>
    new Response(DASHBOARD_HTML, {
      headers: { [H.CONTENT_TYPE]: "text/html; charset=utf-8", ...PAGE_HEADERS },
    }),
);

for (const [path, asset] of Object.entries(ASSETS)) {
  dashboard.get(
    path,
    () =>
      new Response(asset.body, {
        headers: { [H.CONTENT_TYPE]: asset.type, "x-content-type-options": "nosniff", "cache-control": "no-cache" },
      }),
  );
}

dashboard.use("/dashboard/data", resellerAdminOnly);

dashboard.get("/dashboard/data", async (c) => {
  const figures = await dashboardFigures(parseConfig(c.env));
  return new Response(JSON.stringify(figures), {
    headers: { [H.CONTENT_TYPE]: "application/json; charset=utf-8", "cache-control": "no-store" },
  });
});
