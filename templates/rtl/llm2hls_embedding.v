// llm2hls_embedding: llm.Embedding in fixed point (llm2hls_fixed.h
// embedding_q): for each token id, row = id < 0 ? id + VOCAB : id (an id
// still outside [0, VOCAB) reads row 0, as the C++ kernel does), then
//   y[d] = sat(round_shift(q[row][d] * m[row], shift[row]), Y_BITS)
// An input beat is one ID_BITS-bit signed id; the output is the row's DIM
// elements, LANES a beat (DB = ceil(DIM/LANES) beats a token, back to back:
// the next id is taken with the last beat of the current one).
// ROMs ($readmemh): T_FILE VOCAB * DB words of LANES x W_BITS, word row * DB + b
// (zero past DIM); Q_FILE VOCAB words {shift (8-bit signed), m (16 bits)}.
`default_nettype none
module llm2hls_embedding #(
  parameter integer VOCAB = 16,
  parameter integer DIM = 8,
  parameter integer LANES = 1,
  parameter integer ID_BITS = 32,
  parameter integer W_BITS = 8,
  parameter integer Y_BITS = 16,
  parameter T_FILE = "table.hex",
  parameter Q_FILE = "q.hex"
) (
  input  wire                      clk,
  input  wire                      rst_n,
  input  wire                      in_valid,
  output wire                      in_ready,
  input  wire [ID_BITS-1:0]        in_data,
  output reg                       out_valid,
  input  wire                      out_ready,
  output reg  [LANES*Y_BITS-1:0]   out_data
);
  localparam integer DB = (DIM + LANES - 1) / LANES;
  localparam integer BW = DB > 1 ? $clog2(DB) : 1;
  localparam integer RW = VOCAB > 1 ? $clog2(VOCAB) : 1;
  localparam integer AW = VOCAB * DB > 1 ? $clog2(VOCAB * DB) : 1;
  localparam integer PW = W_BITS + 17;  // q times the 15-bit unsigned m

  reg [LANES*W_BITS-1:0] trom [0:VOCAB*DB-1];
  reg [23:0] qrom [0:VOCAB-1];
  initial $readmemh(T_FILE, trom);
  initial $readmemh(Q_FILE, qrom);

  // The row of an id, in ID_BITS + 1 bits so that id + VOCAB cannot wrap.
  wire signed [ID_BITS:0] id = {in_data[ID_BITS-1], in_data};
  /* verilator lint_off WIDTH */
  localparam signed [ID_BITS:0] V = VOCAB;
  /* verilator lint_on WIDTH */
  wire signed [ID_BITS:0] wrapped = id < 0 ? id + V : id;
  wire [RW-1:0] new_row = wrapped < 0 || wrapped >= V ? {RW{1'b0}} : wrapped[RW-1:0];

  reg busy;
  reg [RW-1:0] row;
  reg [BW-1:0] b;
  wire b_last = b == DB[BW-1:0] - 1'b1;
  wire adv = !out_valid || out_ready;
  wire emit = busy && adv;
  assign in_ready = !busy || (emit && b_last);
  wire take = in_valid && in_ready;

  /* verilator lint_off WIDTH */
  wire [AW-1:0] taddr = row * DB + b;
  /* verilator lint_on WIDTH */
  wire [LANES*W_BITS-1:0] tw = trom[taddr];
  wire [23:0] qw = qrom[row];
  wire [LANES*Y_BITS-1:0] y;
  genvar u;
  generate
    for (u = 0; u < LANES; u = u + 1) begin : lane
      wire signed [PW-1:0] p = {{(PW - W_BITS){tw[u*W_BITS+W_BITS-1]}}, tw[u*W_BITS +: W_BITS]} * $signed({{(PW - 16){1'b0}}, qw[15:0]});
      wire signed [PW+Y_BITS:0] r;
      llm2hls_round_shift #(.X_BITS(PW), .S_BITS(8), .LMAX(Y_BITS)) rs (.x(p), .s(qw[23:16]), .y(r));
      llm2hls_sat #(.X_BITS(PW + Y_BITS + 1), .Y_BITS(Y_BITS)) st (.x(r), .y(y[u*Y_BITS +: Y_BITS]));
    end
  endgenerate

  always @(posedge clk) begin
    if (!rst_n) begin
      busy <= 1'b0;
      b <= 0;
      out_valid <= 1'b0;
    end else begin
      if (adv) out_valid <= emit;
      if (emit) b <= b_last ? {BW{1'b0}} : b + 1'b1;
      if (take) begin
        busy <= 1'b1;
        row <= new_row;
      end else if (emit && b_last) busy <= 1'b0;
    end
    if (emit) out_data <= y;
  end
endmodule
`default_nettype wire
