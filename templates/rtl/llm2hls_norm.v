// llm2hls_norm: llm.LayerNorm (CENTER=1) / llm.RMSNorm (CENTER=0) in fixed
// point over rows of DIM elements, LANES per beat (llm2hls_fixed.h norm_q /
// norm_q_nobeta; G = 3 guard bits, NF = 20):
//   S = sum x;  meanG = CENTER ? round_shift(S * INV_D_M, INV_D_SHIFT - G) : 0
//   c = x * 2^G - meanG;  U = EPS_U + sum c^2;  (r, e) = rsqrt(U)
//   n = round_shift(c * r, 16 + e/2 - NF)
//   y = sat(round_shift(n * gamma' + beta', NF + GAMMA_FRAC - Y_FRAC), Y_BITS)
// Three row buffers: one row streams in while the one before is handed over
// and the one before that streams out. The input pass sums S = sum x and
// Q = sum x^2, and U follows from them exactly, in integers:
// sum c^2 = 64 Q - 16 meanG S + DIM meanG^2 (no second pass). A three-stage
// hand-over (meanG, U, rsqrt) runs beside the next row's input, so a row
// takes DB = ceil(DIM/LANES) cycles when nothing waits (DB >= 3).
// Lanes past DIM in a row's last beat are left out of S and Q and come out
// zero (gamma', beta' are zero there).
// ROMs ($readmemh): G_FILE DB words of LANES x 16-bit gamma', B_FILE DB words
// of LANES x 48-bit beta' (BETA=1), RSQRT_FILE the RSQRT pair table.
`default_nettype none
module llm2hls_norm #(
  parameter integer DIM = 16,
  parameter integer LANES = 1,
  parameter integer X_BITS = 16,
  parameter integer Y_BITS = 16,
  parameter integer CENTER = 1,
  parameter integer INV_D_M = 16384,
  parameter integer INV_D_SHIFT = 19,
  parameter [63:0] EPS_U = 64'd1,
  parameter integer GAMMA_FRAC = 14,
  parameter integer Y_FRAC = 12,
  parameter integer BETA = 1,
  parameter G_FILE = "g.hex",
  parameter B_FILE = "beta.hex",
  parameter RSQRT_FILE = "llm2hls_table_rsqrt.hex"
) (
  input  wire                      clk,
  input  wire                      rst_n,
  input  wire                      in_valid,
  output wire                      in_ready,
  input  wire [LANES*X_BITS-1:0]   in_data,
  output reg                       out_valid,
  input  wire                      out_ready,
  output reg  [LANES*Y_BITS-1:0]   out_data
);
  localparam integer G = 3, NF = 20;
  localparam integer DB = (DIM + LANES - 1) / LANES;
  localparam integer BW = DB > 1 ? $clog2(DB) : 1;
  localparam integer NBUF = 3;
  localparam integer AW = $clog2(NBUF * DB);
  localparam integer XW = LANES * X_BITS;
  localparam integer MS = INV_D_SHIFT - G, OS = NF + GAMMA_FRAC - Y_FRAC;
  localparam signed [7:0] MEAN_SHIFT = MS[7:0];
  localparam signed [7:0] OUT_SHIFT = OS[7:0];

  // Row buffer sel holds words sel * DB .. sel * DB + DB - 1.
  reg [XW-1:0] xbuf [0:NBUF*DB-1];
  reg [LANES*16-1:0] grom [0:DB-1];
  initial $readmemh(G_FILE, grom);
  reg busy [0:NBUF-1];   // holds a row not sent yet (from its last input beat on)
  reg ready [0:NBUF-1];  // and its parameters are in place
  function [AW-1:0] addr(input [1:0] sel, input [BW-1:0] beat);
    /* verilator lint_off WIDTH */
    addr = sel * DB + beat;
    /* verilator lint_on WIDTH */
  endfunction
  function [1:0] next(input [1:0] sel);
    next = sel == 2'd2 ? 2'd0 : sel + 2'd1;  // NBUF = 3
  endfunction
  // A row's parameters, per buffer.
  reg signed [31:0] mean_p [0:NBUF-1];
  reg [16:0] r_p [0:NBUF-1];
  reg signed [7:0] nsh_p [0:NBUF-1];

  // ---- input side: fill a buffer, summing S and Q; hand-over: meanG, U, rsqrt ----------
  reg [1:0] wsel;
  reg [BW-1:0] wb;
  wire wb_last = wb == DB[BW-1:0] - 1'b1;
  assign in_ready = !busy[wsel];
  wire take = in_valid && in_ready;
  // The hand-over stages: 1 has S, Q; 2 has meanG (and S, Q); 3 has U (and meanG).
  // Each carries its buffer, so a row can start its hand-over every cycle.
  reg v1, v2, v3;
  reg [1:0] sel1, sel2, sel3;
  reg signed [39:0] s2;
  reg [63:0] q2;
  reg signed [31:0] mean3;

  reg signed [39:0] sum, beat_sum, row_s;
  reg [63:0] sq, beat_sq, row_q;
  reg signed [X_BITS-1:0] xl;
  // x^2 as a 2*X_BITS-bit signed product (exact, >= 0): one DSP48 a lane, where
  // the 64-bit product of sign-extended operands tiled into ten.
  reg signed [2*X_BITS-1:0] xw, xsq;
  integer l;
  always @* begin
    beat_sum = 40'sd0;
    beat_sq = 64'd0;
    xw = {(2 * X_BITS){1'b0}};
    xsq = {(2 * X_BITS){1'b0}};
    for (l = 0; l < LANES; l = l + 1) begin
      xl = in_data[l*X_BITS +: X_BITS];
      if (wb * LANES + l < DIM) begin
        beat_sum = beat_sum + {{(40 - X_BITS){xl[X_BITS-1]}}, xl};
        xw = {{X_BITS{xl[X_BITS-1]}}, xl};
        xsq = xw * xw;
        beat_sq = beat_sq + {{(64 - 2 * X_BITS){1'b0}}, xsq};
      end
    end
  end
  wire signed [55:0] mean_x = row_s * $signed({40'd0, INV_D_M[15:0]});
  // |meanG| <= 2^(X_BITS-1+G): the low 32 bits of the rounded value are all of it.
  /* verilator lint_off UNUSEDSIGNAL */
  wire signed [56:0] mean_r;
  /* verilator lint_on UNUSEDSIGNAL */
  llm2hls_round_shift #(.X_BITS(56), .S_BITS(8), .LMAX(0)) mean_rs (.x(mean_x), .s(MEAN_SHIFT), .y(mean_r));
  reg signed [31:0] mean_g;  // stage 2
  // U = EPS_U + sum (8x - meanG)^2, expanded; every term is exact and U < 2^53,
  // so its low 64 bits are all of it.
  /* verilator lint_off UNUSEDSIGNAL */
  wire signed [79:0] mg = {{48{mean_g[31]}}, mean_g};
  wire signed [79:0] u_full = $signed({16'd0, EPS_U}) + $signed({10'd0, q2, 6'd0})
                            - (mg * {{40{s2[39]}}, s2} <<< 4) + mg * mg * DIM;
  /* verilator lint_on UNUSEDSIGNAL */
  reg [63:0] usum;  // stage 3
  wire [16:0] rs_r;
  /* verilator lint_off UNUSEDSIGNAL */
  wire [6:0] rs_e;  // even: e/2 drops bit 0
  /* verilator lint_on UNUSEDSIGNAL */
  llm2hls_rsqrt #(.U_BITS(64), .TABLE_FILE(RSQRT_FILE)) rsq (.u(usum), .r(rs_r), .e(rs_e));

  always @(posedge clk) begin
    if (take) xbuf[addr(wsel, wb)] <= in_data;
    if (!rst_n) begin
      wsel <= 2'd0;
      wb <= 0;
      sum <= 0;
      sq <= 0;
      v1 <= 1'b0;
      v2 <= 1'b0;
      v3 <= 1'b0;
    end else begin
      v1 <= take && wb_last;
      v2 <= v1;
      v3 <= v2;
      if (take) begin
        wb <= wb_last ? {BW{1'b0}} : wb + 1'b1;
        sum <= wb_last ? 40'sd0 : sum + beat_sum;
        sq <= wb_last ? 64'd0 : sq + beat_sq;
        if (wb_last) wsel <= next(wsel);
      end
    end
    if (take && wb_last) begin
      row_s <= sum + beat_sum;
      row_q <= sq + beat_sq;
      sel1 <= wsel;
    end
    mean_g <= CENTER != 0 ? mean_r[31:0] : 32'sd0;
    s2 <= row_s;
    q2 <= row_q;
    sel2 <= sel1;
    usum <= u_full[63:0];
    mean3 <= mean_g;
    sel3 <= sel2;
    if (v3) begin
      mean_p[sel3] <= mean3;
      r_p[sel3] <= rs_r;
      nsh_p[sel3] <= $signed({1'b0, rs_e[6:1]}) + 8'sd16 - NF[7:0];
    end
  end

  // ---- output side: n = round_shift(c * r, 16 + e/2 - NF), then gamma' and beta' ------
  reg [1:0] rsel;
  reg [BW-1:0] rb;
  wire rb_last = rb == DB[BW-1:0] - 1'b1;
  wire adv = !out_valid || out_ready;
  wire emit = ready[rsel] && adv;
  wire [XW-1:0] xb = xbuf[addr(rsel, rb)];
  wire signed [31:0] mean_o = mean_p[rsel];
  wire [16:0] r_o = r_p[rsel];
  wire signed [7:0] nsh_o = nsh_p[rsel];
  wire [LANES*16-1:0] gb = grom[rb];
  wire [LANES*48-1:0] bb;
  generate
    if (BETA != 0) begin : with_beta
      reg [LANES*48-1:0] brom [0:DB-1];
      initial $readmemh(B_FILE, brom);
      assign bb = brom[rb];
    end else begin : no_beta
      assign bb = {LANES*48{1'b0}};
    end
  endgenerate
  wire [LANES*Y_BITS-1:0] y;
  genvar u;
  generate
    for (u = 0; u < LANES; u = u + 1) begin : lane
      wire signed [31:0] c = ({{(32 - X_BITS){xb[u*X_BITS+X_BITS-1]}}, xb[u*X_BITS +: X_BITS]} <<< G) - mean_o;
      wire signed [49:0] cr = {{18{c[31]}}, c} * $signed({33'd0, r_o});
      // |n| <= 2^20 + 2^6 (the contract's bound), so 32 bits hold it exactly.
      /* verilator lint_off UNUSEDSIGNAL */
      wire signed [58:0] nw;
      /* verilator lint_on UNUSEDSIGNAL */
      llm2hls_round_shift #(.X_BITS(50), .S_BITS(8), .LMAX(8)) n_rs (.x(cr), .s(nsh_o), .y(nw));
      wire signed [31:0] n = nw[31:0];
      wire signed [15:0] gm = gb[u*16 +: 16];
      wire signed [49:0] acc = {{18{n[31]}}, n} * {{34{gm[15]}}, gm} + {{2{bb[u*48+47]}}, bb[u*48 +: 48]};
      wire signed [50+Y_BITS:0] yr;
      llm2hls_round_shift #(.X_BITS(50), .S_BITS(8), .LMAX(Y_BITS)) y_rs (.x(acc), .s(OUT_SHIFT), .y(yr));
      llm2hls_sat #(.X_BITS(51 + Y_BITS), .Y_BITS(Y_BITS)) st (.x(yr), .y(y[u*Y_BITS +: Y_BITS]));
    end
  endgenerate

  always @(posedge clk) begin
    if (!rst_n) begin
      rsel <= 2'd0;
      rb <= 0;
      out_valid <= 1'b0;
      for (l = 0; l < NBUF; l = l + 1) begin
        busy[l] <= 1'b0;
        ready[l] <= 1'b0;
      end
    end else begin
      if (adv) out_valid <= emit;
      if (emit) begin
        rb <= rb_last ? {BW{1'b0}} : rb + 1'b1;
        if (rb_last) rsel <= next(rsel);
      end
      // A buffer is busy from its row's last input beat, ready once its parameters are
      // written, and free again after its last output beat (never the same buffer twice
      // in one cycle: the input side only fills a free one).
      if (take && wb_last) busy[wsel] <= 1'b1;
      if (v3) ready[sel3] <= 1'b1;
      if (emit && rb_last) begin
        busy[rsel] <= 1'b0;
        ready[rsel] <= 1'b0;
      end
    end
    if (emit) out_data <= y;
  end
endmodule
`default_nettype wire
