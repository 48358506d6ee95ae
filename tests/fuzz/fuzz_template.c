/* Fuzz target for chat templates: parsing and rendering must end in a value or an
 * error, never a crash, a leak or a hang, whatever the template and the messages.
 *
 * Input: TEMPLATE \0 JSON renders TEMPLATE for JSON (messages or {"messages": ...});
 * without a \0 the whole input is the template, rendered for a fixed conversation;
 * \x01 K JSON renders built-in template number K for JSON. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nuri/template.h"

static void render(const char *tmpl, size_t tlen, const char *msgs, size_t mlen) {
    nuri_error err;
    nuri_template *t;
    if (nuri_template_parse(tmpl, tlen, &t, &err) != NURI_OK) return;
    for (int gen = 0; gen < 2; gen++) {
        nuri_template_opts o = {.bos_token = "<s>", .eos_token = "</s>", .add_generation_prompt = gen};
        char *out = NULL;
        size_t len = 0;
        if (nuri_template_apply_json(t, msgs, mlen, &o, &out, &len, &err) == NURI_OK) {
            if (out[len] != 0) abort(); /* the result is NUL-terminated */
        } else if (out != NULL || err.msg[0] == 0) {
            abort(); /* an error leaves no output and says something */
        }
        free(out);
    }
    nuri_template_free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const char fixed[] = "{\"messages\": [{\"role\": \"system\", \"content\": \"시스템\"}, "
                                "{\"role\": \"user\", \"content\": \"안녕 <b>&\"}, "
                                "{\"role\": \"assistant\", \"content\": \"<think>x</think>네\", \"tool_calls\": "
                                "[{\"function\": {\"name\": \"f\", \"arguments\": {\"a\": 1.5}}}]}, "
                                "{\"role\": \"tool\", \"content\": {\"k\": [1, null]}}], \"tools\": []}";
    const char *p = (const char *)data;
    if (size >= 2 && data[0] == 1) {
        const char *b = nuri_template_builtin(nuri_template_builtin_name(data[1] % nuri_template_builtin_count()));
        render(b, strlen(b), p + 2, size - 2);
        return 0;
    }
    const char *nul = memchr(p, 0, size);
    if (nul)
        render(p, (size_t)(nul - p), nul + 1, size - (size_t)(nul - p) - 1);
    else
        render(p, size, fixed, sizeof fixed - 1);
    return 0;
}
