/**
 * @module
 * The dashboard's one page: its panels' places, filled by dashboard.client.js from
 * `GET /dashboard/data`. It holds no figures (the script fetches them with the admin's token), so
 * anyone may load it; until the reseller admin logs in, it shows the login form alone.
 */

export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>edgeswift dashboard</title>
<link rel="stylesheet" href="/dashboard/uplot.css">
<link rel="stylesheet" href="/dashboard/dashboard.css">
<script src="/dashboard/uplot.js" defer></script>
<script src="/dashboard/dashboard.js" defer></script>
</head>
<body>
<header>
  <h1>edgeswift</h1>
  <span id="status" role="status"></span>
  <button id="logout" hidden>Log out</button>
</header>
<form id="login" hidden>
  <h2>Reseller admin login</h2>
  <p>Your user and key, as for <code>/auth/v1.0</code>. The token stays in this tab only.</p>
  <label>User <input name="user" autocomplete="username" required placeholder="admin:admin"></label>
  <label>Key <input name="key" type="password" autocomplete="current-password" required></label>
  <button type="submit">Log in</button>
  <p id="login-error" class="error"></p>
</form>
<main id="dashboard" hidden>
  <section id="faults" hidden>
    <h2>Fault injection</h2>
    <div id="zone-buttons"></div>
    <button id="sweep">Run sweep now</button>
    <span id="sweep-result"></span>
  </section>
  <section>
    <h2>Ring map</h2>
    <p class="note" id="freshness"></p>
    <ul class="legend">
      <li><i class="cell-s"></i>in sync</li>
      <li><i class="cell-r"></i>repairing</li>
      <li><i class="cell-h"></i>handoff held</li>
      <li><i class="cell-d"></i>zone down</li>
      <li><i class="cell-e"></i>no data</li>
      <li><i class="cell-n"></i>not a replica</li>
    </ul>
    <div id="maps"></div>
  </section>
  <section>
    <h2>Sweeps</h2>
    <p class="note">Each ring's recent sweeps (the last 200 runs, cron's every five minutes and each "Run sweep now"): partitions found divergent, handoffs outstanding, and the convergence time, how long the longest divergence a sweep found repaired had waited since a sweep first saw it.</p>
    <div id="charts"></div>
  </section>
  <section class="columns">
    <div>
      <h2>Backlog</h2>
      <table id="backlog"></table>
      <p class="note" id="backlog-note"></p>
    </div>
    <div>
      <h2>Zones' share of replica calls</h2>
      <table id="zones"></table>
      <p class="note">Replica reads (GET, HEAD, listings) and writes (PUT, POST, DELETE) this Worker isolate sent each zone since it started.</p>
    </div>
  </section>
  <section>
    <h2>Accounts</h2>
    <table id="accounts"></table>
    <p class="note" id="accounts-note"></p>
  </section>
  <section>
    <h2>Sharded containers</h2>
    <table id="sharding"></table>
    <p class="note" id="sharding-note"></p>
  </section>
  <section>
    <h2>Price per million operations (USD)</h2>
    <table id="prices"></table>
    <p class="note">From this isolate's work per operation (<code>/recon/work</code>) at Cloudflare's published prices: Worker requests, Durable Object requests, SQLite rows, R2 class A and B operations.</p>
  </section>
</main>
</body>
</html>
`;
