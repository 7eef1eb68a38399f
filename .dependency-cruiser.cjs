/**
 * The layers of src/, each importing only those below it (ARCHITECTURE.md):
 *   common  ←  ring  ←  config  ←  durable  ←  replicator  ←  proxy
 * (the proxy's operator routes run the replicator's jobs on demand; the replicator never reaches
 * the proxy), and bench/worker/ above them all.
 * and no import circles. Run by `npm run lint:imports` (and so by `.ci/run`).
 */
const layer = (name, allowed) => ({
  name: `${name}-imports-below`,
  comment: `src/${name} may import only ${allowed.length ? allowed.map((a) => `src/${a}`).join(", ") : "itself"} (and itself)`,
  severity: "error",
  from: { path: `^src/${name}/` },
  to: { path: "^src/", pathNot: [`^src/${name}/`, ...allowed.map((a) => `^src/${a}/`)] },
});

module.exports = {
  forbidden: [
    { name: "no-circular", comment: "an import circle", severity: "error", from: {}, to: { circular: true } },
    layer("common", []),
    layer("config", ["common", "ring"]),
    layer("ring", ["common"]),
    layer("durable", ["common", "config", "ring"]),
    layer("replicator", ["common", "config", "ring", "durable"]),
    layer("proxy", ["common", "config", "ring", "durable", "replicator"]),
    {
      name: "src-not-bench",
      comment: "the production Worker never imports the bench Worker (bench/worker/ may import src/)",
      severity: "error",
      from: { path: "^src/" },
      to: { path: "^bench/" },
    },
  ],
  options: {
    tsConfig: { fileName: "tsconfig.json" },
    tsPreCompilationDeps: true,
    doNotFollow: { path: "node_modules" },
  },
};
