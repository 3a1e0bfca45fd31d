/**
 * The Verilog top of a planned design: one instance per kernel task
 * (backend-rtl/kernels.ts), an llm2hls_fifo at the planned depth for every
 * stream of the design, llm2hls_fork2 / llm2hls_drain for its plumbing, and
 * an llm2hls_gearbox wherever a stream's beats are not as wide as the lanes
 * its reader takes. Graph inputs and outputs are valid/ready ports of the
 * top: `in<i>_*` and `out<i>_*` (graph input/output index i), one beat per
 * `lanes` elements, lane 0 in the least significant bits.
 *
 * Under `LLM2HLS_STATS` (the Verilator harness defines it) the top also
 * counts, per FIFO, its occupancy and the most it ever held, and per kernel
 * the cycles its output waited on a full consumer (stalled) and the cycles it
 * wanted input that was not there (starved); a `final` block prints them as
 * `llm2hls-stat` lines.
 */
import { UserError } from '../compiler/errors.js';
import type { Design, EmitResult } from '../backend-hls/emit.js';
import { fifoBeats } from '../backend-hls/kernels/lanes.js';
import { Instance, ParamValue, PortSpec } from './kernels.js';

/** Verilog and SystemVerilog keywords a model's name could collide with as the top module's name. */
const KEYWORDS = new Set(('always and assign automatic begin buf case casex casez cell config deassign default defparam design disable edge else end endcase ' +
  'endconfig endfunction endgenerate endmodule endprimitive endspecify endtable endtask event for force forever fork function generate genvar ' +
  'if ifnone incdir include initial inout input instance integer join large liblist library localparam macromodule medium module nand negedge ' +
  'nmos nor noshowcancelled not notif0 notif1 or output parameter pmos posedge primitive pull0 pull1 pulldown pullup pulsestyle_onevent ' +
  'pulsestyle_ondetect rcmos real realtime reg release repeat rnmos rpmos rtran rtranif0 rtranif1 scalared showcancelled signed small specify ' +
  'specparam strong0 strong1 supply0 supply1 table task time tran tranif0 tranif1 tri tri0 tri1 triand trior trireg unsigned use uwire vectored ' +
  'wait wand weak0 weak1 while wire wor xnor xor bit byte logic int shortint longint class final interface package program string struct union ' +
  'typedef enum import export return break continue do foreach const static virtual void chandle').split(' '));

export function verilogModuleName(top: string): string {
  return KEYWORDS.has(top) || top.startsWith('llm2hls_') ? `${top}_top` : top;
}

export interface TopPort { name: string; index: number; lanes: number; bits: number; rowWidth: number; count: number; file: string }

export interface RtlTop {
  module: string;
  verilog: string;
  inputs: TopPort[];
  outputs: TopPort[];
  fifos: { name: string; depth: number; width: number; stream: string }[];
  gearboxes: { name: string; row: number; from: number; to: number }[];
  /** Each kernel task's instance name and lanes as realized. */
  kernels: { task: string; module: string; instance: string; par: number; kpar: number }[];
}

function paramText(v: ParamValue): string {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new Error(`parameter ${v} is not an integer`);
    return v < 0 ? `-${-v}` : String(v);
  }
  if (typeof v === 'bigint') return v < 0n ? `-${-v}` : String(v);
  if ('file' in v) return JSON.stringify(v.file);
  return `${v.bits}'d${v.value < 0n ? (1n << BigInt(v.bits)) + v.value : v.value}`;
}

interface Channel { lanes: number; bits: number; row: number; writer: string; reader: string }

