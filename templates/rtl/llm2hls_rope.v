// llm2hls_rope: llm.RoPE in fixed point (llm2hls_fixed.h rope_q): per token t
// and head, for element i of the head (HALF = HEAD_DIM / 2),
//   rot  = i < HALF ? -x[i + HALF] : x[i - HALF]
//   y[i] = sat(round_shift(x[i] * cos[t][i] + rot * sin[t][i], SHIFT), Y_BITS)
// cos, sin: 16-bit with 14 fraction bits, [TOKENS][HEAD_DIM] ROMs (C_FILE,
// S_FILE: TOKENS * HEAD_DIM / LANES words of LANES x 16 bits); SHIFT = fx + 14 - fy.
// Tokens count 0 .. TOKENS - 1 and wrap, as each call of the C++ kernel starts at 0.
// A beat holds LANES elements of one head; LANES divides HALF, so the partner
// of beat b is the beat HALF / LANES away. Two head buffers: while one head
// is sent, the next comes in, so a head takes HEAD_DIM / LANES cycles when
// nothing waits.
`default_nettype none
module llm2hls_rope #(
  parameter integer TOKENS = 4,
  parameter integer HEADS = 2,
  parameter integer HEAD_DIM = 8,
  parameter integer LANES = 1,
  parameter integer X_BITS = 16,
  parameter integer Y_BITS = 16,
  parameter integer SHIFT = 14,
  parameter C_FILE = "cos.hex",
  parameter S_FILE = "sin.hex"
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
  localparam integer HB = HEAD_DIM / LANES;  // beats per head
  localparam integer PB = HB / 2;            // the partner beat's distance
  localparam integer BW = HB > 1 ? $clog2(HB) : 1;
  localparam integer TW = TOKENS > 1 ? $clog2(TOKENS) : 1;
  localparam integer HW = HEADS > 1 ? $clog2(HEADS) : 1;
  localparam integer AW = TOKENS * HB > 1 ? $clog2(TOKENS * HB) : 1;
  localparam integer XA = $clog2(2 * HB);
  localparam integer PW = X_BITS + 18;  // x * cos + rot * sin
  localparam signed [7:0] SHIFT_S = SHIFT[7:0];

  // Head buffer sel holds words sel * HB .. sel * HB + HB - 1.
  reg [LANES*X_BITS-1:0] xbuf [0:2*HB-1];
  reg full [0:1];  // head buffer holds a head not sent yet
  function [XA-1:0] xaddr(input sel, input [BW-1:0] beat);
    /* verilator lint_off WIDTH */
    xaddr = sel * HB + beat;
    /* verilator lint_on WIDTH */
  endfunction
  reg [LANES*16-1:0] crom [0:TOKENS*HB-1];
  reg [LANES*16-1:0] srom [0:TOKENS*HB-1];
  initial $readmemh(C_FILE, crom);
  initial $readmemh(S_FILE, srom);

  // Input side: fill buffer wsel.
  reg wsel;
  reg [BW-1:0] wb;
  wire wb_last = wb == HB[BW-1:0] - 1'b1;
  assign in_ready = !full[wsel];
  wire take = in_valid && in_ready;
  // Output side: send buffer rsel, beat b of head h of token t.
  reg rsel;
  reg [BW-1:0] b;
  reg [TW-1:0] t;
  reg [HW-1:0] h;
  wire b_last = b == HB[BW-1:0] - 1'b1;
  wire adv = !out_valid || out_ready;
  wire emit = full[rsel] && adv;

  /* verilator lint_off WIDTH */
  wire [BW-1:0] partner = b < PB ? b + PB : b - PB;
  wire [AW-1:0] taddr = t * HB + b;
  /* verilator lint_on WIDTH */
  wire first_half = b < PB[BW-1:0];
  wire [LANES*X_BITS-1:0] xs = xbuf[xaddr(rsel, b)];
  wire [LANES*X_BITS-1:0] xp = xbuf[xaddr(rsel, partner)];
  wire [LANES*16-1:0] cw = crom[taddr];
  wire [LANES*16-1:0] sw = srom[taddr];

  wire [LANES*Y_BITS-1:0] y;
  genvar u;
  generate
    for (u = 0; u < LANES; u = u + 1) begin : lane
      wire signed [PW-1:0] x = {{(PW - X_BITS){xs[u*X_BITS+X_BITS-1]}}, xs[u*X_BITS +: X_BITS]};
      wire signed [PW-1:0] p = {{(PW - X_BITS){xp[u*X_BITS+X_BITS-1]}}, xp[u*X_BITS +: X_BITS]};
      wire signed [PW-1:0] rot = first_half ? -p : p;
      wire signed [PW-1:0] c = {{(PW - 16){cw[u*16+15]}}, cw[u*16 +: 16]};
      wire signed [PW-1:0] s = {{(PW - 16){sw[u*16+15]}}, sw[u*16 +: 16]};
      wire signed [PW-1:0] acc = x * c + rot * s;
      wire signed [PW+Y_BITS:0] r;
      llm2hls_round_shift #(.X_BITS(PW), .S_BITS(8), .LMAX(Y_BITS)) rs (.x(acc), .s(SHIFT_S), .y(r));
      llm2hls_sat #(.X_BITS(PW + Y_BITS + 1), .Y_BITS(Y_BITS)) st (.x(r), .y(y[u*Y_BITS +: Y_BITS]));
    end
  endgenerate

  always @(posedge clk) begin
    if (take) xbuf[xaddr(wsel, wb)] <= in_data;
    if (!rst_n) begin
      wsel <= 1'b0;
      wb <= 0;
      rsel <= 1'b0;
      b <= 0;
      t <= 0;
      h <= 0;
      full[0] <= 1'b0;
      full[1] <= 1'b0;
      out_valid <= 1'b0;
    end else begin
      if (adv) out_valid <= emit;
      if (take) begin
        wb <= wb_last ? {BW{1'b0}} : wb + 1'b1;
        // A whole head in: hand the buffer to the output side.
        if (wb_last) begin
          full[wsel] <= 1'b1;
          wsel <= !wsel;
        end
      end
      if (emit) b <= b_last ? {BW{1'b0}} : b + 1'b1;
      if (emit && b_last) begin
        full[rsel] <= 1'b0;
        rsel <= !rsel;
        // Next head; after the last head, the next token.
        h <= h == HEADS[HW-1:0] - 1'b1 ? {HW{1'b0}} : h + 1'b1;
        if (h == HEADS[HW-1:0] - 1'b1) t <= t == TOKENS[TW-1:0] - 1'b1 ? {TW{1'b0}} : t + 1'b1;
      end
    end
    if (emit) out_data <= y;
  end
endmodule
`default_nettype wire
