// llm2hls_linear: llm.Linear in fixed point, row by row (llm2hls_fixed.h
// linear_q / linear_q_nobias), with on-chip weights:
//   acc[n] = bias[n] + sum_k x[k] * w[n][k]          (exact, ACC_BITS wide)
//   y[n]   = sat(round_shift(acc[n] * m[n], shift[n]), Y_BITS)
// Lanes as the plan: PAR (UN) outputs in parallel, KPAR (UK) products per
// output per step, one step every II cycles. An input beat holds KPAR
// elements of X_BITS (KB = ceil(IN_DIM/KPAR) beats per row), an output beat
// PAR elements of Y_BITS (NB = ceil(OUT_DIM/PAR) beats per row); unused lanes
// of a row's last beat are zero. A row takes NB * KB * II cycles: the first
// of the NB passes over k consumes the input beats as they arrive (and keeps
// them in the row buffer), the others read them back from it.
//
// ROMs, loaded with $readmemh (files printed by backend-rtl/rom.ts):
//   W_FILE: NB*KB words of PAR*KPAR*W_BITS bits, word nb*KB + kb, lane
//           (u*KPAR + j) = w[nb*PAR + u][kb*KPAR + j] (zero beyond N or K);
//   B_FILE: NB words of PAR*ACC_BITS bits, lane u = bias[nb*PAR + u] (BIAS=1);
//   Q_FILE: NB words of PAR*24 bits, lane u = {shift[n] (8-bit signed), m[n] (16 bits)}.
// Pipeline, all stages stalled together while the output beat waits:
//   issue (ROM, row buffer read) -> products -> accumulate -> acc*m -> round, sat.
`default_nettype none
module llm2hls_linear #(
  parameter integer IN_DIM = 16,
  parameter integer OUT_DIM = 16,
  parameter integer PAR = 1,
  parameter integer KPAR = 1,
  parameter integer II = 1,
  parameter integer X_BITS = 16,
  parameter integer W_BITS = 8,
  parameter integer Y_BITS = 16,
  parameter integer ACC_BITS = 48,
  parameter integer BIAS = 1,
  parameter W_FILE = "w.hex",
  parameter B_FILE = "b.hex",
  parameter Q_FILE = "q.hex"
) (
  input  wire                    clk,
  input  wire                    rst_n,
  input  wire                    in_valid,
  output wire                    in_ready,
  input  wire [KPAR*X_BITS-1:0]  in_data,
  output reg                     out_valid,
  input  wire                    out_ready,
  output reg  [PAR*Y_BITS-1:0]   out_data
);
  localparam integer KB = (IN_DIM + KPAR - 1) / KPAR;
  localparam integer NB = (OUT_DIM + PAR - 1) / PAR;
  localparam integer KBW = KB > 1 ? $clog2(KB) : 1;
  localparam integer NBW = NB > 1 ? $clog2(NB) : 1;
  localparam integer WAW = NB * KB > 1 ? $clog2(NB * KB) : 1;
  localparam integer IIW = II > 1 ? $clog2(II) : 1;
  localparam integer XW = KPAR * X_BITS;
  localparam integer WW = PAR * KPAR * W_BITS;
  localparam integer PW = ACC_BITS + 16;  // acc * m, m a 15-bit unsigned multiplier

  // ---- ROMs and the row buffer ------------------------------------------------
  reg [WW-1:0] wrom [0:NB*KB-1];
  reg [PAR*24-1:0] qrom [0:NB-1];
  reg [XW-1:0] xbuf [0:KB-1];
  initial $readmemh(W_FILE, wrom);
  initial $readmemh(Q_FILE, qrom);

  // ---- issue: one step (kb, nb) every II cycles --------------------------------
  reg [KBW-1:0] kb;
  reg [NBW-1:0] nb;
  reg [WAW-1:0] waddr;
  reg [IIW-1:0] wait_ii;
  wire adv = !out_valid || out_ready;  // the whole pipeline moves
  wire pass0 = nb == 0;
  wire can = adv && wait_ii == 0;
  wire fire = can && (!pass0 || in_valid);
  assign in_ready = can && pass0;
  wire kb_last = kb == KB[KBW-1:0] - 1'b1;
  wire nb_last = nb == NB[NBW-1:0] - 1'b1;

  always @(posedge clk) begin
    if (!rst_n) begin
      kb <= 0;
      nb <= 0;
      waddr <= 0;
      wait_ii <= 0;
    end else begin
      if (wait_ii != 0) wait_ii <= wait_ii - 1'b1;
      if (fire) begin
        /* verilator lint_off WIDTH */
        wait_ii <= II - 1;
        /* verilator lint_on WIDTH */
        kb <= kb_last ? {KBW{1'b0}} : kb + 1'b1;
        if (kb_last) nb <= nb_last ? {NBW{1'b0}} : nb + 1'b1;
        waddr <= kb_last && nb_last ? {WAW{1'b0}} : waddr + 1'b1;
      end
    end
    if (fire && pass0) xbuf[kb] <= in_data;
  end

  // ---- stage 1: operands -----------------------------------------------------------
  reg v1, first1, last1, in1;
  reg [NBW-1:0] nb1;
  reg [XW-1:0] xin1, xbuf1;
  reg [WW-1:0] w1;
  always @(posedge clk) begin
    if (!rst_n) v1 <= 1'b0;
    else if (adv) v1 <= fire;
    if (adv) begin
      first1 <= kb == 0;
      last1 <= kb_last;
      in1 <= pass0;
      nb1 <= nb;
      xin1 <= in_data;
      xbuf1 <= xbuf[kb];
      w1 <= wrom[waddr];
    end
  end
  wire [XW-1:0] x1 = in1 ? xin1 : xbuf1;

  // ---- stage 2: KPAR products per lane, summed ---------------------------------------
  reg v2, first2, last2;
  reg [NBW-1:0] nb2;
  reg [PAR*ACC_BITS-1:0] psum2;
  reg [PAR*ACC_BITS-1:0] psum;
  integer u, j;
  always @* begin
    psum = {PAR*ACC_BITS{1'b0}};
    for (u = 0; u < PAR; u = u + 1)
      for (j = 0; j < KPAR; j = j + 1)
        psum[u*ACC_BITS +: ACC_BITS] = psum[u*ACC_BITS +: ACC_BITS] + prod(x1[j*X_BITS +: X_BITS], w1[(u*KPAR + j)*W_BITS +: W_BITS]);
  end
  function [ACC_BITS-1:0] prod(input [X_BITS-1:0] x, input [W_BITS-1:0] w);
    reg signed [ACC_BITS-1:0] xs, ws;
    begin
      xs = {{(ACC_BITS - X_BITS){x[X_BITS-1]}}, x};
      ws = {{(ACC_BITS - W_BITS){w[W_BITS-1]}}, w};
      prod = xs * ws;
    end
  endfunction
  always @(posedge clk) begin
    if (!rst_n) v2 <= 1'b0;
    else if (adv) v2 <= v1;
    if (adv) begin
      first2 <= first1;
      last2 <= last1;
      nb2 <= nb1;
      psum2 <= psum;
    end
  end

  // ---- stage 3: accumulate, from the bias at the first step of a pass ---------------
  reg [PAR*ACC_BITS-1:0] b2, acc, r3;
  reg v3;
  generate
    if (BIAS != 0) begin : with_bias
      reg [PAR*ACC_BITS-1:0] brom [0:NB-1];
      initial $readmemh(B_FILE, brom);
      always @(posedge clk) if (adv) b2 <= brom[nb1];
    end else begin : no_bias
      always @(posedge clk) b2 <= {PAR*ACC_BITS{1'b0}};
    end
  endgenerate
  reg [PAR*ACC_BITS-1:0] sum;
  always @* begin
    for (u = 0; u < PAR; u = u + 1)
      sum[u*ACC_BITS +: ACC_BITS] = (first2 ? b2[u*ACC_BITS +: ACC_BITS] : acc[u*ACC_BITS +: ACC_BITS]) + psum2[u*ACC_BITS +: ACC_BITS];
  end
  always @(posedge clk) begin
    if (!rst_n) v3 <= 1'b0;
    else if (adv) v3 <= v2 && last2;
    if (adv && v2) acc <= sum;
    if (adv) r3 <= sum;
  end

  // ---- stage 4: acc * m ------------------------------------------------------------------
  reg [PAR*24-1:0] q3;
  reg [PAR*8-1:0] s4;
  reg [PAR*PW-1:0] p4;
  reg v4;
  always @(posedge clk) if (adv) q3 <= qrom[nb2];
  always @(posedge clk) begin
    if (!rst_n) v4 <= 1'b0;
    else if (adv) v4 <= v3;
    if (adv) begin
      for (u = 0; u < PAR; u = u + 1) s4[u*8 +: 8] <= q3[u*24+16 +: 8];
      for (u = 0; u < PAR; u = u + 1)
        p4[u*PW +: PW] <= $signed({{16{r3[u*ACC_BITS+ACC_BITS-1]}}, r3[u*ACC_BITS +: ACC_BITS]})
                        * $signed({{(PW - 16){1'b0}}, q3[u*24 +: 16]});
    end
  end

  // ---- stage 5: round half to even by shift[n], saturate -----------------------------
  wire [PAR*Y_BITS-1:0] y;
  genvar g;
  generate
    for (g = 0; g < PAR; g = g + 1) begin : lane
      wire signed [PW+Y_BITS:0] r;
      llm2hls_round_shift #(.X_BITS(PW), .S_BITS(8), .LMAX(Y_BITS)) rs (.x(p4[g*PW +: PW]), .s(s4[g*8 +: 8]), .y(r));
      llm2hls_sat #(.X_BITS(PW + Y_BITS + 1), .Y_BITS(Y_BITS)) st (.x(r), .y(y[g*Y_BITS +: Y_BITS]));
    end
  endgenerate
  always @(posedge clk) begin
    if (!rst_n) out_valid <= 1'b0;
    else if (adv) out_valid <= v4;
    if (adv) out_data <= y;
  end
endmodule
`default_nettype wire
