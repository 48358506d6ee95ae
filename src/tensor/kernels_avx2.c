/* The AVX2 (+FMA, F16C) kernel table. Compiled with -mavx2 -mfma -mf16c -mbmi2;
 * 16 vector registers, so tiles are 2 rows by 4 tokens. */
#if defined(__x86_64__) || defined(__i386__)
#define TILE_R 2
#define TILE_T 4
#define X86_TABLE_NAME nuri_kernels_avx2_table
#define X86_TABLE_ISA NURI_ISA_AVX2
#include "tensor/x86_table.h"
#endif