/** Renders the top; `instances` are the kernel tasks' instances, in design order. */
export function renderTop(emit: EmitResult, instances: Instance[], opts: { A: number; idBits: number }): RtlTop {
  const design: Design = emit.design;
  const module = verilogModuleName(emit.top);
  const lines: string[] = [];
  const decl: string[] = [];
  const stats: string[] = [];
  const channels = new Map<string, Channel>();
  const rowOf = new Map(design.streams.map((s) => [s.name, s.rowWidth]));
  const streamOf = new Map(design.streams.map((s) => [s.name, s]));
  const bitsOfElem = (elem: string) => (elem === 'tok_type' ? opts.idBits : opts.A);

  // Top ports.
  const inputs: TopPort[] = emit.inputs.filter((i) => i.role === 'stream').map((i) => ({
    name: `in${i.index}`, index: i.index, lanes: 1, bits: bitsOfElem(i.elem), rowWidth: i.shape[i.shape.length - 1] ?? 1, count: i.count, file: i.file,
  }));
  for (const io of emit.inputs) if (io.role !== 'stream') throw new UserError(`input ${io.identifier}: a KV cache input (decode) has no RTL design yet; compile the prefill model, or use --target vitis`, 4);
  for (const io of emit.outputs) if (io.role !== 'stream') throw new UserError(`output ${io.identifier}: a KV cache output has no RTL design yet; compile a model without present_* outputs, or use --target vitis`, 4);
  for (const p of inputs) channels.set(emit.inputs[p.index].identifier, { lanes: p.lanes, bits: p.bits, row: p.rowWidth, writer: p.name, reader: p.name });
  const outputPorts = new Map(emit.outputs.map((o) => [o.identifier, o]));

  const wires = (prefix: string, width: number) => decl.push(`  wire ${prefix}_valid, ${prefix}_ready;`, `  wire [${width - 1}:0] ${prefix}_data;`);
  const fifos: RtlTop['fifos'] = [];
  const gearboxes: RtlTop['gearboxes'] = [];
  /** A value written with `lanes` lanes of `bits`: declares its wires (and FIFO for a stream); returns the writer's prefix. */
  const defineChannel = (id: string, lanes: number, bits: number): string => {
    const out = outputPorts.get(id);
    if (out) {
      channels.set(id, { lanes, bits, row: out.shape[out.shape.length - 1] ?? 1, writer: `out${out.index}`, reader: `out${out.index}` });
      return `out${out.index}`;
    }
    const s = streamOf.get(id);
    if (!s) throw new Error(`design value ${id} is neither a stream nor a port`);
    const w = `w_${id}`, r = `r_${id}`, width = lanes * bits;
    wires(w, width);
    wires(r, width);
    const depth = fifoBeats(s.depth, lanes);
    lines.push(`  // stream ${id}: ${s.elements} elements, ${lanes} a beat; planned depth ${s.depth} elements`,
      `  llm2hls_fifo #(.WIDTH(${width}), .DEPTH(${depth})) f_${id} (.clk(clk), .rst_n(rst_n),`,
      `    .in_valid(${w}_valid), .in_ready(${w}_ready), .in_data(${w}_data), .out_valid(${r}_valid), .out_ready(${r}_ready), .out_data(${r}_data));`);
    fifos.push({ name: `f_${id}`, depth, width, stream: id });
    stats.push(...fifoStats(`f_${id}`, w, r, depth));
    channels.set(id, { lanes, bits, row: rowOf.get(id) ?? 1, writer: w, reader: r });
    return w;
  };
  const channel = (id: string): Channel => {
    const c = channels.get(id);
    if (!c) throw new Error(`design value ${id} is read before it is written`);
    return c;
  };
  /** The reader side of `id` as `want` requires: through a gearbox when the lanes differ. */
  const readAs = (id: string, want: PortSpec, name: string): string => {
    const c = channel(id);
    if (c.bits !== want.bits) throw new UserError(`${name}: a stream of ${c.bits}-bit elements feeds a ${want.bits}-bit port`, 3);
    if (c.lanes === want.lanes) return c.reader;
    const g = `g_${name}`;
    wires(g, want.lanes * want.bits);
    lines.push(`  llm2hls_gearbox #(.EL_BITS(${c.bits}), .ROW(${c.row}), .IN_LANES(${c.lanes}), .OUT_LANES(${want.lanes})) ${g}_u (.clk(clk), .rst_n(rst_n),`,
      `    .in_valid(${c.reader}_valid), .in_ready(${c.reader}_ready), .in_data(${c.reader}_data), .out_valid(${g}_valid), .out_ready(${g}_ready), .out_data(${g}_data));`);
    gearboxes.push({ name: `${g}_u`, row: c.row, from: c.lanes, to: want.lanes });
    return g;
  };

  const kernels: RtlTop['kernels'] = [];
  const plumbingAfter = new Map<string, typeof design.plumbing>();
  for (const p of design.plumbing) plumbingAfter.set(p.input, [...(plumbingAfter.get(p.input) ?? []), p]);
  const emitPlumbing = (value: string) => {
    for (const p of plumbingAfter.get(value) ?? []) {
      const c = channel(p.input);
      const width = c.lanes * c.bits;
      if (p.kind === 'drain') {
        lines.push(`  llm2hls_drain #(.WIDTH(${width})) ${p.task} (.clk(clk), .rst_n(rst_n), .in_valid(${c.reader}_valid), .in_ready(${c.reader}_ready), .in_data(${c.reader}_data));`);
      } else if (p.kind === 'copy') {
        const o = defineChannel(p.outputs[0], c.lanes, c.bits);
        lines.push(`  assign ${o}_valid = ${c.reader}_valid;`, `  assign ${c.reader}_ready = ${o}_ready;`, `  assign ${o}_data = ${c.reader}_data;`);
        emitPlumbing(p.outputs[0]);
      } else {
        const [a, b] = p.outputs.map((o) => defineChannel(o, c.lanes, c.bits));
        lines.push(`  llm2hls_fork2 #(.WIDTH(${width})) ${p.task} (.clk(clk), .rst_n(rst_n),`,
          `    .in_valid(${c.reader}_valid), .in_ready(${c.reader}_ready), .in_data(${c.reader}_data),`,
          `    .a_valid(${a}_valid), .a_ready(${a}_ready), .a_data(${a}_data), .b_valid(${b}_valid), .b_ready(${b}_ready), .b_data(${b}_data));`);
        p.outputs.forEach(emitPlumbing);
      }
    }
  };
  for (const i of emit.inputs) if (i.role === 'stream') emitPlumbing(i.identifier);

  design.tasks.forEach((t, k) => {
    const inst = instances[k];
    const name = `u_${t.id}`;
    const conns: string[] = [];
    const ins = t.inputs.map((id, slot) => readAs(id, inst.inputs[slot], `${t.id}_${inst.inputs[slot].port}`));
    ins.forEach((prefix, slot) => {
      const port = inst.inputs[slot].port;
      conns.push(`.${port}_valid(${prefix}_valid)`, `.${port}_ready(${prefix}_ready)`, `.${port}_data(${prefix}_data)`);
    });
    let outPrefix: string | undefined;
    if (inst.output && t.output) {
      outPrefix = defineChannel(t.output, inst.output.lanes, inst.output.bits);
      const port = inst.output.port;
      conns.push(`.${port}_valid(${outPrefix}_valid)`, `.${port}_ready(${outPrefix}_ready)`, `.${port}_data(${outPrefix}_data)`);
    }
    const params = Object.entries(inst.params).map(([n, v]) => `.${n}(${paramText(v)})`);
    lines.push('', `  // ${t.opType} ${t.id} [${t.shape.join(', ')}]: ${inst.module}, lanes ${inst.lanes.kpar}x${inst.lanes.par}`,
      `  ${inst.module} #(${params.join(', ')}) ${name} (.clk(clk), .rst_n(rst_n),`, `    ${conns.join(', ')});`);
    kernels.push({ task: t.id, module: inst.module, instance: name, par: inst.lanes.par, kpar: inst.lanes.kpar });
    if (outPrefix) stats.push(...kernelStats(t.id, ins, outPrefix));
    if (t.output) emitPlumbing(t.output);
  });

  const outputs: TopPort[] = emit.outputs.map((o) => {
    const c = channels.get(o.identifier);
    if (!c) throw new Error(`output ${o.identifier} is not written`);
    return { name: `out${o.index}`, index: o.index, lanes: c.lanes, bits: c.bits, rowWidth: c.row, count: o.count, file: o.file };
  });
  const portDecl = [
    '  input  wire clk,', '  input  wire rst_n,',
    ...inputs.flatMap((p) => [`  input  wire ${p.name}_valid,`, `  output wire ${p.name}_ready,`, `  input  wire [${p.lanes * p.bits - 1}:0] ${p.name}_data,`]),
    ...outputs.flatMap((p) => [`  output wire ${p.name}_valid,`, `  input  wire ${p.name}_ready,`, `  output wire [${p.lanes * p.bits - 1}:0] ${p.name}_data,`]),
  ];
  portDecl[portDecl.length - 1] = portDecl[portDecl.length - 1].replace(/,$/, '');
  const verilog = [
    `// ${module}: generated by llm2hls from the planned dataflow design; do not edit.`,
    '// Streams are valid/ready (docs/backend-rtl.md); in<i>/out<i> are graph input/output i.',
    '`default_nettype none',
    `module ${module} (`, ...portDecl, ');',
    ...decl, ...lines, '',
    '`ifdef LLM2HLS_STATS',
    '  reg [63:0] stat_cycle;',
    '  always @(posedge clk) if (!rst_n) stat_cycle <= 0; else stat_cycle <= stat_cycle + 1;',
    ...stats,
    '`endif',
    'endmodule',
    '`default_nettype wire',
    '',
  ].join('\n');
  return { module, verilog, inputs, outputs, fifos, gearboxes, kernels };
}

