// llm2hls_attention: llm.Attention in fixed point (llm2hls_fixed.h attention_q),
// the same integer arithmetic in the same order. Per query row i, head h
// (kv head g = h / (HEADS / KV_HEADS)), visible keys j = 0 .. n_i - 1:
//   dot_j = sum_d q[d] k_j[d]                              (exact)
//   t_j   = sat32(round_shift(dot_j * SCORE_M, SCORE_SHIFT)), M = max_j t_j
//   e_j   = exp2_neg(M - t_j), Z = sum_j e_j, (r, kk) = recip(Z)
//   p_j   = round_shift(e_j * r, kk + 1)
//   y[d]  = sat(round_shift(sum_j p_j v_j[d], OUT_SHIFT), Y_BITS)
// n_i = CACHE_LEN, or clamp(i + 1 + CACHE_LEN - TOKENS, 0, CACHE_LEN) when
// CAUSAL; a row with no visible key is zeros (as the C++).
//
// Streams (the library's protocol): q rows HEADS*HEAD_DIM elements per token,
// k rows KV_HEADS*HEAD_DIM, v rows KV_HEADS*V_HEAD_DIM, out rows
// HEADS*V_HEAD_DIM, each ceil(C / LANES) beats of LANES elements (a beat may
// span two heads). The KV cache is on chip: k and v RAMs of CACHE_LEN rows,
// row j of pass p written by the j-th k (v) row of the pass; every pass
// starts again at row 0 (TOKENS queries a pass, modules run forever).
// PAST > 0 (rows written before the pass: decode with a KV cache) is NOT
// built: it fails elaboration on purpose (a missing module), see below.
//
// Input order: k, v and q are taken by three independent writers, each as
// far ahead as the memories allow: k and v up to the pass's NEW_KEYS rows,
// q up to min(3, TOKENS) rows (2 ahead of the query in QK) when CAUSAL and
// NEW_KEYS == TOKENS (the C++ reads k_t, v_t, q_t, then answers t), all
// TOKENS rows otherwise (the C++ reads every row first). A query starts as soon as its
// n_i k and v rows and its q row are in and one of four output rows is
// free, so no interleaving of independent producers deadlocks the module.
// A pass ends when PV is done with its last head; the writers then start
// the next pass at row 0 (they wait for it once they hold a whole pass).
//
// Engine: three stages, each on its own head, heads in order (t, h) over
// the pass, numbered k = t * HEADS + h; with KB = ceil(HEAD_DIM / UK),
// KBV = ceil(V_HEAD_DIM / UK), NB(k) = max(1, ceil(n_t / UN)):
//   QK    KB * NB cycles   UN keys x UK dims of q.k a cycle: t_j, M
//   SOFT  NB + 1 cycles    UN exp2_neg a cycle: e_j, Z; then recip(Z)
//   PV    KBV * NB cycles  UK dims x UN keys of p_j v_j[d] a cycle: y
// (UK * UN multipliers in QK and in PV). Head k is in QK during slot k, in
// SOFT during slot k + 1, in PV during slot k + 2; a slot ends when its
// stages are all done, so (inputs in time, output not backed up)
//   slot(k) = max(KB * NB(k), NB(k - 1) + 1, KBV * NB(k - 2))
// over the stages that hold a head, and token t's output row is complete
// KBV * NB(t) cycles into slot t * HEADS + HEADS + 1; its cycles are
//   end(t) - end(t - 1),  end(t) = sum_{k < tH+H+1} slot(k) + KBV * NB(t).
// When KB >= KBV and KB >= 2 (and n_t does not fall with t, as in prefill
// and encoders) every slot is its QK's KB * NB(k): a pass costs
// sum_t HEADS * KB * NB_t, the cost model's headSteps * ceil(keys_t / UN),
// plus the drain of the last two heads, each token shifted by two heads.
// (The cost model's whole heads per step when UK >= HEAD_DIM are not built:
// here KB = 1 and SOFT's NB + 1 sets the slot.)
// The memories are read asynchronously (LUTRAM / registers): UN * UK read
// ports on k and on v, LANES write ports.
`default_nettype none
module llm2hls_attention #(
  parameter integer TOKENS = 4,
  parameter integer NEW_KEYS = 4,
  parameter integer PAST = 0,
  parameter integer CACHE_LEN = 4,
  parameter integer HEADS = 2,
  parameter integer KV_HEADS = 2,
  parameter integer HEAD_DIM = 4,
  parameter integer V_HEAD_DIM = 4,
  parameter integer CAUSAL = 1,
  parameter integer SCORE_M = 23637,
  parameter integer SCORE_SHIFT = 20,
  parameter integer OUT_SHIFT = 15,
  parameter integer Y_BITS = 16,
  parameter integer X_BITS = 16,
  parameter integer LANES = 1,
  parameter integer UK = 1,
  parameter integer UN = 1,
  parameter EXP_FILE = "llm2hls_table_exp2.hex",
  parameter RECIP_FILE = "llm2hls_table_recip.hex"
) (
  input  wire                      clk,
  input  wire                      rst_n,
  input  wire                      q_valid,
  output wire                      q_ready,
  input  wire [LANES*X_BITS-1:0]   q_data,
  input  wire                      k_valid,
  output wire                      k_ready,
  input  wire [LANES*X_BITS-1:0]   k_data,
  input  wire                      v_valid,
  output wire                      v_ready,
  input  wire [LANES*X_BITS-1:0]   v_data,
  output reg                       out_valid,
  input  wire                      out_ready,
  output reg  [LANES*Y_BITS-1:0]   out_data
);
  // A KV cache filled before the pass (decode) needs its own write port and
  // the past rows' ordering; until it is built, PAST > 0 must not elaborate.
  generate
    if (PAST != 0) begin : past_kv_cache
      llm2hls_attention_past_gt_0_is_not_built unsupported ();
    end
  endgenerate

  localparam integer T = TOKENS, S = NEW_KEYS, L = CACHE_LEN;
  localparam integer H = HEADS, HK = KV_HEADS, HD = HEAD_DIM, HDV = V_HEAD_DIM;
  localparam integer GROUP = H / HK;
  localparam integer QW = H * HD, KW = HK * HD, VW = HK * HDV, OW = H * HDV;  // row lengths
  localparam integer QSLOTS = (CAUSAL != 0 && S == T && T > 3) ? 3 : T;
  localparam integer OSLOTS = 4;  // output rows: up to three tokens in the pipeline, one leaving
  localparam integer QSIZE = QSLOTS * QW, KSIZE = L * KW, VSIZE = L * VW, OSIZE = OSLOTS * OW;
  localparam integer QA = QSIZE > 1 ? $clog2(QSIZE) : 1;
  localparam integer KA = KSIZE > 1 ? $clog2(KSIZE) : 1;
  localparam integer VA = VSIZE > 1 ? $clog2(VSIZE) : 1;
  localparam integer OA = OSIZE > 1 ? $clog2(OSIZE) : 1;
  localparam integer JA = $clog2(2 * L);
  // Widths: |dot| <= HD * 2^(2 X_BITS - 2); Z <= L * 2^16; |acc| <= (2^15 + L) * 2^(X_BITS - 1).
  localparam integer DW = 2 * X_BITS + $clog2(HD + 1) + 1;
  localparam integer SW = DW + 16;            // dot * SCORE_M (15-bit unsigned)
  localparam integer ZW = 17 + $clog2(L + 1);
  localparam integer AW = X_BITS + 18 + $clog2(L + 1);
  localparam signed [7:0] SCORE_SHIFT_S = SCORE_SHIFT[7:0];
  localparam signed [7:0] OUT_SHIFT_S = OUT_SHIFT[7:0];
  localparam [15:0] SCORE_M_U = SCORE_M[15:0];
  localparam signed [31:0] MIN32 = 32'sh80000000;

  /* verilator lint_off WIDTH */
  /* verilator lint_off UNUSEDSIGNAL */
  // Memory indices (every caller's value is in range, or masked): the index's low bits.
  function [QA-1:0] qad(input integer x); qad = x; endfunction
  function [KA-1:0] kad(input integer x); kad = x; endfunction
  function [VA-1:0] vad(input integer x); vad = x; endfunction
  function [OA-1:0] oad(input integer x); oad = x; endfunction
  function [JA-1:0] jad(input integer x); jad = x; endfunction
  /* verilator lint_on UNUSEDSIGNAL */
  /* verilator lint_on WIDTH */

  reg [X_BITS-1:0] qmem [0:QSIZE-1];  // QSLOTS q rows
  reg [X_BITS-1:0] kmem [0:KSIZE-1];  // k row j at j * KW
  reg [X_BITS-1:0] vmem [0:VSIZE-1];  // v row j at j * VW
  reg [Y_BITS-1:0] obuf [0:OSIZE-1];  // OSLOTS output rows
  reg [31:0] tbuf [0:2*L-1];          // t_j of two heads (QK writes one, SOFT reads the other)
  reg [16:0] ebuf [0:2*L-1];          // e_j of two heads (SOFT writes one, PV reads the other)

  // ---- the pipeline: three stages, each on its own head (heads in token order)
  //   QK    KB * NB cycles: dots, t_j into tbuf[par], M
  //   SOFT  NB + 1 cycles:  e_j into ebuf[par], Z; then recip(Z)
  //   PV    KBV * NB cycles: sum p_j v_j, y into the token's output row
  // A slot ends when all three are done; then each head moves one stage on.
  integer started;   // tokens of the pass given to QK (the next one's index)
  wire pass_end;

  // ---- writers: k, v, q rows into the memories
  integer krow, kc, vrow, vc, qrow, qc, qsw;
  wire [31:0] qk_tok_now = started == 0 ? 0 : started - 1;  // the token QK reads q of
  assign k_ready = krow < S;
  assign v_ready = vrow < S;
  assign q_ready = qrow < T && qrow < qk_tok_now + QSLOTS;
  wire k_take = k_valid && k_ready, v_take = v_valid && v_ready, q_take = q_valid && q_ready;
  integer wl;
  always @(posedge clk) begin
    for (wl = 0; wl < LANES; wl = wl + 1) begin
      if (k_take && kc + wl < KW) kmem[kad(krow * KW + kc + wl)] <= k_data[wl*X_BITS +: X_BITS];
      if (v_take && vc + wl < VW) vmem[vad(vrow * VW + vc + wl)] <= v_data[wl*X_BITS +: X_BITS];
      if (q_take && qc + wl < QW) qmem[qad(qsw * QW + qc + wl)] <= q_data[wl*X_BITS +: X_BITS];
    end
  end
  always @(posedge clk) begin
    if (!rst_n || pass_end) begin
      // A pass ends when PV is done with its last head: the writers start again at row 0.
      krow <= 0; kc <= 0; vrow <= 0; vc <= 0; qrow <= 0; qc <= 0; qsw <= 0;
    end else begin
      if (k_take) begin
        if (kc + LANES >= KW) begin kc <= 0; krow <= krow + 1; end else kc <= kc + LANES;
      end
      if (v_take) begin
        if (vc + LANES >= VW) begin vc <= 0; vrow <= vrow + 1; end else vc <= vc + LANES;
      end
      if (q_take) begin
        if (qc + LANES >= QW) begin
          qc <= 0; qrow <= qrow + 1; qsw <= qsw + 1 == QSLOTS ? 0 : qsw + 1;
        end else qc <= qc + LANES;
      end
    end
  end

  // ---- stage registers: each holds one head (v), runs while busy
  reg qk_v, qk_busy, sf_v, sf_busy, sf_rcp, pv_busy;
  integer qk_h, qk_g, qk_gi, qk_n, qk_qs, qk_j0, qk_d0;
  reg [1:0] qk_os, sf_os, pv_os;  // output row
  reg qk_par, qk_lh, qk_lt;       // tbuf half; last head of its token; of the pass
  reg signed [31:0] qk_mx;
  integer sf_h, sf_g, sf_n, sf_j0;
  reg sf_par, sf_lh, sf_lt;
  reg signed [31:0] sf_mx;
  reg [ZW-1:0] sf_z;
  reg [16:0] sf_r;
  reg [6:0] sf_kk;
  integer pv_h, pv_g, pv_n, pv_j0, pv_d0;
  reg pv_par, pv_lh, pv_lt;
  reg [16:0] pv_r;
  reg [6:0] pv_kk;

  wire qk_last_j = qk_j0 + UN >= qk_n, qk_last_d = qk_d0 + UK >= HD;
  wire sf_last_j = sf_j0 + UN >= sf_n;
  wire pv_last_j = pv_j0 + UN >= pv_n, pv_last_d = pv_d0 + UK >= HDV;
  wire qk_fin = qk_busy && qk_last_j && qk_last_d;
  wire sf_fin = sf_busy && sf_rcp;
  wire pv_fin = pv_busy && pv_last_j && pv_last_d;
  wire adv = (!qk_busy || qk_fin) && (!sf_busy || sf_fin) && (!pv_busy || pv_fin);
  wire tok_done = pv_fin && pv_lh;
  assign pass_end = tok_done && pv_lt;

  // Next token: its k and v rows, its q row, a free output row.
  reg [OSLOTS-1:0] ofull, oinuse;  // row written and not sent yet; row of a token in the pipeline
  reg [1:0] ws;                   // next token's output row
  reg nqs_par;                    // tbuf half of the next head given to QK
  integer nqs;                    // next token's q slot
  wire signed [31:0] reach = started + 1 + L - T;
  wire signed [31:0] need = CAUSAL == 0 ? L : reach < 0 ? 0 : reach > L ? L : reach;
  wire go = started < T && krow >= need && vrow >= need && qrow > started && !ofull[ws] && !oinuse[ws];
  wire next_head = qk_v && !qk_lh;  // QK's token has heads left
  wire qk_load = adv && (next_head || go);

  // ---- QK: q dims d0 .. d0 + UK - 1 of head qk_h (zero past the head)
  wire [UK*X_BITS-1:0] qvec;
  genvar gu, gk;
  generate
    for (gk = 0; gk < UK; gk = gk + 1) begin : qlane
      assign qvec[gk*X_BITS +: X_BITS] = qk_d0 + gk < HD ? qmem[qad(qk_qs * QW + qk_h * HD + qk_d0 + gk)] : {X_BITS{1'b0}};
    end
  endgenerate

  // Per key lane u: the QK dot and t_j (key qk_j0 + u), e_j (key sf_j0 + u), p_j (key pv_j0 + u).
  wire [UN*32-1:0] tvec;
  wire [UN*17-1:0] evec, pvec;
  wire [UN-1:0] qk_jv, sf_jv, pv_jv;
  generate
    for (gu = 0; gu < UN; gu = gu + 1) begin : key
      assign qk_jv[gu] = qk_j0 + gu < qk_n;
      assign sf_jv[gu] = sf_j0 + gu < sf_n;
      assign pv_jv[gu] = pv_j0 + gu < pv_n;
      // part = sum over the step's UK dims (a chain of UK products).
      wire [(UK+1)*DW-1:0] chain /* verilator split_var */;
      assign chain[DW-1:0] = {DW{1'b0}};
      for (gk = 0; gk < UK; gk = gk + 1) begin : dim
        wire [X_BITS-1:0] kx = qk_jv[gu] && qk_d0 + gk < HD ? kmem[kad((qk_j0 + gu) * KW + qk_g * HD + qk_d0 + gk)] : {X_BITS{1'b0}};
        wire [X_BITS-1:0] qx = qvec[gk*X_BITS +: X_BITS];
        wire signed [DW-1:0] pr = $signed({{(DW - X_BITS){qx[X_BITS-1]}}, qx}) * $signed({{(DW - X_BITS){kx[X_BITS-1]}}, kx});
        assign chain[(gk+1)*DW +: DW] = $signed(chain[gk*DW +: DW]) + pr;
      end
      wire signed [DW-1:0] part = chain[UK*DW +: DW];
      reg signed [DW-1:0] dot;  // the dot so far
      wire signed [DW-1:0] dn = (qk_d0 == 0 ? {DW{1'b0}} : dot) + part;
      always @(posedge clk) if (qk_busy) dot <= dn;
      wire signed [SW-1:0] sp = {{16{dn[DW-1]}}, dn} * $signed({{DW{1'b0}}, SCORE_M_U});
      wire signed [SW+32:0] ss;
      llm2hls_round_shift #(.X_BITS(SW), .S_BITS(8), .LMAX(32)) rs_t (.x(sp), .s(SCORE_SHIFT_S), .y(ss));
      wire signed [31:0] t;
      llm2hls_sat #(.X_BITS(SW + 33), .Y_BITS(32)) sat_t (.x(ss), .y(t));
      assign tvec[gu*32 +: 32] = t;

      // SOFT: exp2_neg(M - t_j), M >= t_j
      wire [31:0] tj = tbuf[jad((sf_par ? L : 0) + sf_j0 + gu)];
      wire [32:0] a = {sf_mx[31], sf_mx} - {tj[31], tj};
      wire [16:0] e;
      llm2hls_exp2_neg #(.A_BITS(33), .TABLE_FILE(EXP_FILE)) ex (.a(a), .y(e));
      assign evec[gu*17 +: 17] = sf_jv[gu] ? e : 17'd0;

      // PV: p_j = round_shift(e_j * r, kk + 1) <= 2^15
      wire [33:0] er = ebuf[jad((pv_par ? L : 0) + pv_j0 + gu)] * pv_r;
      wire signed [7:0] ps = {1'b0, pv_kk} + 8'sd1;
      /* verilator lint_off UNUSEDSIGNAL */
      wire signed [35:0] pw;
      /* verilator lint_on UNUSEDSIGNAL */
      llm2hls_round_shift #(.X_BITS(35), .S_BITS(8), .LMAX(0)) rs_p (.x({1'b0, er}), .s(ps), .y(pw));
      assign pvec[gu*17 +: 17] = pv_jv[gu] ? pw[16:0] : 17'd0;
    end
  endgenerate

  // Running max (QK) and sum (SOFT) over the step's valid keys.
  integer u;
  reg signed [31:0] mx_next;
  reg [ZW-1:0] z_next;
  always @* begin
    mx_next = qk_j0 == 0 ? MIN32 : qk_mx;
    z_next = sf_j0 == 0 ? {ZW{1'b0}} : sf_z;
    for (u = 0; u < UN; u = u + 1) begin
      if (qk_jv[u] && $signed(tvec[u*32 +: 32]) > mx_next) mx_next = $signed(tvec[u*32 +: 32]);
      z_next = z_next + {{(ZW - 17){1'b0}}, evec[u*17 +: 17]};
    end
  end
  wire [16:0] rc_r;
  wire [6:0] rc_k;
  llm2hls_recip #(.Z_BITS(ZW), .TABLE_FILE(RECIP_FILE)) rc (.z(sf_z), .r(rc_r), .k(rc_k));

  // PV, per v dim lane k (dim pv_d0 + k): the sum over the step's UN keys, y.
  wire [UK*Y_BITS-1:0] yvec;
  generate
    for (gk = 0; gk < UK; gk = gk + 1) begin : vdim
      wire [(UN+1)*AW-1:0] chain /* verilator split_var */;
      assign chain[AW-1:0] = {AW{1'b0}};
      for (gu = 0; gu < UN; gu = gu + 1) begin : kv
        wire [X_BITS-1:0] vx = pv_jv[gu] && pv_d0 + gk < HDV ? vmem[vad((pv_j0 + gu) * VW + pv_g * HDV + pv_d0 + gk)] : {X_BITS{1'b0}};
        wire signed [AW-1:0] pr = $signed({{(AW - 17){1'b0}}, pvec[gu*17 +: 17]}) * $signed({{(AW - X_BITS){vx[X_BITS-1]}}, vx});
        assign chain[(gu+1)*AW +: AW] = $signed(chain[gu*AW +: AW]) + pr;
      end
      wire signed [AW-1:0] pv = chain[UN*AW +: AW];
      reg signed [AW-1:0] acc;  // sum of p_j v_j[d] so far
      wire signed [AW-1:0] an = (pv_j0 == 0 ? {AW{1'b0}} : acc) + pv;
      wire signed [AW+Y_BITS:0] ys;
      llm2hls_round_shift #(.X_BITS(AW), .S_BITS(8), .LMAX(Y_BITS)) rs_y (.x(an), .s(OUT_SHIFT_S), .y(ys));
      wire signed [Y_BITS-1:0] y;
      llm2hls_sat #(.X_BITS(AW + Y_BITS + 1), .Y_BITS(Y_BITS)) sat_y (.x(ys), .y(y));
      assign yvec[gk*Y_BITS +: Y_BITS] = y;
      always @(posedge clk) if (pv_busy) acc <= an;
    end
  endgenerate

  // Head buffers: t_j after a dot's last dim step, e_j, and y after the last key step.
  integer bl;
  always @(posedge clk) begin
    for (bl = 0; bl < UN; bl = bl + 1) begin
      if (qk_busy && qk_last_d && qk_jv[bl]) tbuf[jad((qk_par ? L : 0) + qk_j0 + bl)] <= tvec[bl*32 +: 32];
      if (sf_busy && !sf_rcp && sf_jv[bl]) ebuf[jad((sf_par ? L : 0) + sf_j0 + bl)] <= evec[bl*17 +: 17];
    end
    for (bl = 0; bl < UK; bl = bl + 1)
      if (pv_busy && pv_last_j && pv_d0 + bl < HDV) obuf[oad(pv_os * OW + pv_h * HDV + pv_d0 + bl)] <= yvec[bl*Y_BITS +: Y_BITS];
  end

  always @(posedge clk) begin
    if (!rst_n) begin
      qk_v <= 1'b0; qk_busy <= 1'b0; sf_v <= 1'b0; sf_busy <= 1'b0; sf_rcp <= 1'b0; pv_busy <= 1'b0;
      started <= 0; ws <= 2'd0; nqs <= 0; nqs_par <= 1'b0;
      qk_h <= 0; qk_g <= 0; qk_gi <= 0; qk_n <= 0; qk_qs <= 0; qk_os <= 2'd0; qk_j0 <= 0; qk_d0 <= 0;
      qk_par <= 1'b0; qk_lh <= 1'b0; qk_lt <= 1'b0; qk_mx <= MIN32;
      sf_h <= 0; sf_g <= 0; sf_n <= 0; sf_os <= 2'd0; sf_j0 <= 0; sf_par <= 1'b0; sf_lh <= 1'b0; sf_lt <= 1'b0;
      sf_mx <= MIN32; sf_z <= {ZW{1'b0}}; sf_r <= 17'd0; sf_kk <= 7'd0;
      pv_h <= 0; pv_g <= 0; pv_n <= 0; pv_os <= 2'd0; pv_j0 <= 0; pv_d0 <= 0; pv_par <= 1'b0; pv_lh <= 1'b0; pv_lt <= 1'b0;
      pv_r <= 17'd0; pv_kk <= 7'd0;
    end else begin
      // QK steps: dims inner, keys outer.
      if (qk_busy) begin
        if (qk_last_d) begin
          qk_mx <= mx_next; qk_d0 <= 0;
          if (qk_last_j) begin qk_busy <= 1'b0; qk_j0 <= 0; end else qk_j0 <= qk_j0 + UN;
        end else qk_d0 <= qk_d0 + UK;
      end
      // SOFT steps: keys, then the reciprocal.
      if (sf_busy) begin
        if (sf_rcp) begin sf_r <= rc_r; sf_kk <= rc_k; sf_busy <= 1'b0; sf_rcp <= 1'b0; end
        else begin
          sf_z <= z_next;
          if (sf_last_j) begin sf_rcp <= 1'b1; sf_j0 <= 0; end else sf_j0 <= sf_j0 + UN;
        end
      end
      // PV steps: keys inner, dims outer (a dim block's y is final after its last key step).
      if (pv_busy) begin
        if (pv_last_j) begin
          pv_j0 <= 0;
          if (pv_last_d) begin pv_busy <= 1'b0; pv_d0 <= 0; end else pv_d0 <= pv_d0 + UK;
        end else pv_j0 <= pv_j0 + UN;
      end
      if (adv) begin
        // Each head moves one stage on.
        pv_busy <= sf_v; pv_j0 <= 0; pv_d0 <= 0;
        pv_h <= sf_h; pv_g <= sf_g; pv_n <= sf_n; pv_os <= sf_os; pv_par <= sf_par; pv_lh <= sf_lh; pv_lt <= sf_lt;
        pv_r <= sf_fin ? rc_r : sf_r; pv_kk <= sf_fin ? rc_k : sf_kk;
        sf_v <= qk_v; sf_busy <= qk_v; sf_rcp <= 1'b0; sf_j0 <= 0;
        sf_h <= qk_h; sf_g <= qk_g; sf_n <= qk_n; sf_os <= qk_os; sf_par <= qk_par; sf_lh <= qk_lh; sf_lt <= qk_lt;
        sf_mx <= qk_fin ? mx_next : qk_mx;
        qk_v <= qk_load; qk_busy <= qk_load; qk_j0 <= 0; qk_d0 <= 0;
        if (qk_load) begin
          qk_par <= nqs_par; nqs_par <= !nqs_par;
          qk_lh <= next_head ? qk_h + 1 == H - 1 : H == 1;
          if (next_head) begin
            qk_h <= qk_h + 1;
            if (qk_gi + 1 == GROUP) begin qk_gi <= 0; qk_g <= qk_g + 1; end else qk_gi <= qk_gi + 1;
          end else begin
            // A new token: head 0.
            qk_h <= 0; qk_g <= 0; qk_gi <= 0; qk_n <= need; qk_qs <= nqs; qk_os <= ws; qk_lt <= started == T - 1;
            started <= started + 1; ws <= ws + 2'd1; nqs <= nqs + 1 == QSLOTS ? 0 : nqs + 1;
          end
        end
      end
      if (pass_end) begin started <= 0; nqs <= 0; end
    end
  end

  // ---- output: the finished rows' beats, in order
  reg [1:0] os;   // row being sent
  integer ob;     // its next beat
  localparam integer OB = (OW + LANES - 1) / LANES;
  wire load = ofull[os] && (!out_valid || out_ready);
  wire ob_last = ob == OB - 1;
  wire [LANES*Y_BITS-1:0] obeat;
  generate
    for (gk = 0; gk < LANES; gk = gk + 1) begin : olane
      assign obeat[gk*Y_BITS +: Y_BITS] = ob * LANES + gk < OW ? obuf[oad(os * OW + ob * LANES + gk)] : {Y_BITS{1'b0}};
    end
  endgenerate
  reg [OSLOTS-1:0] oset, oclr, ouse, ofree;
  always @* begin
    oset = {OSLOTS{1'b0}}; oclr = {OSLOTS{1'b0}}; ouse = {OSLOTS{1'b0}}; ofree = {OSLOTS{1'b0}};
    if (tok_done) begin oset[pv_os] = 1'b1; ofree[pv_os] = 1'b1; end
    if (load && ob_last) oclr[os] = 1'b1;
    if (adv && qk_load && !next_head) ouse[ws] = 1'b1;
  end
  always @(posedge clk) begin
    if (!rst_n) begin
      out_valid <= 1'b0; out_data <= {(LANES*Y_BITS){1'b0}}; os <= 2'd0; ob <= 0;
      ofull <= {OSLOTS{1'b0}}; oinuse <= {OSLOTS{1'b0}};
    end else begin
      if (load) begin
        out_valid <= 1'b1; out_data <= obeat;
        if (ob_last) begin ob <= 0; os <= os + 2'd1; end else ob <= ob + 1;
      end else if (out_ready) out_valid <= 1'b0;
      // A row is in use from its token's start to its end, then full until its last beat leaves.
      ofull <= (ofull & ~oclr) | oset;
      oinuse <= (oinuse & ~ofree) | ouse;
    end
  end
endmodule
`default_nettype wire
