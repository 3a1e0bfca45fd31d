// llm2hls_norm: llm.LayerNorm (CENTER=1) / llm.RMSNorm (CENTER=0) in fixed
// point over rows of DIM elements, LANES per beat (llm2hls_fixed.h norm_q /
// norm_q_nobeta; G = 3 guard bits, NF = 20):
//   S = sum x;  meanG = CENTER ? round_shift(S * INV_D_M, INV_D_SHIFT - G) : 0
//   c = x * 2^G - meanG;  U = EPS_U + sum c^2;  (r, e) = rsqrt(U)
//   n = round_shift(c * r, 16 + e/2 - NF)
//   y = sat(round_shift(n * gamma' + beta', NF + GAMMA_FRAC - Y_FRAC), Y_BITS)
// A row goes through four phases, one after the other: IN (take DB =
// ceil(DIM/LANES) beats into the row buffer, summing), VAR (one buffer pass:
// U), RSQRT (one cycle), OUT (one buffer pass: DB output beats), so a row
// takes 3 * DB + 1 cycles when its input and output never wait. Lanes past DIM in a row's
// last beat are left out of U and come out zero (gamma', beta' are zero there).
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
  localparam integer XW = LANES * X_BITS;
  localparam integer MS = INV_D_SHIFT - G, OS = NF + GAMMA_FRAC - Y_FRAC;
  localparam signed [7:0] MEAN_SHIFT = MS[7:0];
  localparam signed [7:0] OUT_SHIFT = OS[7:0];
  localparam [1:0] IN = 2'd0, VAR = 2'd1, RSQ = 2'd2, OUT = 2'd3;

  reg [XW-1:0] xbuf [0:DB-1];
  reg [LANES*16-1:0] grom [0:DB-1];
  initial $readmemh(G_FILE, grom);

  reg [1:0] phase;
  reg [BW-1:0] b;
  wire b_last = b == DB[BW-1:0] - 1'b1;
  wire adv = !out_valid || out_ready;
  assign in_ready = phase == IN;
  wire take = in_valid && in_ready;
  wire emit = phase == OUT && adv;

  // ---- IN: the row sum --------------------------------------------------------------
  reg signed [39:0] sum, beat_sum;
  integer l;
  always @* begin
    beat_sum = 40'sd0;
    for (l = 0; l < LANES; l = l + 1) beat_sum = beat_sum + {{(40 - X_BITS){in_data[l*X_BITS+X_BITS-1]}}, in_data[l*X_BITS +: X_BITS]};
  end
  wire signed [39:0] row_sum = sum + beat_sum;  // with the beat being taken
  wire signed [55:0] mean_p = row_sum * $signed({40'd0, INV_D_M[15:0]});
  // |meanG| <= 2^(X_BITS-1+G): the low 32 bits of the rounded value are all of it.
  /* verilator lint_off UNUSEDSIGNAL */
  wire signed [56:0] mean_r;
  /* verilator lint_on UNUSEDSIGNAL */
  llm2hls_round_shift #(.X_BITS(56), .S_BITS(8), .LMAX(0)) mean_rs (.x(mean_p), .s(MEAN_SHIFT), .y(mean_r));
  reg signed [31:0] mean_g;

  // ---- VAR: U = EPS_U + sum c^2 over the row's real lanes -------------------------------
  wire [XW-1:0] xb = xbuf[b];
  reg [63:0] usum, beat_u;
  reg signed [31:0] cl;
  always @* begin
    beat_u = 64'd0;
    for (l = 0; l < LANES; l = l + 1) begin
      cl = ({{(32 - X_BITS){xb[l*X_BITS+X_BITS-1]}}, xb[l*X_BITS +: X_BITS]} <<< G) - mean_g;
      if (b * LANES + l < DIM) beat_u = beat_u + $unsigned({{32{cl[31]}}, cl} * {{32{cl[31]}}, cl});
    end
  end
  wire [16:0] rs_r;
  /* verilator lint_off UNUSEDSIGNAL */
  wire [6:0] rs_e;  // even: e/2 drops bit 0
  /* verilator lint_on UNUSEDSIGNAL */
  llm2hls_rsqrt #(.U_BITS(64), .TABLE_FILE(RSQRT_FILE)) rsq (.u(usum), .r(rs_r), .e(rs_e));
  reg [16:0] r;
  reg signed [7:0] n_shift;

  // ---- OUT: n, then gamma' and beta' --------------------------------------------------------
  wire [LANES*16-1:0] gb = grom[b];
  wire [LANES*48-1:0] bb;
  generate
    if (BETA != 0) begin : with_beta
      reg [LANES*48-1:0] brom [0:DB-1];
      initial $readmemh(B_FILE, brom);
      assign bb = brom[b];
    end else begin : no_beta
      assign bb = {LANES*48{1'b0}};
    end
  endgenerate
  wire [LANES*Y_BITS-1:0] y;
  genvar u;
  generate
    for (u = 0; u < LANES; u = u + 1) begin : lane
      wire signed [31:0] c = ({{(32 - X_BITS){xb[u*X_BITS+X_BITS-1]}}, xb[u*X_BITS +: X_BITS]} <<< G) - mean_g;
      wire signed [49:0] cr = {{18{c[31]}}, c} * $signed({33'd0, r});
      // |n| <= 2^20 + 2^6 (the contract's bound), so 32 bits hold it exactly.
      /* verilator lint_off UNUSEDSIGNAL */
      wire signed [58:0] nw;
      /* verilator lint_on UNUSEDSIGNAL */
      llm2hls_round_shift #(.X_BITS(50), .S_BITS(8), .LMAX(8)) n_rs (.x(cr), .s(n_shift), .y(nw));
      wire signed [31:0] n = nw[31:0];
      wire signed [15:0] gm = gb[u*16 +: 16];
      wire signed [49:0] acc = {{18{n[31]}}, n} * {{34{gm[15]}}, gm} + {{2{bb[u*48+47]}}, bb[u*48 +: 48]};
      wire signed [50+Y_BITS:0] yr;
      llm2hls_round_shift #(.X_BITS(50), .S_BITS(8), .LMAX(Y_BITS)) y_rs (.x(acc), .s(OUT_SHIFT), .y(yr));
      llm2hls_sat #(.X_BITS(51 + Y_BITS), .Y_BITS(Y_BITS)) st (.x(yr), .y(y[u*Y_BITS +: Y_BITS]));
    end
  endgenerate

  always @(posedge clk) begin
    if (take) xbuf[b] <= in_data;
    if (!rst_n) begin
      phase <= IN;
      b <= 0;
      sum <= 0;
      out_valid <= 1'b0;
    end else begin
      if (adv) out_valid <= emit;
      case (phase)
        IN: if (take) begin
          b <= b_last ? {BW{1'b0}} : b + 1'b1;
          if (b_last) begin
            // meanG from the whole row's sum; the U pass starts from EPS_U.
            mean_g <= CENTER != 0 ? mean_r[31:0] : 32'sd0;
            usum <= EPS_U;
            phase <= VAR;
          end
          sum <= b_last ? 40'sd0 : row_sum;
        end
        VAR: begin
          usum <= usum + beat_u;
          b <= b_last ? {BW{1'b0}} : b + 1'b1;
          if (b_last) phase <= RSQ;
        end
        RSQ: begin
          r <= rs_r;
          n_shift <= $signed({1'b0, rs_e[6:1]}) + 8'sd16 - NF[7:0];
          phase <= OUT;
        end
        OUT: if (emit) begin
          b <= b_last ? {BW{1'b0}} : b + 1'b1;
          if (b_last) phase <= IN;
        end
      endcase
    end
    if (emit) out_data <= y;
  end
endmodule
`default_nettype wire
