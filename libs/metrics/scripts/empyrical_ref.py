"""Reference values from empyrical 0.5.5 itself, for libs/metrics/src/empyrical-reference.spec.ts.

stdin: {"cases": [{"returns": [...], "ppy": 8760, "riskFree": 0.0, "required": 0.0}, ...]}
stdout: one object per case; non-finite floats as the strings "nan", "inf", "-inf" (JSON has none).
"""
import json
import math
import sys
import warnings

warnings.simplefilter("ignore")
import numpy as np  # noqa: E402
import empyrical as ep  # noqa: E402


def enc(x):
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def main():
    req = json.load(sys.stdin)
    out = []
    for c in req["cases"]:
        r = np.array([float("nan") if v is None else v for v in c["returns"]], dtype="float64")
        ppy = c["ppy"]
        out.append({
            "totalReturn": enc(ep.cum_returns_final(r)),
            "annualReturn": enc(ep.annual_return(r, annualization=ppy)),
            "annualVolatility": enc(ep.annual_volatility(r, annualization=ppy)),
            "sharpe": enc(ep.sharpe_ratio(r, risk_free=c.get("riskFree", 0.0), annualization=ppy)),
            "downsideRisk": enc(ep.downside_risk(r, required_return=c.get("required", 0.0), annualization=ppy)),
            "sortino": enc(ep.sortino_ratio(r, required_return=c.get("required", 0.0), annualization=ppy)),
            "maxDrawdown": enc(ep.max_drawdown(r)),
            "calmar": enc(ep.calmar_ratio(r, annualization=ppy)),
            "simpleReturns": [enc(x) for x in ep.simple_returns(np.array(c["equity"], dtype="float64"))] if "equity" in c else None,
        })
    json.dump(out, sys.stdout)


main()
