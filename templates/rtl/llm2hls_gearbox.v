// llm2hls_gearbox: re-beats a stream of rows of ROW elements (EL_BITS each)
// from IN_LANES lanes a beat to OUT_LANES lanes a beat, element order kept:
// the lane adapter between a producer's `un` and a consumer's `uk`. Rows run
// back to back forever; each row starts a fresh output beat, the padding
// lanes of a row's last output beat are zero, and the padding lanes of a
// row's last input beat are dropped.
//
// An element buffer of N = IN_LANES + OUT_LANES - 1 elements with a count:
// an output beat is the buffer's first OUT_LANES elements (the row's rest
// on its last beat) and leaves by shifting the buffer down; an input beat's
// elements land right after what stays. N is the least size that lets the
// narrower side move a beat every cycle (and it never deadlocks: an output
// beat needs at most OUT_LANES elements, so a buffer short of one always has
// room for an input beat).
//
// Timing, when neither side waits (backend-rtl/gearbox.ts has the formulas):
//   cycles a row = max(ceil(ROW / IN_LANES), ceil(ROW / OUT_LANES)),
//     the narrower side's beats: it moves one beat every cycle;
//   latency (a row's first input beat to its first output beat, from an
//     empty gearbox) = ceil(min(OUT_LANES, ROW) / IN_LANES) cycles.
// out_valid and out_data come from registers (out_data through the padding
// mask, a function of the beat counter); in_ready depends on out_ready (a
// beat leaving this cycle makes room for one arriving).
//
// IN_LANES == OUT_LANES is a plain register stage (one beat, full rate,
// latency 1; ROW unused): beats pass unchanged, their padding already zero.
`default_nettype none
module llm2hls_gearbox #(
  parameter integer EL_BITS = 16,
  parameter integer ROW = 8,
  parameter integer IN_LANES = 2,
  parameter integer OUT_LANES = 3
) (
  input  wire                         clk,
  input  wire                         rst_n,
  input  wire                         in_valid,
  output wire                         in_ready,
  input  wire [IN_LANES*EL_BITS-1:0]  in_data,
  output wire                         out_valid,
  input  wire                         out_ready,
  output wire [OUT_LANES*EL_BITS-1:0] out_data
);
  generate
    if (IN_LANES == OUT_LANES) begin : pass
      reg                          valid_q;
      reg [IN_LANES*EL_BITS-1:0]   data_q;
      assign in_ready = !valid_q || out_ready;
      assign out_valid = valid_q;
      assign out_data = data_q;
      always @(posedge clk) begin
        if (!rst_n) valid_q <= 1'b0;
        else if (in_ready) valid_q <= in_valid;
        if (in_ready) data_q <= in_data;
      end
    end else begin : gear
      localparam integer N = IN_LANES + OUT_LANES - 1;  // buffer elements
      localparam integer BW = N * EL_BITS;
      localparam integer CW = $clog2(N + 1);            // count 0..N
      localparam integer IB = (ROW + IN_LANES - 1) / IN_LANES;    // beats a row in
      localparam integer OB = (ROW + OUT_LANES - 1) / OUT_LANES;  // and out
      localparam integer IN_LAST = ROW - (IB - 1) * IN_LANES;     // elements of a row's last beat
      localparam integer OUT_LAST = ROW - (OB - 1) * OUT_LANES;
      localparam integer IBW = IB > 1 ? $clog2(IB) : 1;
      localparam integer OBW = OB > 1 ? $clog2(OB) : 1;
      localparam [CW-1:0] N_C = N[CW-1:0];
      localparam [CW-1:0] IN_FULL = IN_LANES[CW-1:0];
      localparam [CW-1:0] IN_PART = IN_LAST[CW-1:0];
      localparam [CW-1:0] OUT_FULL = OUT_LANES[CW-1:0];
      localparam [CW-1:0] OUT_PART = OUT_LAST[CW-1:0];
      localparam integer IB_M1 = IB - 1, OB_M1 = OB - 1;
      localparam [IBW-1:0] IB_END = IB_M1[IBW-1:0];
      localparam [OBW-1:0] OB_END = OB_M1[OBW-1:0];

      // Element 0 (the next out) in the LSBs; slots at and past cnt are zero,
      // so an input beat is merged in with an OR.
      reg [BW-1:0]  buf_q;
      reg [CW-1:0]  cnt;
      reg [IBW-1:0] in_beat;   // beat of the row, each side
      reg [OBW-1:0] out_beat;
      reg           valid_q;

      wire in_last = in_beat == IB_END;
      wire out_last = out_beat == OB_END;
      wire [CW-1:0] k_in = in_last ? IN_PART : IN_FULL;     // elements this beat
      wire [CW-1:0] k_out = out_last ? OUT_PART : OUT_FULL;
      wire pop = valid_q && out_ready;
      wire [CW-1:0] base = pop ? cnt - k_out : cnt;         // what stays
      assign in_ready = base <= N_C - k_in;
      wire push = in_valid && in_ready;

      // The input beat without its padding lanes, as N elements, and the
      // buffer after the pop (two fixed shifts: a full beat or a row's last).
      wire [BW-1:0] in_wide;
      wire [BW-1:0] kept = !pop ? buf_q
                         : out_last ? buf_q >> (OUT_LAST * EL_BITS) : buf_q >> (OUT_LANES * EL_BITS);
      genvar u;
      for (u = 0; u < N; u = u + 1) begin : lane
        if (u < IN_LANES) begin : real_lane
          assign in_wide[u*EL_BITS +: EL_BITS] = (u < IN_LAST || !in_last) ? in_data[u*EL_BITS +: EL_BITS] : {EL_BITS{1'b0}};
        end else begin : no_lane
          assign in_wide[u*EL_BITS +: EL_BITS] = {EL_BITS{1'b0}};
        end
      end
      for (u = 0; u < OUT_LANES; u = u + 1) begin : out_lane
        assign out_data[u*EL_BITS +: EL_BITS] = (u < OUT_LAST || !out_last) ? buf_q[u*EL_BITS +: EL_BITS] : {EL_BITS{1'b0}};
      end

      wire [CW-1:0] cnt_n = push ? base + k_in : base;
      wire [OBW-1:0] out_beat_n = !pop ? out_beat : out_last ? {OBW{1'b0}} : out_beat + 1'b1;
      wire [CW-1:0] k_out_n = out_beat_n == OB_END ? OUT_PART : OUT_FULL;
      assign out_valid = valid_q;

      always @(posedge clk) begin
        if (!rst_n) begin
          buf_q <= {BW{1'b0}};
          cnt <= {CW{1'b0}};
          in_beat <= {IBW{1'b0}};
          out_beat <= {OBW{1'b0}};
          valid_q <= 1'b0;
        end else begin
          buf_q <= push ? kept | (in_wide << (base * EL_BITS)) : kept;
          cnt <= cnt_n;
          if (push) in_beat <= in_last ? {IBW{1'b0}} : in_beat + 1'b1;
          out_beat <= out_beat_n;
          // Registered: the next beat is whole once the buffer holds its elements.
          valid_q <= cnt_n >= k_out_n;
        end
      end
    end
  endgenerate
endmodule
`default_nettype wire
