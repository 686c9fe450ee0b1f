#!/usr/bin/env python3
"""CPU ns/op (cpu.time.norm) of each fork, from the text output of a JMH run of io.netpoll.benchmarks
with -prof io.netpoll.benchmarks.CpuTimeProfiler: shows forks that ran in a different mode.

usage: python3 benchmarks/scripts/jmh-forks.py jmh-output.txt
"""
import re,sys
res={};order=[]
b=p=f=None
for line in open(sys.argv[1]):
    m=re.match(r"# Benchmark: io\.netpoll\.benchmarks\.(\w+)Benchmark\.(\w+)",line)
    if m: b=m.group(1)+"."+m.group(2); p="-"
    m=re.match(r"# Parameters: \((.*)\)",line)
    if m: p=m.group(1).replace(" = ","=")
    m=re.match(r"# Fork: (\d+)",line)
    if m: f=m.group(1)
    m=re.search(r"cpu\.time\.norm:\s+([\d.]+)",line)
    if m and not line.startswith("#"):
        key=(b,p)
        if key not in order: order.append(key)
        res.setdefault(key,{}).setdefault(f,[]).append(float(m.group(1)))
for k in order:
    print(k[0],k[1]," / ".join(f"{sum(v)/len(v):,.0f}" for f,v in sorted(res[k].items())))
