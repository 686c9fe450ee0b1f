#!/usr/bin/env python3
"""Turns a JMH JSON result file (-rf json) of io.netpoll.benchmarks into a markdown table that puts
netpoll and the Netty baseline of the same benchmark and parameters side by side.

Columns: wall-clock time per op (the primary score) with its 99.9% error, CPU time of the benchmark
thread per op (-prof io.netpoll.benchmarks.CpuTimeProfiler, if present) and allocation per op
(-prof gc, gc.alloc.rate.norm), then the netpoll/Netty ratios.

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


def fmt_bytes(x):
    if x is None:
        return "n/a"
    return fmt(x, 2 if x < 1 else 0)


def main(path):
    rows = OrderedDict()
    has_cpu = False
    for r in json.load(open(path)):
        cls, method = r["benchmark"].rsplit(".", 2)[-2:]
        params = ", ".join(f"{k}={v}" for k, v in sorted((r.get("params") or {}).items()))
        key = (cls.replace("Benchmark", ""), params)
        pm = r["primaryMetric"]
        sec = r.get("secondaryMetrics", {})
        cpu = sec.get("cpu.time.norm")
        has_cpu = has_cpu or cpu is not None
        rows.setdefault(key, {})[method] = {
            "score": pm["score"], "error": pm["scoreError"], "unit": pm["scoreUnit"],
            "cpu": cpu["score"] if cpu else None, "cpu_err": cpu["scoreError"] if cpu else None,
            "alloc": sec.get("gc.alloc.rate.norm", {}).get("score"),
        }
    head = ["benchmark", "params", "netpoll ns/op", "±"]
    if has_cpu:
        head += ["netpoll CPU ns/op", "±"]
    head += ["netpoll B/op", "Netty ns/op", "±"]
    if has_cpu:
        head += ["Netty CPU ns/op", "±"]
    head += ["Netty B/op", "netpoll/Netty (time)"]
    if has_cpu:
        head += ["netpoll/Netty (CPU)"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * 2 + "---:|" * (len(head) - 2))
    for (cls, params), m in rows.items():
        # A method named netpollSomething is a second netpoll variant of the same work, shown on
        # a row of its own against the same Netty baseline.
        for method in [k for k in m if k.startswith("netpoll")]:
            row(cls if method == "netpoll" else f"{cls} ({method[len('netpoll'):]})", params,
                m[method], m.get("netty"), has_cpu)


def row(label, params, a, b, has_cpu):
        cells = [label, params or "-"]
        for side in (a, b):
            if side:
                cells += [fmt(side["score"]), fmt(side["error"])]
                if has_cpu:
                    cells += [fmt(side["cpu"]), fmt(side["cpu_err"])]
                cells += [fmt_bytes(side["alloc"])]
            else:
                cells += ["-"] * (5 if has_cpu else 3)
        cells.append(f"{a['score'] / b['score']:.2f}" if a and b else "-")
        if has_cpu:
            cells.append(f"{a['cpu'] / b['cpu']:.2f}" if a and b and a["cpu"] and b["cpu"] else "-")
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main(sys.argv[1])
