"""Solves many requests with the real conda's classic solver in one process (the oracle of the differential solver
test). Run with the real conda on PYTHONPATH and an isolated HOME/CONDARC/CONDA_ROOT_PREFIX, as
../shared/realconda/conda sets them, and CONDA_UNSATISFIABLE_HINTS_CHECK_DEPTH=0 (conda's conflict analysis only
explains an unsatisfiable request and can take minutes; turning the hints off altogether makes conda fail requests it
can solve).

usage: python3 conda_solve.py CHANNEL_URL SUBDIR ANSWERS_FILE < requests.jsonl (conda's own messages go to stdout)
Each input line is a JSON list of spec strings; each output line is
{"ok": true, "records": ["name-version-build", ...]} or {"ok": false, "error": "<conda error class>"}.
"""
import json
import sys
import tempfile

from conda.base.context import context, reset_context
from conda.core.solve import Solver
from conda.exceptions import CondaError
from conda.models.match_spec import MatchSpec


def main():
    channel, subdir, answers = sys.argv[1], sys.argv[2], sys.argv[3]
    reset_context()
    prefix = tempfile.mkdtemp(prefix="conda-oracle-")  # an empty, non-existent environment
    with open(answers, "w", encoding="utf-8") as out_file:
        solve_all(prefix, channel, subdir, out_file)


def solve_all(prefix, channel, subdir, out_file):
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        specs = json.loads(line)
        try:
            solver = Solver(f"{prefix}/env", [channel], subdirs=(subdir, "noarch"), specs_to_add=[MatchSpec(s) for s in specs])
            final = solver.solve_final_state()
            out = {"ok": True, "records": sorted(f"{r.name}-{r.version}-{r.build}" for r in final)}
        except (CondaError, AssertionError, ValueError) as e:  # unsatisfiable, not found, invalid spec
            out = {"ok": False, "error": type(e).__name__, "message": str(e)[:300]}
        out_file.write(json.dumps(out) + "\n")
        out_file.flush()


if __name__ == "__main__":
    assert context is not None
    main()
