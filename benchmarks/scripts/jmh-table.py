#!/usr/bin/env python3
"""Turns a JMH JSON result file (-rf json) of io.netpoll.benchmarks into a markdown table that puts
netpoll and the Netty baseline of the same benchmark and parameters side by side.

usage: python3 benchmarks/scripts/jmh-table.py result.json
"""
import json
import sys
from collections import OrderedDict


def fmt(x, digits=1):
    if x is None or x != x:  # NaN
        return "n/a"
    if abs(x) < 0.005:
        return "≈ 0"
    return f"{x:,.{digits}f}"


def main(path):
    rows = OrderedDict()
    for r in json.load(open(path)):
        cls, method = r["benchmark"].rsplit(".", 2)[-2:]
        params = ", ".join(f"{k}={v}" for k, v in sorted((r.get("params") or {}).items()))
        key = (cls.replace("Benchmark", ""), params)
        pm = r["primaryMetric"]
        norm = r.get("secondaryMetrics", {}).get("gc.alloc.rate.norm", {})
        rows.setdefault(key, {})[method] = (pm["score"], pm["scoreError"], pm["scoreUnit"], norm.get("score"))
    print("| benchmark | params | netpoll | ± error | netpoll B/op | Netty | ± error | Netty B/op | netpoll / Netty time |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for (cls, params), m in rows.items():
        np_, nt = m.get("netpoll"), m.get("netty")
        unit = (np_ or nt)[2]
        cells = [cls, params or "-"]
        for side in (np_, nt):
            if side:
                cells += [f"{fmt(side[0])} {unit}", fmt(side[1]), fmt(side[3], 2 if (side[3] or 0) < 1 else 1)]
            else:
                cells += ["-", "-", "-"]
        cells.append(f"{np_[0] / nt[0]:.2f}" if np_ and nt else "-")
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main(sys.argv[1])
