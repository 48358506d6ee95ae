/* nuri: element types of tensors, with the ids and block layouts GGUF files use. */
#ifndef NURI_TYPES_H
#define NURI_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Ids are the GGUF (ggml) type ids, so a file's type field maps directly. */
typedef enum {
    NURI_TYPE_F32 = 0,
    NURI_TYPE_F16 = 1,
    NURI_TYPE_Q4_0 = 2,
    NURI_TYPE_Q4_1 = 3,
    NURI_TYPE_Q5_0 = 6,
    NURI_TYPE_Q5_1 = 7,
    NURI_TYPE_Q8_0 = 8,
    NURI_TYPE_Q8_1 = 9,
    NURI_TYPE_Q2_K = 10,
    NURI_TYPE_Q3_K = 11,
    NURI_TYPE_Q4_K = 12,
    NURI_TYPE_Q5_K = 13,
    NURI_TYPE_Q6_K = 14,
    NURI_TYPE_Q8_K = 15,
    NURI_TYPE_IQ2_XXS = 16,
    NURI_TYPE_IQ2_XS = 17,
    NURI_TYPE_IQ3_XXS = 18,
    NURI_TYPE_IQ1_S = 19,
    NURI_TYPE_IQ4_NL = 20,
    NURI_TYPE_IQ3_S = 21,
    NURI_TYPE_IQ2_S = 22,
    NURI_TYPE_IQ4_XS = 23,
    NURI_TYPE_I8 = 24,
    NURI_TYPE_I16 = 25,
    NURI_TYPE_I32 = 26,
    NURI_TYPE_I64 = 27,
    NURI_TYPE_F64 = 28,
    NURI_TYPE_IQ1_M = 29,
    NURI_TYPE_BF16 = 30,
    NURI_TYPE_TQ1_0 = 34,
    NURI_TYPE_TQ2_0 = 35,
    NURI_TYPE_MXFP4 = 39,
    NURI_TYPE_COUNT = 40
} nuri_type;

typedef struct {
    const char *name;      /* "Q4_K", as GGUF tools print it */
    int64_t block_size;    /* elements per block (1 for plain types) */
    size_t type_size;      /* bytes per block */
    bool compute;          /* nuri can dequantize it and multiply with it */
    nuri_type vec_dot_type; /* activations are converted to this type for dot products */
} nuri_type_info;

/* NULL for an id that is not a known GGUF type. */
const nuri_type_info *nuri_type_get(uint32_t type);

/* Bytes that n elements of type occupy; 0 if n is not a multiple of the block size,
 * the type is unknown or the size does not fit size_t. */
size_t nuri_type_row_size(nuri_type type, int64_t n);

#ifdef __cplusplus
}
#endif
#endif
