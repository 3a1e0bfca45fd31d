#!/usr/bin/env python3
"""Builds a Verilog design with Icarus Verilog and runs the generic stream
testbench cocotb_tb.py (next to this file) on it, with cocotb 2.x's Python
runner (cocotb_tools.runner). Needs nothing of llm2hls: a generated project's
Makefile calls it with the project's virtual environment's python.

  python cocotb_run.py --top TOP --tb tb.json [-y DIR]... [-I DIR]... [-P NAME=VALUE]...
                       [--build-dir DIR] [--run-dir DIR] [--verbose] [--waves] SOURCE.v...

-y: a folder Icarus searches for modules the sources instantiate; -I: an
include folder; -P: a parameter of TOP, VALUE a Verilog literal as written
(a string parameter in quotes: -P 'C_FILE="c.hex"'). The test runs in
--run-dir (default: the folder of tb.json), where relative file names of
tb.json and the design's $readmemh images are found. Exit status: 0 when
every output stream got its beats, 1 when the test failed (the result JSON
says why), 2 usage, 3 cocotb missing, 4 iverilog missing, 5 build failed.
"""

import argparse
import json
import logging
import os
import shutil
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
# Seconds of the last main()'s build step, for a caller in the same process (cocotb_design.py).
timings = {}


def fail(code, message):
    print("cocotb_run: error: " + message, file=sys.stderr)
    sys.exit(code)


def stamp(args, sources):
    """What the build depends on: sim.vvp is rebuilt when any of it changes
    (cocotb's own check looks at the source files only, not parameters or -y folders)."""
    files = list(sources)
    for d in args.libdir:
        files += [os.path.join(d, f) for f in sorted(os.listdir(d)) if f.endswith((".v", ".sv", ".vh"))]
    return json.dumps({
        "top": args.top, "params": args.param, "defines": args.define, "y": args.libdir, "I": args.include, "waves": args.waves,
        "files": [[f, os.path.getmtime(f)] for f in files],
    }, sort_keys=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description="cocotb + Icarus Verilog stream testbench")
    ap.add_argument("sources", nargs="+")
    ap.add_argument("--top", required=True)
    ap.add_argument("--tb", required=True, help="the testbench's JSON description")
    ap.add_argument("-y", dest="libdir", action="append", default=[])
    ap.add_argument("-I", dest="include", action="append", default=[])
    ap.add_argument("-P", dest="param", action="append", default=[])
    ap.add_argument("-D", dest="define", action="append", default=[], help="NAME or NAME=VALUE: a Verilog define")
    ap.add_argument("--build-dir", default="sim_build")
    ap.add_argument("--run-dir")
    ap.add_argument("--log-dir", help="where results.xml and sim.log go (default: the run folder)")
    ap.add_argument("--verbose", action="store_true", help="simulator and cocotb output on the terminal, not in logs")
    ap.add_argument("--waves", action="store_true")
    args = ap.parse_args(argv)

    try:
        import cocotb
        from cocotb_tools.runner import get_runner
        from cocotb_tools.check_results import get_results
    except ImportError:
        fail(3, "cocotb is not installed for %s: run scripts/setup.sh --test (it puts cocotb 2.x into llm2hls's .venv), or pip install cocotb==2.1.0" % sys.executable)
    if int(cocotb.__version__.split(".")[0]) < 2:
        fail(3, "cocotb %s is too old (2.x needed): run scripts/setup.sh --test" % cocotb.__version__)
    if shutil.which("iverilog") is None or shutil.which("vvp") is None:
        fail(4, "iverilog not found: install Icarus Verilog (sudo apt-get install iverilog, or scripts/setup.sh --test)")

    params = {}
    for p in args.param:
        name, eq, value = p.partition("=")
        if not eq:
            fail(2, "-P %s: NAME=VALUE expected" % p)
        params[name] = value
    defines = {}
    for d in args.define:
        name, eq, value = d.partition("=")
        defines[name] = value if eq else 1
    sources = [os.path.abspath(s) for s in args.sources]
    args.libdir = [os.path.abspath(d) for d in args.libdir]
    args.include = [os.path.abspath(d) for d in args.include]
    for f in sources + args.libdir + args.include + [args.tb]:
        if not os.path.exists(f):
            fail(2, "%s does not exist" % f)
    tb = os.path.abspath(args.tb)
    run_dir = os.path.abspath(args.run_dir or os.path.dirname(tb))
    build_dir = os.path.abspath(args.build_dir)
    log_dir = os.path.abspath(args.log_dir or run_dir)
    os.makedirs(build_dir, exist_ok=True)

    with open(tb) as f:
        result = os.path.join(run_dir, json.load(f).get("result", "result.json"))
    if os.path.exists(result):
        os.remove(result)  # a stale result must not pass for this run's

    runner = get_runner("icarus")
    if not args.verbose:
        runner.log.setLevel(logging.ERROR)  # its notes ("Skipping compilation") would be the only terminal output
    stamp_file = os.path.join(build_dir, "llm2hls-build.json")
    s = stamp(args, sources)
    old = open(stamp_file).read() if os.path.exists(stamp_file) else None
    build_args = [a for d in args.libdir for a in ("-y", d)]
    t0 = time.monotonic()
    try:
        runner.build(sources=sources, includes=args.include, parameters=params, defines=defines, build_args=build_args,
                     hdl_toplevel=args.top, build_dir=build_dir, always=(s != old), timescale=("1ns", "1ps"),
                     waves=args.waves, log_file=None if args.verbose else os.path.join(build_dir, "build.log"))
    except (RuntimeError, SystemExit):
        log = os.path.join(build_dir, "build.log")
        tail = open(log).read().strip().splitlines()[-5:] if os.path.exists(log) else []
        fail(5, "iverilog could not build %s: %s" % (args.top, " | ".join(t for t in tail if not t.startswith("INFO")) or "see " + log))
    with open(stamp_file, "w") as f:
        f.write(s)
    timings["build"] = time.monotonic() - t0

    # The testbench module is found on sys.path (its folder is this script's); the runner hands sys.path to the simulator's Python.
    if HERE not in sys.path:
        sys.path.insert(0, HERE)
    try:
        xml = runner.test(test_module="cocotb_tb", hdl_toplevel=args.top, build_dir=build_dir, test_dir=run_dir,
                          extra_env={"LLM2HLS_TB": tb}, waves=args.waves,
                          results_xml=os.path.join(log_dir, "results.xml"),
                          log_file=None if args.verbose else os.path.join(log_dir, "sim.log"))
    except SystemExit as e:
        fail(1, "the simulator exited with status %s; see %s" % (e.code, os.path.join(log_dir, "sim.log")))
    try:
        total, failed = get_results(xml)
    except RuntimeError as e:
        fail(1, str(e))
    if failed or total == 0:
        msg = "the test failed"
        if os.path.exists(result):
            with open(result) as f:
                r = json.load(f)
            msg = r.get("error") or msg
        fail(1, msg)
    return 0


if __name__ == "__main__":
    sys.exit(main())
