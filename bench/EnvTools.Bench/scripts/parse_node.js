// Reference: JSON.parse of the whole repodata.json in node.
// Usage: node parse_node.js <repeats> <file>...; prints one JSON line with the best time and peak RSS.
const fs = require("fs");
const [repeatsText, ...paths] = process.argv.slice(2);
const repeats = parseInt(repeatsText, 10);
let best = Infinity;
let records = 0;
for (let i = 0; i < repeats; i++) {
  records = 0;
  let total = 0;
  for (const path of paths) {
    const t0 = process.hrtime.bigint();
    const data = JSON.parse(fs.readFileSync(path, "utf8"));
    total += Number(process.hrtime.bigint() - t0) / 1e9;
    records += Object.keys(data.packages || {}).length + Object.keys(data["packages.conda"] || {}).length;
  }
  best = Math.min(best, total);
}
// VmHWM is this process's own high-water mark (maxRSS would carry the parent's over fork+exec).
const hwm = fs.readFileSync("/proc/self/status", "utf8").split("\n").find((l) => l.startsWith("VmHWM:"));
const peak = parseInt(hwm.split(/\s+/)[1], 10) * 1024;
console.log(JSON.stringify({ seconds: best, records, peak_bytes: peak }));
