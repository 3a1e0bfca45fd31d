#!/usr/bin/env python3
"""Runs a generated --target rtl project's whole design under cocotb 2.x and
Icarus Verilog: the generic stream testbench (cocotb_tb.py, through the
launcher cocotb_run.py, both next to this file) fed from the raw files the
Verilator harness reads, writing the raw files it writes. `make cocotb` and
`llm2hls sim --mode cocotb` both run this script, so the raw <-> beat
conversion exists once, here.

  python sim/cocotb_design.py [--manifest manifest.json] [--max-cycles N] IN_DIR OUT_DIR

IN_DIR/input_N.bin: raw little-endian int32 (token ids or fixed-point q) per
graph input; OUT_DIR/output_N.bin: the same for each output, sign-extended
from the lane width. A row of the last axis is ceil(row / lanes) beats, lane
0 in the low bits, padding lanes zero (the harness's layout). The ports come
from manifest.json's "rtl" object. The run happens in rtl/ (the design's
$readmemh names are relative to it); the beat files, tb.json, out.txt,
result.json and the logs go to build/cocotb/run, Icarus builds in
build/cocotb/sim_build (built once, rebuilt when a source changes).

Environment, as the Verilator harness reads it: LLM2HLS_IN_GAP and
LLM2HLS_OUT_STALL (percent of cycles an input holds its beat back / an
output is not ready; default 0, full rate), LLM2HLS_SEED (default 1). The
random draws are the harness's: none for a percent of 0, so the same
settings give the same beats on the same cycles as `make sim`.

Prints "llm2hls-rtl cycles N first_in F last_out L total T build_s B" (the
harness's line, plus the seconds the Icarus build took; cycles: first input
beat to last output beat, both counted). Exit status: the launcher's (0
passed; 1 the test failed, e.g. the cycle bound, whose one-line error names
the streams still waiting; 2 usage or input files; 3 no cocotb 2.x; 4 no
iverilog; 5 the build failed).
"""

import argparse
import json
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import cocotb_run  # noqa: E402  (next to this file, in the project)


def fail(message):
    print("cocotb_design: error: " + message, file=sys.stderr)
    sys.exit(2)


def mask(bits):
    return (1 << bits) - 1


def to_beats(values, p):
    """Rows of rowWidth int32 values as beats of `lanes` lanes of `bits` bits."""
    lanes, bits, row = p["lanes"], p["bits"], p["rowWidth"]
    beats = []
    for r in range(0, len(values), row):
        for c in range(0, row, lanes):
            b = 0
            for u in range(min(lanes, row - c)):
                b |= (values[r + c + u] & mask(bits)) << (u * bits)
            beats.append(b)
    return beats


