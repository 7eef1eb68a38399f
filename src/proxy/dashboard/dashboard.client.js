/**
 * The operators' dashboard in the browser (served as text by src/proxy/dashboard/routes.ts, no
 * build step): logs the reseller admin in through /auth/v1.0, keeps the token in this tab's
 * sessionStorage, polls /dashboard/data every two seconds and draws it; the fault buttons call
 * PUT /faults and POST /recon/sweep with the same token. Every figure is written as text
 * (textContent), never as markup.
 */
"use strict";

(() => {
  const POLL_MS = 2000;
  const TOKEN_KEY = "edgeswift.dashboard.token";
  /** Partitions per band of a ring map, and a cell's size in pixels. */
  const BAND = 128;
  const CELL_PX = 6;
  const COLOURS = { s: "#3c9d5d", r: "#e8a33d", h: "#6f5fc9", d: "#d0342c", e: "#dde1e6", "-": "#ffffff" };
  const STATES = ["sync", "repairing", "handoff", "down", "empty"];
  const $ = (id) => document.getElementById(id);
  const charts = new Map();
  let timer = null;

  const token = () => sessionStorage.getItem(TOKEN_KEY);

  function element(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function table(id, head, rows) {
    const target = $(id);
    target.replaceChildren();
    const header = element("tr");
    for (const cell of head) header.append(element("th", cell));
    target.append(header);
    for (const row of rows) {
      const line = element("tr");
      for (const cell of row) line.append(element("td", cell));
      target.append(line);
    }
  }

  function showLogin(message) {
    sessionStorage.removeItem(TOKEN_KEY);
    if (timer !== null) clearTimeout(timer);
    timer = null;
    $("dashboard").hidden = true;
    $("logout").hidden = true;
    $("login").hidden = false;
    $("login-error").textContent = message || "";
    $("status").textContent = "";
  }

  async function login(event) {
    event.preventDefault();
    const form = new FormData($("login"));
    const response = await fetch("/auth/v1.0", {
      headers: { "X-Auth-User": String(form.get("user")), "X-Auth-Key": String(form.get("key")) },
    });
    await response.arrayBuffer();
    const issued = response.headers.get("x-auth-token");
    if (!response.ok || !issued) return showLogin(`Login refused (${response.status}).`);
    sessionStorage.setItem(TOKEN_KEY, issued);
    $("login").reset();
    await poll();
  }

  async function poll() {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    if (!token()) return showLogin();
    let response;
    try {
      response = await fetch("/dashboard/data", { headers: { "X-Auth-Token": token() } });
    } catch (error) {
      $("status").textContent = `Refresh failed: ${error}`;
      timer = setTimeout(poll, POLL_MS);
      return;
    }
    if (response.status === 401) return showLogin("The token expired or is not valid: log in again.");
    if (response.status === 403) return showLogin("403 Forbidden: the dashboard is for the reseller admin only.");
    if (!response.ok) {
      $("status").textContent = `Refresh failed: ${response.status}`;
      await response.arrayBuffer();
    } else {
      draw(await response.json());
    }
    timer = setTimeout(poll, POLL_MS);
  }

  function draw(data) {
    $("login").hidden = true;
    $("dashboard").hidden = false;
    $("logout").hidden = false;
    $("status").textContent = `Updated ${new Date(data.generatedAt).toLocaleTimeString()}; every ${POLL_MS / 1000} s.`;
    drawFaults(data);
    drawMaps(data);
    drawCharts(data.sweeps);
    drawBacklog(data);
    drawZones(data.zones);
    drawAccounts(data.accounts);
    drawSharding(data.sharding);
    drawPrices(data.prices);
  }

  function drawFaults(data) {
    $("faults").hidden = !data.faultInjection;
    if (!data.faultInjection) return;
    const zones = [...new Set(data.maps.flatMap((map) => map.zones))].sort();
    const buttons = $("zone-buttons");
    buttons.replaceChildren();
    for (const zone of zones) {
      const down = data.down.includes(zone);
      const button = element("button", down ? `Bring ${zone} up` : `Take ${zone} down`, down ? "down" : "");
      button.dataset.zone = zone;
      button.addEventListener("click", () =>
        setDown(down ? data.down.filter((other) => other !== zone) : [...data.down, zone]),
      );
      buttons.append(button);
    }
  }

  async function setDown(zones) {
    const response = await fetch("/faults", {
      method: "PUT",
      headers: { "X-Auth-Token": token(), "Content-Type": "application/json" },
      body: JSON.stringify({ down: zones }),
    });
    await response.arrayBuffer();
    if (!response.ok) $("status").textContent = `PUT /faults: ${response.status}`;
    await poll();
  }

  /** Runs the sweeps now; says what they found once the page has drawn their reports. */
  async function runSweep() {
    $("sweep-result").textContent = "sweeping…";
    const response = await fetch("/recon/sweep?only=sweep", { method: "POST", headers: { "X-Auth-Token": token() } });
    let result = `POST /recon/sweep: ${response.status}`;
    if (!response.ok) await response.arrayBuffer();
    else {
      const { sweeps } = await response.json();
      const divergent = sweeps.reduce((sum, report) => sum + report.divergent, 0);
      result = `swept ${sweeps.length} rings at ${new Date().toLocaleTimeString()}: ${divergent} partitions divergent`;
    }
    await poll();
    $("sweep-result").textContent = result;
  }

  function drawMaps(data) {
    $("freshness").textContent =
      `Map as of ${new Date(data.generatedAt).toLocaleTimeString()}, from the ring summaries the sweep compares. ` +
      "Replicas report their partition hash within 10 s of a repair, a handoff's write or a write a peer missed, " +
      "and within an hour of a write every replica took alike: in sync means the replicas last reported the same hash. " +
      "Where the reports differ, the replicas are asked for their hashes now (the first 32 partitions per ring" +
      `${data.maps.some((map) => map.unprobed > 0) ? "; some were left as reported" : ""}). ` +
      `Each band is ${BAND} partitions, one row per zone in the order shown.`;
    const target = $("maps");
    target.replaceChildren();
    for (const map of data.maps) {
      const block = element("div", undefined, "map");
      block.dataset.ring = map.ring;
      const counts = STATES.map((state) => `${state} ${map.counts[state]}`).join(", ");
      const checked = map.probed ? `; ${map.probed} partitions checked with the replicas` : "";
      block.append(element("h3", `${map.ring}: ${map.partitionCount} partitions, zones ${map.zones.join(" ")}`));
      const summary = element(
        "div",
        `${counts}${checked}${map.capped ? " (capped: partitions past the first 4096 holding data left out)" : ""}`,
        "counts",
      );
      summary.dataset.counts = JSON.stringify(map.counts);
      block.append(summary, canvasOf(map));
      target.append(block);
    }
  }

  function canvasOf(map) {
    const zones = map.zones.length;
    const bands = Math.max(1, Math.ceil(map.rows.length / BAND));
    const bandPx = zones * CELL_PX + 4;
    const canvas = element("canvas");
    canvas.width = BAND * CELL_PX;
    canvas.height = bands * bandPx;
    const context = canvas.getContext("2d");
    map.rows.forEach(([, cells], index) => {
      const x = (index % BAND) * CELL_PX;
      const y = Math.floor(index / BAND) * bandPx;
      for (let zone = 0; zone < zones; zone++) {
        context.fillStyle = COLOURS[cells[zone]] || COLOURS.e;
        context.fillRect(x, y + zone * CELL_PX, CELL_PX - 1, CELL_PX - 1);
      }
    });
    return canvas;
  }

  /** One uPlot chart per figure, a series per ring, over the sweeps' start times. */
  function drawCharts(sweeps) {
    if (typeof uPlot === "undefined") return;
    const rings = Object.keys(sweeps).sort();
    const times = [...new Set(rings.flatMap((ring) => sweeps[ring].map((report) => report.startedAt)))].sort();
    const x = times.map((time) => Date.parse(time) / 1000);
    const figures = [
      ["Divergent partitions", (report) => report.divergent],
      ["Handoffs outstanding", (report) => report.handoffsOutstanding],
      ["Convergence time (s)", (report) => (report.convergedLongestMs ?? 0) / 1000],
      ["Sweep duration (ms)", (report) => report.durationMs],
    ];
    const palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"];
    for (const [title, value] of figures) {
      const series = rings.map((ring) => {
        const byTime = new Map(sweeps[ring].map((report) => [report.startedAt, value(report)]));
        return times.map((time) => (byTime.has(time) ? byTime.get(time) : null));
      });
      const key = `${title}|${rings.join(",")}`;
      let chart = charts.get(title);
      if (chart && chart.key !== key) {
        chart.plot.destroy();
        chart = undefined;
      }
      if (!chart) {
        const holder = element("div");
        $("charts").append(holder);
        const options = {
          title,
          width: 420,
          height: 180,
          series: [
            {},
            ...rings.map((ring, index) => ({ label: ring, stroke: palette[index % palette.length], spanGaps: true })),
          ],
          axes: [{}, { size: 50 }],
          // One sweep alone still gets a readable span: ten minutes around it, and counts from zero.
          scales: {
            x: { time: true, range: (_plot, min, max) => (min === max ? [min - 300, max + 300] : [min, max]) },
            y: { range: (_plot, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
          },
        };
        chart = { key, plot: new uPlot(options, [x, ...series], holder) };
        charts.set(title, chart);
      } else chart.plot.setData([x, ...series]);
    }
  }

  function drawBacklog(data) {
    const backlog = data.backlog;
    table(
      "backlog",
      ["figure", "count"],
      [
        ["Handoffs outstanding (maps)", data.maps.reduce((sum, map) => sum + map.counts.handoff, 0)],
        ["Container updates pending", backlog.updatesPending],
        ["Expirer backlog (objects past X-Delete-At)", backlog.expired],
        ["Reaper backlog (deleted accounts queued)", data.reaperQueue.length],
      ],
    );
    $("backlog-note").textContent =
      `Updates and expirer counted on ${backlog.replicasAsked} of the ${backlog.replicasHolding} object replicas ` +
      `the ring summaries list as holding rows${backlog.unreachable ? ` (${backlog.unreachable} did not answer)` : ""}; ` +
      "a replica whose writes every peer took alike is listed within the hour.";
  }

  function drawZones(zones) {
    const reads = zones.reduce((sum, entry) => sum + entry.calls.reads, 0);
    const writes = zones.reduce((sum, entry) => sum + entry.calls.writes, 0);
    const share = (count, total) => (total ? `${((100 * count) / total).toFixed(1)}%` : "–");
    table(
      "zones",
      ["zone", "reads", "read share", "writes", "write share"],
      zones.map(({ zone, calls }) => [
        zone,
        calls.reads,
        share(calls.reads, reads),
        calls.writes,
        share(calls.writes, writes),
      ]),
    );
  }

  function drawAccounts(accounts) {
    table(
      "accounts",
      ["account", "containers", "objects", "bytes"],
      accounts.usage.map((usage) => [usage.account, usage.containers, usage.objects, usage.bytes]),
    );
    $("accounts-note").textContent =
      "The configured users' accounts and those the account ring's replicas reported (the first 16 partitions), " +
      `as one answering replica of each holds them; at most 32${accounts.capped ? ": capped, some left out" : ""}.`;
  }

  function drawSharding(sharding) {
    table(
      "sharding",
      ["container", "state", "shards", "objects", "split began", "split took"],
      sharding.containers.map((entry) => [
        entry.container,
        entry.state === "sharding" ? "splitting" : "sharded",
        entry.shards,
        entry.objects,
        new Date(entry.foundAt).toLocaleString(),
        entry.state === "sharded" ? `${((entry.changedAt - entry.foundAt) / 1000).toFixed(1)} s` : "–",
      ]),
    );
    $("sharding-note").textContent =
      `${sharding.sharded} containers sharded and ${sharding.sharding} splitting, ${sharding.shards} shards in all ` +
      "(CONTAINER_SHARD_ROWS); objects as the container had when its state last changed, the 100 most recent listed.";
  }

  function drawPrices(prices) {
    table(
      "prices",
      [
        "operation",
        "requests",
        "workers",
        "DO requests",
        "rows written",
        "rows read",
        "R2 class A",
        "R2 class B",
        "total",
      ],
      prices.map(({ operation, requests, perMillion: p }) => [
        operation,
        requests,
        ...[p.workers, p.doRequests, p.rowsWritten, p.rowsRead, p.r2ClassA, p.r2ClassB, p.total].map((v) =>
          v.toFixed(3),
        ),
      ]),
    );
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("login").addEventListener("submit", (event) => {
      login(event).catch((error) => showLogin(String(error)));
    });
    $("logout").addEventListener("click", () => showLogin("Logged out."));
    $("sweep").addEventListener("click", () => {
      runSweep().catch((error) => ($("sweep-result").textContent = String(error)));
    });
    poll().catch((error) => showLogin(String(error)));
  });
})();
