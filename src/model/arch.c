/* The architectures nuri runs, as data: the forward pass is one function driven by
 * these flags, so adding a family is one row here plus its loader quirks. */
#include <string.h>

#include "model/internal.h"

static const nuri_arch archs[] = {
    /* name      neox   bias   qknorm pre    post   escale act */
    {"llama",   false, false, false, true,  false, false, NURI_ACT_SILU},
    {"qwen2",   true,  true,  false, true,  false, false, NURI_ACT_SILU},
    {"qwen3",   true,  false, true,  true,  false, false, NURI_ACT_SILU},
    {"exaone",  true,  false, false, true,  false, false, NURI_ACT_SILU},
    {"exaone4", true,  false, true,  false, true,  false, NURI_ACT_SILU},
    {"gemma3",  true,  false, true,  true,  true,  true,  NURI_ACT_GELU},
};

const nuri_arch *nuri_arch_find(const char *name, size_t len) {
    for (size_t i = 0; i < sizeof archs / sizeof archs[0]; i++)
        if (strlen(archs[i].name) == len && memcmp(archs[i].name, name, len) == 0) return &archs[i];
    return NULL;
}
