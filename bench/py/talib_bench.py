"""Times TA-Lib's C code (the PyPI `TA-Lib` wheel) over NumPy arrays.

stdin: {"data": "<path of a float64 file: open,high,low,close,volume blocks>", "n": N,
        "repeats": R, "jobs": [{"key": k, "calls": [{"fn": "SMA", "inputs": ["close"], "kwargs": {...}}]}]}
stdout: {"version": ..., "results": {key: best ns per bar}}
Only the talib calls are timed (best of R, as process CPU time so that other load on
a shared machine does not count); a job with several calls (a composite such as
Donchian = MAX + MIN) is timed as their sum per repeat.
"""
import json
import sys
import time

import numpy as np
import talib

req = json.load(sys.stdin)
n = req["n"]
raw = np.fromfile(req["data"], dtype=np.float64)
cols = {name: np.ascontiguousarray(raw[i * n:(i + 1) * n]) for i, name in enumerate(["open", "high", "low", "close", "volume"])}
results = {}
for job in req["jobs"]:
    calls = [(getattr(talib, c["fn"]), [cols[x] for x in c["inputs"]], c.get("kwargs", {})) for c in job["calls"]]
    best = float("inf")
    for _ in range(req["repeats"]):
        t = time.process_time_ns()
        for fn, args, kwargs in calls:
            fn(*args, **kwargs)
        best = min(best, time.process_time_ns() - t)
    results[job["key"]] = best / n
print(json.dumps({"version": talib.__version__, "c_version": talib.__ta_version__.decode() if isinstance(talib.__ta_version__, bytes) else str(talib.__ta_version__), "results": results}))
