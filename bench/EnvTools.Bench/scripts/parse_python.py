# Reference: what conda does with a repodata.json (json.load of the whole file).
# Usage: python3 parse_python.py <repeats> <file>...; prints one JSON line with the best time and peak RSS.
import json, sys, time

repeats, paths = int(sys.argv[1]), sys.argv[2:]
best = float("inf")
records = 0
for _ in range(repeats):
    records = 0
    total = 0.0
    for path in paths:
        t0 = time.perf_counter()
        with open(path, "rb") as f:
            data = json.load(f)
        total += time.perf_counter() - t0
        records += len(data.get("packages", {})) + len(data.get("packages.conda", {}))
        del data
    best = min(best, total)
# VmHWM is this process's own high-water mark (ru_maxrss would carry the parent's over fork+exec).
peak_kib = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(json.dumps({"seconds": best, "records": records, "peak_bytes": peak_kib * 1024}))