def from_beats(beats, p):
    """The real lanes of each beat (padding dropped), sign-extended to int32 values."""
    lanes, bits, row = p["lanes"], p["bits"], p["rowWidth"]
    per_row = -(-row // lanes)
    out = []
    for i, b in enumerate(beats):
        c = (i % per_row) * lanes
        for u in range(min(lanes, row - c)):
            x = (b >> (u * bits)) & mask(bits)
            out.append(x - (1 << bits) if x >> (bits - 1) else x)
    return out


def beat_count(p):
    return (p["count"] // p["rowWidth"]) * -(-p["rowWidth"] // p["lanes"])


def env_int(name, default):
    v = os.environ.get(name)
    try:
        return int(v) if v not in (None, "") else default
    except ValueError:
        fail("%s=%s: an integer expected" % (name, v))


def main(argv=None):
    ap = argparse.ArgumentParser(description="cocotb + Icarus simulation of a generated llm2hls RTL project")
    ap.add_argument("in_dir")
    ap.add_argument("out_dir")
    ap.add_argument("--manifest", default=os.path.join(os.path.dirname(HERE), "manifest.json"))
    ap.add_argument("--max-cycles", type=int, help="the cycle bound (default: the project's maxCycles)")
    ap.add_argument("--idle-limit", type=int, help="cycles without a beat on any port that end the run (default: the project's idleLimit)")
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--waves", action="store_true")
    args = ap.parse_args(argv)

    root = os.path.dirname(os.path.abspath(args.manifest))
    try:
        with open(args.manifest) as f:
            rtl = json.load(f)["rtl"]
    except (OSError, ValueError, KeyError):
        fail("%s: not the manifest of an llm2hls --target rtl project" % args.manifest)
    work = os.path.join(root, "build", "cocotb", "run")
    os.makedirs(work, exist_ok=True)
    os.makedirs(args.out_dir, exist_ok=True)

    inputs = []
    for i, p in enumerate(rtl["inputs"]):
        src = os.path.join(args.in_dir, p["file"])
        try:
            with open(src, "rb") as f:
                data = f.read()
        except OSError:
            fail("cannot read %s" % src)
        if len(data) != 4 * p["count"]:
            fail("%s holds %d bytes, %d int32 values (%d bytes) expected" % (src, len(data), p["count"], 4 * p["count"]))
        hex_file = os.path.join(work, "in%d.txt" % i)
        with open(hex_file, "w") as f:
            f.writelines("%x\n" % b for b in to_beats(struct.unpack("<%di" % p["count"], data), p))
        inputs.append({"name": p["name"], "width": p["lanes"] * p["bits"], "file": hex_file})

    out_txt, result = os.path.join(work, "out.txt"), os.path.join(work, "result.json")
    desc = {
        "inputs": inputs,
        "outputs": [{"name": p["name"], "width": p["lanes"] * p["bits"], "beats": beat_count(p)} for p in rtl["outputs"]],
        "seed": env_int("LLM2HLS_SEED", 1), "inGap": env_int("LLM2HLS_IN_GAP", 0), "outStall": env_int("LLM2HLS_OUT_STALL", 0),
        "skipZeroDraws": True,
        "maxCycles": args.max_cycles if args.max_cycles is not None else rtl["maxCycles"],
        "idleLimit": args.idle_limit if args.idle_limit is not None else rtl["idleLimit"],
        "out": out_txt, "result": result,
    }
    tb = os.path.join(work, "tb.json")
    with open(tb, "w") as f:
        json.dump(desc, f, indent=1)
    if os.path.exists(out_txt):
        os.remove(out_txt)

    rtl_dir = os.path.join(root, "rtl")
    status = 0
    try:
        # LLM2HLS_STATS: the top's per-kernel and per-FIFO counters, printed by its final blocks into sim.log.
        cocotb_run.main(["--top", rtl["module"], "--tb", tb, "-y", os.path.join(rtl_dir, "lib"), "-D", "LLM2HLS_STATS",
                         "--run-dir", rtl_dir, "--log-dir", work,
                         "--build-dir", os.path.join(root, "build", "cocotb", "sim_build"),
                         *(["--verbose"] if args.verbose else []), *(["--waves"] if args.waves else []),
                         os.path.join(rtl_dir, rtl["module"] + ".v")])
    except SystemExit as e:
        status = e.code if isinstance(e.code, int) else 1
    if status:
        return status

    beats = [[] for _ in rtl["outputs"]]
    with open(out_txt) as f:
        for line in f:
            s, _, h = line.split()
            beats[int(s)].append(int(h, 16))
    for p, bs in zip(rtl["outputs"], beats):
        values = from_beats(bs, p)
        with open(os.path.join(args.out_dir, p["file"]), "wb") as f:
            f.write(struct.pack("<%di" % len(values), *values))
    with open(result) as f:
        r = json.load(f)
    print("llm2hls-rtl cycles %d first_in %d last_out %d total %d build_s %.2f"
          % (r["cycles"], r["firstIn"], r["lastOut"], r["totalCycles"], cocotb_run.timings.get("build", 0)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
