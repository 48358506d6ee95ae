/* The AVX-512 kernel table: the x86 kernels with VNNI integer dot products and 32
 * vector registers (4 rows by 4 tokens per tile), plus the repacked 8-row by 16-token
 * kernel for batches (x86_gemm512.h). Compiled with -mavx512f/bw/vl/dq/vnni on top of
 * the AVX2 flags. */
#if defined(__x86_64__) || defined(__i386__)
#define TILE_R 4
#define TILE_T 4
#define X86_TABLE_NAME nuri_kernels_avx512_table
#define X86_TABLE_ISA NURI_ISA_AVX512
#include "tensor/x86_gemm512.h"
#define X86_MAT_DOT x86_mat_dot_512
#include "tensor/x86_table.h"
#endif
