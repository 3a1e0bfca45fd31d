"""Generic cocotb 2.x testbench of an llm2hls valid/ready stream design.

Reads a JSON description (path in $LLM2HLS_TB; see docs/cocotb.md), drives
each input stream from its hex beat file with seeded random gaps, takes each
output stream with seeded random backpressure, and writes every output beat
as "<stream> <cycle> <hex>" to out.txt, the format of the Verilator testbench
(test/rtl/cpp/tb.cpp) and the generated Icarus one, so the three are
interchangeable. The random draws are those of tb.cpp (std::mt19937 seeded
with the seed, one draw per idle input with beats left, then one per output,
each cycle, `draw % 100 >= percent`), so the same seed gives the same
stimulus, cycle for cycle, as the Verilator run.

The run ends when every output has its expected beat count, or fails when
the cycle bound is hit first: the result JSON then names the streams still
waiting, and the test fails rather than hanging.
"""

import json
import os
import random

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, ReadOnly, RisingEdge


def mt19937(seed):
    """A random.Random in the state std::mt19937(seed) starts in (init_genrand),
    so getrandbits(32) gives the C++ testbench's gen() sequence."""
    mt = [seed & 0xFFFFFFFF]
    for i in range(1, 624):
        mt.append((1812433253 * (mt[-1] ^ (mt[-1] >> 30)) + i) & 0xFFFFFFFF)
    r = random.Random()
    r.setstate((3, tuple(mt + [624]), None))
    return r


def read_beats(path, width):
    mask = (1 << width) - 1
    with open(path) as f:
        return [int(w, 16) & mask for w in f.read().split()]


