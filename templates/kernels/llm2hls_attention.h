// llm2hls kernel: llm.Attention (multi-head, grouped-query) with a KV cache
// in external memory and the softmax inside.
//
// The cache of each of CFG::kv_heads heads holds CFG::cache_len = P + S
// rows: the P past rows (written by the host before the run) followed by
// the S new keys/values this call appends. Query head h reads kv head
// h / (heads / kv_heads). With CFG::causal, key j is visible to query i iff
// j <= i + (cache_len - tokens). Rows of q, k and v are read token by token
// (interleaved), so producers of the three streams are never starved; causal
// self-attention answers each query as soon as its token has arrived.
//   CFG::tokens (T), CFG::new_keys (S), CFG::past (P), CFG::cache_len,
//   CFG::heads, CFG::kv_heads, CFG::head_dim, CFG::v_head_dim, CFG::causal, CFG::scale, CFG::lanes
//   types CFG::in_t, CFG::kv_t, CFG::acc_t, CFG::out_t
#ifndef LLM2HLS_ATTENTION_H
#define LLM2HLS_ATTENTION_H
#include "llm2hls_types.h"
#include "llm2hls_stream_ops.h"

namespace llm2hls {

/** Output row of query i (row `qrow` of H * head_dim values) over cache rows 0..last. */
template <class CFG>
void attention_query(int i, const typename CFG::in_t *qrow, const typename CFG::kv_t *k_cache, const typename CFG::kv_t *v_cache,
                     typename CFG::out_t *orow) {
  typedef typename CFG::acc_t T;
  const int L = CFG::cache_len, H = CFG::heads, HK = CFG::kv_heads, HD = CFG::head_dim, HDV = CFG::v_head_dim;
  const int group = H / HK, offset = L - CFG::tokens;
  T p[CFG::cache_len];
  T acc[CFG::v_head_dim];
  for (int h = 0; h < H; h++) {
    const int g = h / group;
    int last = CFG::causal ? i + offset : L - 1;
    if (last > L - 1) last = L - 1;
    T mx = 0;
    for (int j = 0; j <= last; j++) {
      T dot = 0;
      for (int d = 0; d < HD; d++) {
        LLM2HLS_PIPELINE_LOOP(1)
        dot += static_cast<T>(qrow[h * HD + d]) * static_cast<T>(k_cache[(g * L + j) * HD + d]);
      }
      p[j] = dot * static_cast<T>(CFG::scale);
      if (j == 0 || p[j] > mx) mx = p[j];
    }
    T sum = 0;
    for (int j = 0; j <= last; j++) {
      LLM2HLS_PIPELINE_LOOP(1)
      p[j] = math::exp(p[j] - mx);
      sum += p[j];
    }
    for (int d = 0; d < HDV; d++) acc[d] = 0;
    for (int j = 0; j <= last; j++)
      for (int d = 0; d < HDV; d++) {
        LLM2HLS_PIPELINE_LOOP(1)
        acc[d] += p[j] * static_cast<T>(v_cache[(g * L + j) * HDV + d]);
      }
    // A query with no visible key (only when T > P + S) outputs zeros.
    for (int d = 0; d < HDV; d++) {
      LLM2HLS_PIPELINE_LOOP(1)
      orow[h * HDV + d] = static_cast<typename CFG::out_t>(last < 0 ? T(0) : acc[d] / sum);
    }
  }
}

/** Appends token t's keys and values to the cache (rows P + t). */
template <class CFG>
void attention_append(int t, stream<vec<typename CFG::in_t, CFG::lanes> > &k, stream<vec<typename CFG::in_t, CFG::lanes> > &v,
                      typename CFG::kv_t *k_cache, typename CFG::kv_t *v_cache) {
  append_row<CFG::kv_heads, CFG::head_dim, CFG::lanes>(k, k_cache, CFG::cache_len, CFG::past + t);
  append_row<CFG::kv_heads, CFG::v_head_dim, CFG::lanes>(v, v_cache, CFG::cache_len, CFG::past + t);
}

/**
 * Causal self-attention (S = T) streams: token t's output leaves once its own
 * key, value and query have arrived (keys 0 .. P + t are then in the cache).
 * Otherwise (bidirectional) every key is needed first: all rows are read,
 * then every query is answered. q, k, v and the output move CFG::lanes
 * elements a beat (UK, the planner's reduction lanes); the scores and sums
 * inside still take one element a cycle.
 */
template <class CFG>
void attention(stream<vec<typename CFG::in_t, CFG::lanes> > &q, stream<vec<typename CFG::in_t, CFG::lanes> > &k,
               stream<vec<typename CFG::in_t, CFG::lanes> > &v, typename CFG::kv_t *k_cache, typename CFG::kv_t *v_cache,
               stream<vec<typename CFG::out_t, CFG::lanes> > &out) {
  const int T_ = CFG::tokens, S = CFG::new_keys, QW = CFG::heads * CFG::head_dim;
  const int ROWS = T_ > S ? T_ : S;
  static typename CFG::in_t qbuf[CFG::tokens * CFG::heads * CFG::head_dim];
  typename CFG::out_t orow[CFG::heads * CFG::v_head_dim];
  if (CFG::causal && S == T_) {
    for (int t = 0; t < T_; t++) {
      attention_append<CFG>(t, k, v, k_cache, v_cache);
      read_row<CFG::heads * CFG::head_dim, CFG::lanes>(q, qbuf);
      attention_query<CFG>(t, qbuf, k_cache, v_cache, orow);
      write_row<CFG::heads * CFG::v_head_dim, CFG::lanes>(orow, out);
    }
    return;
  }
  for (int t = 0; t < ROWS; t++) {
    if (t < S) attention_append<CFG>(t, k, v, k_cache, v_cache);
    if (t < T_) read_row<CFG::heads * CFG::head_dim, CFG::lanes>(q, qbuf + t * QW);
  }
  for (int i = 0; i < T_; i++) {
    attention_query<CFG>(i, qbuf + i * QW, k_cache, v_cache, orow);
    write_row<CFG::heads * CFG::v_head_dim, CFG::lanes>(orow, out);
  }
}

}  // namespace llm2hls
#endif
