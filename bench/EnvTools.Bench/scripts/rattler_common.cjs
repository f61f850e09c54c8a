// Shared by solve_rattler.cjs and solve_rattler_serve.cjs (the reference solver of `build.ps1 Bench -Suite Solve`).
"use strict";

// reqwest's WASM client parses Response.url, which a constructed Response leaves empty.
function respond(url, body, status) {
  const r = new Response(body, { status, headers: { "content-type": "application/json" } });
  Object.defineProperty(r, "url", { value: url });
  return r;
}

// Virtual packages: simpleSolve has no parameter for them, so they go in as locked (installed) packages,
// which resolvo offers as candidates for `__glibc>=2.17`-style dependencies.
function virtualPackage(base, spec) {
  const [name, version = "0", build = "0"] = spec.split("=");
  return {
    url: `${base}virtual/${name}-${version}-${build}.conda`,
    packageName: name,
    version,
    build,
    buildNumber: 0,
    filename: `${name}-${version}-${build}.conda`,
    subdir: "linux-64",
    depends: [],
  };
}

module.exports = { respond, virtualPackage };
