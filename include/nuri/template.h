/* nuri: chat templates.
 *
 * Renders a model's Jinja chat template (tokenizer.chat_template) for a list of
 * OpenAI-style messages, byte for byte as the reference does it: Jinja2's
 * ImmutableSandboxedEnvironment with trim_blocks and lstrip_blocks, the variables
 * messages, bos_token, eos_token, add_generation_prompt and raise_exception, plus any
 * extra ones (tools, enable_thinking, ...). nuri implements the Jinja subset real chat
 * templates use (docs/templates.md); anything else is NURI_ERR_UNSUPPORTED naming the
 * template line, a template syntax error is NURI_ERR_FORMAT, and an error the template
 * raises while rendering (raise_exception, an undefined value used, a type error) is
 * NURI_ERR_INVALID_ARG with its message. */
#ifndef NURI_TEMPLATE_H
#define NURI_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

#include "nuri/base.h"

#ifdef __cplusplus
extern "C" {
#endif

struct cJSON;

typedef struct nuri_template nuri_template;

/* Parses template source (len bytes of UTF-8). Parse once, apply many times. */
nuri_status nuri_template_parse(const char *src, size_t len, nuri_template **out, nuri_error *err);
void nuri_template_free(nuri_template *t);

typedef struct {
    const char *bos_token; /* the BOS token's text; NULL: "" */
    const char *eos_token; /* the EOS token's text; NULL: "" */
    bool add_generation_prompt;
    /* Optional JSON object of extra variables (e.g. "tools", "enable_thinking"); the
     * five variables above win over keys of the same name. */
    const struct cJSON *vars;
} nuri_template_opts;

/* Renders for messages, a cJSON array of message objects. On success *out is a
 * malloc'd NUL-terminated string (free it) and *out_len (if not NULL) its length. */
nuri_status nuri_template_apply(const nuri_template *t, const struct cJSON *messages,
                                const nuri_template_opts *opts, char **out, size_t *out_len,
                                nuri_error *err);

/* Same from JSON text: either an array of messages, or an object holding "messages"
 * and further variables ({"messages": [...], "tools": [...]}), as in an OpenAI request.
 * The text must be valid UTF-8. Numbers keep Python's int/float distinction. */
nuri_status nuri_template_apply_json(const nuri_template *t, const char *json, size_t len,
                                     const nuri_template_opts *opts, char **out, size_t *out_len,
                                     nuri_error *err);

/* Parse and render in one call; messages_json as for nuri_template_apply_json. */
nuri_status nuri_template_render(const char *template_src, const char *messages_json, const char *bos,
                                 const char *eos, bool add_generation_prompt, char **out,
                                 nuri_error *err);

/* Built-in templates by family name ("chatml", "llama3", "gemma3", "exaone3",
 * "exaone-deep", "smollm2", "qwen2.5", "qwen3", "phi3", and a few aliases): the
 * template text, or NULL for an unknown name. */
const char *nuri_template_builtin(const char *name);
/* The canonical built-in names, for listing: i in [0, count). */
size_t nuri_template_builtin_count(void);
const char *nuri_template_builtin_name(size_t i);

#ifdef __cplusplus
}
#endif
#endif
