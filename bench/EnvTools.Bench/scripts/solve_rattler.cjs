// Reference solver for `build.ps1 Bench -Suite Solve`: rattler's resolvo, compiled to WASM, from the npm
// package @conda-org/rattler (simpleSolve). Channels are local folders served through a replacement of
// globalThis.fetch (no sockets): https://bench.invalid/<channel>/<subdir>/<file> maps to <dir>/<subdir>/<file>.
//
// usage: node solve_rattler.cjs <job.json>
// job: { "nodeModules": "<bench>/node_modules", "channels": [{"name": "...", "dir": "..."}],
//        "specs": [...], "platforms": ["linux-64", "noarch"], "virtualPackages": ["__glibc=2.28", ...],
//        "repeats": 3, "warmIfColdBelowSeconds": 20 }
// prints one JSON line: { moduleSeconds, runs: [{seconds, fetchSeconds, fetchBytes, records|error}] }
"use strict";

const fs = require("fs");
const path = require("path");
const { respond, virtualPackage } = require("./rattler_common.cjs");

const job = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const base = "https://bench.invalid/";
const channelDirs = new Map(job.channels.map((c) => [c.name, c.dir]));

let fetchSeconds = 0;
let fetchBytes = 0;
const requested = [];

globalThis.fetch = async function benchFetch(input) {
  const url = typeof input === "string" ? input : input.url;
  const t0 = process.hrtime.bigint();
  try {
    requested.push(url);
    if (!url.startsWith(base)) {
      return respond(url, "no network in the benchmark", 404);
    }

    const rel = decodeURIComponent(url.slice(base.length).split("?")[0]);
    const slash = rel.indexOf("/");
    const dir = channelDirs.get(rel.slice(0, slash));
    const file = dir && path.join(dir, rel.slice(slash + 1));
    // Only plain repodata.json is served: the gateway then falls back from the sharded index, .zst and .bz2.
    if (!file || !file.endsWith("repodata.json") || !fs.existsSync(file)) {
      return respond(url, "not found", 404);
    }

    const body = fs.readFileSync(file);
    fetchBytes += body.length;
    return respond(url, body, 200);
  } finally {
    fetchSeconds += Number(process.hrtime.bigint() - t0) / 1e9;
  }
};

async function main() {
  const t0 = process.hrtime.bigint();
  const { createRequire } = require("module");
  const { simpleSolve } = createRequire(path.join(job.nodeModules, "..", "package.json"))("@conda-org/rattler");
  const moduleSeconds = Number(process.hrtime.bigint() - t0) / 1e9;

  const channels = job.channels.map((c) => base + c.name);
  const locked = (job.virtualPackages || []).map((v) => virtualPackage(base, v));
  const repeats = job.repeats || 3;
  const runs = [];
  for (let i = 0; i < repeats; i++) {
    fetchSeconds = 0;
    fetchBytes = 0;
    const start = process.hrtime.bigint();
    const run = {};
    try {
      const solved = await simpleSolve(job.specs, channels, job.platforms, locked);
      run.records = solved
        .filter((p) => !p.packageName.startsWith("__"))
        .map((p) => `${p.packageName}-${p.version}-${p.build}`)
        .sort();
    } catch (e) {
      run.error = String(e && e.message ? e.message : e).slice(0, 2000);
    }

    run.seconds = Number(process.hrtime.bigint() - start) / 1e9;
    run.fetchSeconds = fetchSeconds;
    run.fetchBytes = fetchBytes;
    runs.push(run);
    if (i === 0 && run.seconds > (job.warmIfColdBelowSeconds || 20)) {
      break;
    }
  }

  process.stdout.write(JSON.stringify({ moduleSeconds, runs, requested: [...new Set(requested)].slice(0, 20) }) + "\n");
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e) + "\n");
  process.exit(1);
});
