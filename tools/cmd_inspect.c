/* nuri inspect MODEL: what a GGUF file holds, without computing anything. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "nuri/gguf.h"

static void usage(FILE *out) {
    fprintf(out,
            "usage: nuri inspect MODEL.gguf [--all]\n\n"
            "Prints the GGUF version, every metadata key (long arrays shortened unless --all),\n"
            "the architecture, each tensor with its type and shape (fastest dimension first),\n"
            "the parameter count and the bytes used by each weight type.\n");
}

static void print_str(nuri_str s, size_t max) {
    putchar('"');
    for (uint64_t i = 0; i < s.len && i < max; i++) {
        unsigned char c = (unsigned char)s.ptr[i];
        if (c == '"' || c == '\\') printf("\\%c", c);
        else if (c == '\n') printf("\\n");
        else if (c < 0x20 || c == 0x7f) printf("\\x%02x", c);
        else putchar(c);
    }
    if (s.len > max) printf("...(%" PRIu64 " bytes)", s.len);
    putchar('"');
}

static void print_scalar(const nuri_gguf_kv *kv) {
    switch (kv->type) {
    case NURI_GGUF_STRING: print_str(kv->v.s, 200); break;
    case NURI_GGUF_BOOL: printf("%s", kv->v.u ? "true" : "false"); break;
    case NURI_GGUF_FLOAT32: case NURI_GGUF_FLOAT64: printf("%g", kv->v.f); break;
    case NURI_GGUF_INT8: case NURI_GGUF_INT16: case NURI_GGUF_INT32: case NURI_GGUF_INT64:
        printf("%" PRId64, kv->v.i); break;
    default: printf("%" PRIu64, kv->v.u); break;
    }
}

static void print_array(const nuri_gguf_kv *kv, bool all) {
    uint64_t show = all ? kv->arr_len : (kv->arr_len < 8 ? kv->arr_len : 8);
    printf("[%s x %" PRIu64 "] [", nuri_gguf_vtype_name(kv->arr_type), kv->arr_len);
    for (uint64_t i = 0; i < show; i++) {
        if (i) printf(", ");
        if (kv->arr_type == NURI_GGUF_STRING) print_str(kv->strs[i], 80);
        else if (kv->arr_type == NURI_GGUF_FLOAT32 || kv->arr_type == NURI_GGUF_FLOAT64)
            printf("%g", nuri_gguf_arr_float(kv, i));
        else if (kv->arr_type == NURI_GGUF_UINT64) {
            uint64_t u;
            memcpy(&u, (const char *)kv->arr_data + 8 * i, 8);
            printf("%" PRIu64, u);
        } else printf("%" PRId64, nuri_gguf_arr_int(kv, i));
    }
    if (show < kv->arr_len) printf(", ...");
    printf("]");
}

int cmd_inspect(int argc, char **argv) {
    const char *path = NULL;
    bool all = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--all")) {
            all = true;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            cli_error("inspect", "unknown flag '%s' (see nuri inspect --help)", argv[i]);
            return 2;
        } else if (!path) {
            path = argv[i];
        } else {
            cli_error("inspect", "only one MODEL may be given");
            return 2;
        }
    }
    if (!path) {
        usage(stderr);
        return 2;
    }
    nuri_gguf *g;
    nuri_error err;
    if (nuri_gguf_open(path, &g, &err)) {
        cli_error("inspect", "%s", err.msg);
        return 1;
    }
    nuri_str arch = {"(none)", 6};
    nuri_gguf_get_str(g, "general.architecture", &arch, NULL);
    printf("file: %s\nGGUF version: %u\nsize: %" PRIu64 " bytes\nalignment: %" PRIu64 "\n", path,
           nuri_gguf_version(g), nuri_gguf_file_size(g), nuri_gguf_alignment(g));
    printf("architecture: %.*s\n\nmetadata (%" PRIu64 " keys):\n", (int)arch.len, arch.ptr,
           nuri_gguf_kv_count(g));
    for (uint64_t i = 0; i < nuri_gguf_kv_count(g); i++) {
        const nuri_gguf_kv *kv = nuri_gguf_kv_at(g, i);
        printf("  %.*s = ", (int)kv->key.len, kv->key.ptr);
        if (kv->type == NURI_GGUF_ARRAY) print_array(kv, all);
        else print_scalar(kv);
        putchar('\n');
    }
    uint64_t params = 0, bytes_by_type[NURI_TYPE_COUNT] = {0}, count_by_type[NURI_TYPE_COUNT] = {0};
    printf("\ntensors (%" PRIu64 "):\n", nuri_gguf_tensor_count(g));
    for (uint64_t i = 0; i < nuri_gguf_tensor_count(g); i++) {
        const nuri_gguf_tensor *t = nuri_gguf_tensor_at(g, i);
        uint64_t n = 1;
        printf("  %-40.*s %-7s [", (int)t->name.len, t->name.ptr, nuri_type_get(t->type)->name);
        for (uint32_t d = 0; d < t->n_dims; d++) {
            printf(d ? ", %" PRId64 : "%" PRId64, t->ne[d]);
            n *= (uint64_t)t->ne[d];
        }
        printf("]\n");
        params += n;
        bytes_by_type[t->type] += t->nbytes;
        count_by_type[t->type]++;
    }
    printf("\nparameters: %" PRIu64 " (%.2f M)\n", params, params / 1e6);
    printf("bytes per weight type:\n");
    for (int t = 0; t < NURI_TYPE_COUNT; t++)
        if (count_by_type[t])
            printf("  %-7s %5" PRIu64 " tensors %14" PRIu64 " bytes (%.2f MiB)\n", nuri_type_get(t)->name,
                   count_by_type[t], bytes_by_type[t], bytes_by_type[t] / 1048576.0);
    nuri_gguf_close(g);
    return 0;
}
