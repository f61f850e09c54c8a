// Reference solver for the random requests of `build.ps1 Bench -Suite Solve`: rattler's resolvo (npm
// @conda-org/rattler, WASM simpleSolve) in one long-lived node process, so the harness can alternate EnvTools and
// the reference request by request under the same load. Channel files are read once and then served from memory
// through a replacement of globalThis.fetch (no sockets): simpleSolve still parses them on every call, as EnvTools'
// side loads its indexes on every call.
//
// usage: node solve_rattler_serve.cjs <job.json>
// job: { "nodeModules": "...", "channels": [{"name", "dir"}], "platforms": [...], "virtualPackages": [...] }
// then one request per stdin line: {"specs": [...]}; one answer per stdout line: {seconds, records|error}.
"use strict";

const fs = require("fs");
const path = require("path");
const { respond, virtualPackage } = require("./rattler_common.cjs");
const readline = require("readline");

const job = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const base = "https://bench.invalid/";
const channelDirs = new Map(job.channels.map((c) => [c.name, c.dir]));
const held = new Map();

globalThis.fetch = async function heldFetch(input) {
  const url = typeof input === "string" ? input : input.url;
  if (!url.startsWith(base)) {
    return respond(url, "no network in the benchmark", 404);
  }

  const rel = decodeURIComponent(url.slice(base.length).split("?")[0]);
  const slash = rel.indexOf("/");
  const dir = channelDirs.get(rel.slice(0, slash));
  const file = dir && path.join(dir, rel.slice(slash + 1));
  if (!file || !file.endsWith("repodata.json")) {
    return respond(url, "not found", 404);
  }

  if (!held.has(file)) {
    held.set(file, fs.existsSync(file) ? fs.readFileSync(file) : null);
  }

  const body = held.get(file);
  return body ? respond(url, body, 200) : respond(url, "not found", 404);
};

async function main() {
  const { createRequire } = require("module");
  const { simpleSolve } = createRequire(path.join(job.nodeModules, "..", "package.json"))("@conda-org/rattler");
  const channels = job.channels.map((c) => base + c.name);
  const locked = (job.virtualPackages || []).map((v) => virtualPackage(base, v));
  const lines = readline.createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (!line.trim()) {
      continue;
    }

    const { specs } = JSON.parse(line);
    const answer = {};
    const start = process.hrtime.bigint();
    try {
      const solved = await simpleSolve(specs, channels, job.platforms, locked);
      answer.seconds = Number(process.hrtime.bigint() - start) / 1e9;
      answer.records = solved
        .filter((p) => !p.packageName.startsWith("__"))
        .map((p) => `${p.packageName}-${p.version}-${p.build}`)
        .sort();
    } catch (e) {
      answer.seconds = Number(process.hrtime.bigint() - start) / 1e9;
      answer.error = String(e && e.message ? e.message : e).slice(0, 500);
    }

    process.stdout.write(JSON.stringify(answer) + "\n");
  }
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e) + "\n");
  process.exit(1);
});