export { fifoBeats } from '../backend-hls/kernels/lanes.js';

function fifoStats(name: string, w: string, r: string, depth: number): string[] {
  return [
    `  reg [31:0] ${name}_occ, ${name}_max;`,
    `  always @(posedge clk) if (!rst_n) begin ${name}_occ <= 0; ${name}_max <= 0; end else begin`,
    `    ${name}_occ <= ${name}_occ + (${w}_valid && ${w}_ready ? 1 : 0) - (${r}_valid && ${r}_ready ? 1 : 0);`,
    `    if (${name}_occ > ${name}_max) ${name}_max <= ${name}_occ;`,
    '  end',
    `  final $display("llm2hls-stat fifo ${name} depth %0d max %0d now %0d", ${depth}, (${name}_occ > ${name}_max ? ${name}_occ : ${name}_max), ${name}_occ);`,
  ];
}

function kernelStats(task: string, ins: string[], out: string): string[] {
  const v = `k_${task}`;
  const stall = `(${out}_valid && !${out}_ready)`;
  const starve = ins.length ? `(${ins.map((i) => `(${i}_ready && !${i}_valid)`).join(' || ')})` : '1\'b0';
  const firstIn = ins.length ? ins.map((i) => `(${i}_valid && ${i}_ready)`).join(' || ') : '1\'b1';
  return [
    // The counts as of the last output beat: waiting for the next pass is not the kernel's.
    `  reg [63:0] ${v}_first, ${v}_last, ${v}_stalled, ${v}_starved, ${v}_stalled_l, ${v}_starved_l; reg ${v}_started;`,
    `  always @(posedge clk) if (!rst_n) begin ${v}_first <= 0; ${v}_last <= 0; ${v}_stalled <= 0; ${v}_starved <= 0; ${v}_stalled_l <= 0; ${v}_starved_l <= 0; ${v}_started <= 0; end else begin`,
    `    if (!${v}_started && (${firstIn})) begin ${v}_started <= 1; ${v}_first <= stat_cycle; end`,
    `    if (${out}_valid && ${out}_ready) begin ${v}_last <= stat_cycle; ${v}_stalled_l <= ${v}_stalled; ${v}_starved_l <= ${v}_starved; end`,
    `    if (${v}_started && ${stall}) ${v}_stalled <= ${v}_stalled + 1;`,
    `    else if (${v}_started && ${starve}) ${v}_starved <= ${v}_starved + 1;`,
    '  end',
    `  final $display("llm2hls-stat kernel ${task} first %0d last %0d stalled %0d starved %0d out_valid %0d out_ready %0d", ${v}_first, ${v}_last, ${v}_stalled_l, ${v}_starved_l, ${out}_valid, ${out}_ready);`,
  ];
}