def hex_beat(value, width):
    # tb.cpp prints whole 32-bit words, zero-padded.
    return format(value, "0%dx" % (8 * ((width + 31) // 32)))


def port(dut, name, width=None):
    try:
        sig = getattr(dut, name)
    except AttributeError:
        raise AssertionError("the design has no port %s" % name) from None
    if width is not None and len(sig) != width:
        raise AssertionError("%s is %d bits, the description says %d" % (name, len(sig), width))
    return sig


def bit(sig):
    # An undriven (x/z) handshake counts as low; it cannot complete a transfer.
    v = sig.value
    return v.is_resolvable and int(v) == 1


def load(path):
    with open(path) as f:
        d = json.load(f)
    d.setdefault("clock", "clk")
    d.setdefault("reset", "rst_n")
    d.setdefault("seed", 1)
    d.setdefault("inGap", 0)
    d.setdefault("outStall", 0)
    d.setdefault("skipZeroDraws", False)
    d.setdefault("maxCycles", 1000000)
    d.setdefault("idleLimit", None)
    d.setdefault("out", "out.txt")
    d.setdefault("result", "result.json")
    return d


@cocotb.test()
async def streams(dut):
    desc = load(os.environ.get("LLM2HLS_TB", "tb.json"))
    try:
        await run(dut, desc)
    except Exception as e:
        # One line for the launcher to show; the bound case has written its own result.
        if not os.path.exists(desc["result"]):
            with open(desc["result"], "w") as f:
                json.dump({"finished": False, "error": str(e)}, f)
        raise


async def run(dut, desc):
    gen = mt19937(int(desc["seed"]))
    gap, stall, max_cycles = int(desc["inGap"]), int(desc["outStall"]), int(desc["maxCycles"])
    # As the Verilator harness: a run in which no beat moves on any port for this many cycles has stalled.
    idle_limit = desc["idleLimit"]
    # tb.cpp draws every cycle; a project's harness.cpp makes no draw for a percent of 0.
    skip = bool(desc["skipZeroDraws"])
    draw_in, draw_out = not (skip and gap == 0), not (skip and stall == 0)

    ins = []
    for s in desc["inputs"]:
        ins.append({
            "name": s["name"], "width": s["width"], "beats": read_beats(s["file"], s["width"]),
            "valid": port(dut, s["name"] + "_valid"), "ready": port(dut, s["name"] + "_ready"),
            "data": port(dut, s["name"] + "_data", s["width"]), "next": 0, "pending": False, "driven": False,
        })
    outs = []
    for s in desc["outputs"]:
        outs.append({
            "name": s["name"], "width": s["width"], "want": int(s["beats"]),
            "valid": port(dut, s["name"] + "_valid"), "ready": port(dut, s["name"] + "_ready"),
            "data": port(dut, s["name"] + "_data", s["width"]), "got": 0, "rdy": False,
        })
    clk, rst_n = port(dut, desc["clock"]), port(dut, desc["reset"])

    rst_n.value = 0
    for s in ins:
        s["valid"].value = 0
        s["data"].value = 0
    for s in outs:
        s["ready"].value = 0
    Clock(clk, 10, unit="ns", impl="gpi").start(start_high=False)
    # Two rising edges in reset, as tb.cpp; released between edges.
    for _ in range(2):
        await RisingEdge(clk)
    await FallingEdge(clk)
    rst_n.value = 1

    lines = []
    cycle = 0
    first_in = last_out = None
    last_move = 0
    done = lambda: all(s["got"] >= s["want"] for s in outs)
    idle = lambda: idle_limit is not None and cycle - last_move > int(idle_limit)
    while not done() and cycle < max_cycles and not idle():
        # Drive between edges: a valid beat stays until taken (the protocol);
        # a new one may wait a gap. Only changed values are written (VPI calls are the cost).
        for s in ins:
            if not s["pending"] and s["next"] < len(s["beats"]) and (not draw_in or gen.getrandbits(32) % 100 >= gap):
                s["pending"] = True
                s["data"].value = s["beats"][s["next"]]
            if s["pending"] != s["driven"]:
                s["driven"] = s["pending"]
                s["valid"].value = int(s["pending"])
        for s in outs:
            r = not draw_out or gen.getrandbits(32) % 100 >= stall
            if r != s["rdy"]:
                s["rdy"] = r
                s["ready"].value = int(r)
        # Handshakes are sampled once the design has settled, before the rising edge that performs them.
        await ReadOnly()
        took = [s["pending"] and bit(s["ready"]) for s in ins]
        for o, s in enumerate(outs):
            if s["rdy"] and bit(s["valid"]):
                v = s["data"].value
                if not v.is_resolvable:
                    raise AssertionError("%s_data is %s (x or z) on a transfer at cycle %d" % (s["name"], v, cycle))
                lines.append("%d %d %s\n" % (o, cycle, hex_beat(v.to_unsigned(), s["width"])))
                s["got"] += 1
                last_out = cycle
        if any(took) and first_in is None:
            first_in = cycle
        if any(took) or last_out == cycle:
            last_move = cycle
        # The rising edge performs the transfers; the next drive comes at the falling edge
        # (one trigger a cycle fewer than awaiting both edges).
        await FallingEdge(clk)
        for s, t in zip(ins, took):
            if t:
                s["pending"] = False
                s["next"] += 1
        cycle += 1

    with open(desc["out"], "w") as f:
        f.writelines(lines)
    finished = done()
    waiting = []
    if not finished:
        # The streams that hold the design up, with their handshake state at the bound.
        for s in outs:
            if s["got"] < s["want"]:
                waiting.append({"stream": s["name"], "dir": "out", "beats": s["got"], "of": s["want"],
                                "valid": bit(s["valid"]), "ready": s["rdy"]})
        for s in ins:
            if s["next"] < len(s["beats"]):
                waiting.append({"stream": s["name"], "dir": "in", "beats": s["next"], "of": len(s["beats"]),
                                "valid": s["pending"], "ready": bit(s["ready"])})
    result = {
        "finished": finished,
        # From the cycle of the first input transfer to that of the last output transfer, both counted.
        "cycles": (last_out - first_in + 1) if finished and first_in is not None and last_out is not None else None,
        # Cycles since reset release, tb.cpp's "cycles N".
        "totalCycles": cycle,
        "firstIn": first_in if first_in is not None else -1,
        "lastOut": last_out if last_out is not None else -1,
        "beats": {s["name"]: s["got"] for s in outs},
        "consumed": {s["name"]: s["next"] for s in ins},
        "waiting": waiting,
    }
    if not finished and idle():
        result["error"] = "no beat moved for %d cycles (stopped after %d); waiting: %s" % (cycle - last_move - 1, cycle, describe(waiting))
    elif not finished:
        result["error"] = "cycle bound %d hit; waiting: %s" % (max_cycles, describe(waiting))
    with open(desc["result"], "w") as f:
        json.dump(result, f, indent=1)
    if not finished:
        raise AssertionError(result["error"])


def describe(waiting):
    return ", ".join("%s %s %d/%d beats (valid %d, ready %d)" % (w["dir"], w["stream"], w["beats"], w["of"], w["valid"], w["ready"])
                     for w in waiting) or "nothing"
