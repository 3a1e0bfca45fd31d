// llm2hls kernel library: parameterized C++ templates, one per fused
// kernel of the graph IR, compiled with the vendor types of Vitis HLS or
// Bambu, or with llm2hls's host types for g++ C simulation.
#ifndef LLM2HLS_KERNELS_H
#define LLM2HLS_KERNELS_H
#include "llm2hls_types.h"
#include "llm2hls_stream_ops.h"
#include "llm2hls_embedding.h"
#include "llm2hls_linear.h"
#include "llm2hls_norm.h"
#include "llm2hls_activation.h"
#include "llm2hls_add.h"
#include "llm2hls_rope.h"
#include "llm2hls_attention.h"
#include "llm2hls_fixed.h"
#endif
