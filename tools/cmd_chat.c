/* nuri chat: an interactive multi-turn conversation with the model's chat template.
 * Each turn renders the whole conversation, keeps the KV cache for the prefix it shares
 * with the previous turn, and streams the reply. Ctrl-C stops the current answer,
 * Ctrl-D (end of input) leaves. */
#include <cjson/cJSON.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "gen_flags.h"
#include "nuri/template.h"

/* The signal handler's only channel; reset before every answer. */
static volatile sig_atomic_t stop_answer = 0;
static void on_sigint(int sig) {
    (void)sig;
    stop_answer = 1;
}

static void usage(FILE *out) {
    fprintf(out,
            "usage: nuri chat [-m MODEL] [--system TEXT] [--chat-template NAME] [options]\n\n"
            "Reads one user message per line from standard input (UTF-8, Korean welcome),\n"
            "answers with the model's chat template (tokenizer.chat_template) and streams the\n"
            "reply. Ctrl-C stops the current answer; Ctrl-D leaves.\n\n"
            "  -m, --model FILE      GGUF model (default: $NURI_MODEL, else the bundled model)\n"
            "  --system TEXT         a system message first\n"
            "  --chat-template NAME  use a built-in template instead of the model's (nuri\n"
            "                        template --list shows the names)\n"
            "%s"
            "(in chat, -n defaults to 512)\n",
            GEN_FLAGS_HELP);
}

typedef struct {
    char *text;
    size_t len, cap;
    int32_t *ids;
    int n_ids, cap_ids;
} reply;

static bool on_token(void *user, int32_t id, const char *text, size_t len) {
    reply *r = user;
    fwrite(text, 1, len, stdout);
    fflush(stdout);
    if (r->len + len + 1 > r->cap) {
        size_t cap = (r->len + len + 1) * 2;
        char *t = realloc(r->text, cap);
        if (!t) return false;
        r->text = t;
        r->cap = cap;
    }
    memcpy(r->text + r->len, text, len);
    r->len += len;
    r->text[r->len] = 0;
    if (id >= 0) {
        if (r->n_ids == r->cap_ids) {
            int cap = r->cap_ids ? r->cap_ids * 2 : 256;
            int32_t *n = realloc(r->ids, sizeof(int32_t) * (size_t)cap);
            if (!n) return false;
            r->ids = n;
            r->cap_ids = cap;
        }
        r->ids[r->n_ids++] = id;
    }
    return true;
}

static cJSON *message(const char *role, const char *content) {
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "role", role);
    cJSON_AddStringToObject(m, "content", content);
    return m;
}

static char *token_text(const nuri_tokenizer *tok, int32_t id) {
    size_t len = 0;
    const char *t = id >= 0 ? nuri_token_text(tok, id, &len) : NULL;
    char *s = malloc(len + 1);
    if (s) {
        if (len) memcpy(s, t, len);
        s[len] = 0;
    }
    return s;
}

int cmd_chat(int argc, char **argv) {
    gen_flags f;
    gen_flags_init(&f);
    f.n_predict = 512;
    const char *system_msg = NULL, *tmpl_name = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int used = gen_flags_parse(&f, "chat", argc, argv, &i);
        if (used < 0) return 2;
        if (used) continue;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--system")) {
            if (!(system_msg = cli_value("chat", argc, argv, &i))) return 2;
        } else if (!strcmp(a, "--chat-template")) {
            if (!(tmpl_name = cli_value("chat", argc, argv, &i))) return 2;
        } else {
            cli_error("chat", "unknown argument '%s' (see nuri chat --help)", a);
            return 2;
        }
    }
    if (system_msg && !nuri_utf8_valid(system_msg, strlen(system_msg), NULL)) {
        cli_error("chat", "--system: invalid UTF-8");
        return 2;
    }
    gen_session s;
    if (gen_session_open(&s, &f, "chat", true)) return 1;
    int rc = 1;
    nuri_template *tmpl = NULL;
    cJSON *msgs = cJSON_CreateArray();
    char *bos = token_text(s.tok, nuri_token_bos(s.tok)), *eos = token_text(s.tok, nuri_token_eos(s.tok));
    int32_t *seq = NULL; /* the token sequence whose first n_past entries are in the cache */
    size_t seq_len = 0;
    char *line = NULL;
    size_t line_cap = 0;
    nuri_error err;
    {
        const char *src = NULL;
        size_t src_len = 0;
        nuri_str from_model;
        if (tmpl_name) {
            if (!(src = nuri_template_builtin(tmpl_name))) {
                cli_error("chat", "--chat-template: unknown template '%s'", tmpl_name);
                goto done;
            }
            src_len = strlen(src);
        } else if (nuri_gguf_get_str(nuri_model_gguf(s.model), "tokenizer.chat_template", &from_model, NULL) == NURI_OK) {
            src = from_model.ptr;
            src_len = from_model.len;
        } else {
            cli_error("chat", "%s: the model has no chat template; pass --chat-template NAME", s.path);
            goto done;
        }
        if (nuri_template_parse(src, src_len, &tmpl, &err)) {
            cli_error("chat", "chat template: %s", err.msg);
            goto done;
        }
    }
    if (system_msg) cJSON_AddItemToArray(msgs, message("system", system_msg));
    const bool interactive = isatty(STDIN_FILENO);
    signal(SIGINT, on_sigint);
    for (;;) {
        if (interactive) {
            fputs("> ", stdout);
            fflush(stdout);
        }
        ssize_t n = getline(&line, &line_cap, stdin);
        if (n < 0) break; /* Ctrl-D */
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
        if (n == 0) continue;
        size_t bad;
        if (!nuri_utf8_valid(line, (size_t)n, &bad)) {
            cli_error("chat", "input: invalid UTF-8 at byte %zu; message ignored", bad);
            continue;
        }
        cJSON_AddItemToArray(msgs, message("user", line));
        nuri_template_opts o = {bos, eos, true, NULL};
        char *prompt = NULL;
        size_t plen = 0;
        if (nuri_template_apply(tmpl, msgs, &o, &prompt, &plen, &err)) {
            cli_error("chat", "chat template: %s", err.msg);
            cJSON_DeleteItemFromArray(msgs, cJSON_GetArraySize(msgs) - 1);
            continue;
        }
        /* The template usually writes BOS itself; add it only when it does not. */
        bool add_bos = bos[0] == 0 || strncmp(prompt, bos, strlen(bos)) != 0;
        int32_t *ids = NULL;
        size_t n_ids = 0;
        if (nuri_tokenize(s.tok, prompt, plen, add_bos, true, &ids, &n_ids, &err)) {
            cli_error("chat", "%s", err.msg);
            free(prompt);
            goto done;
        }
        free(prompt);
        if ((long long)n_ids + f.n_predict > nuri_ctx_n_ctx(s.ctx)) {
            cli_error("chat", "the conversation (%zu tokens) no longer fits the context of %d; start a new chat or raise -c",
                      n_ids, nuri_ctx_n_ctx(s.ctx));
            free(ids);
            cJSON_DeleteItemFromArray(msgs, cJSON_GetArraySize(msgs) - 1);
            continue;
        }
        /* Reuse the cached prefix; at least one token must be decoded for logits. */
        size_t keep = 0, past = (size_t)nuri_ctx_n_past(s.ctx);
        while (keep < past && keep < seq_len && keep < n_ids && seq[keep] == ids[keep]) keep++;
        if (keep == n_ids) keep--;
        nuri_ctx_truncate(s.ctx, (int)keep);
        reply r = {0};
        nuri_gen_params gp = gen_flags_params(&f);
        gp.on_token = on_token;
        gp.user = &r;
        stop_answer = 0;
        gp.cancel = &stop_answer;
        nuri_gen_result res;
        nuri_status st = nuri_generate(s.ctx, s.tok, ids + keep, n_ids - keep, &gp, &res, &err);
        putchar('\n');
        if (st) {
            cli_error("chat", "%s", err.msg);
            free(ids);
            free(r.text);
            free(r.ids);
            goto done;
        }
        if (stop_answer) fprintf(stderr, "[stopped]\n");
        /* The cache now holds ids plus all generated tokens but the last. */
        free(seq);
        seq_len = n_ids + (size_t)r.n_ids;
        seq = malloc(sizeof(int32_t) * (seq_len ? seq_len : 1));
        if (seq) {
            memcpy(seq, ids, n_ids * sizeof(int32_t));
            if (r.n_ids) memcpy(seq + n_ids, r.ids, (size_t)r.n_ids * sizeof(int32_t));
        } else {
            seq_len = 0;
        }
        free(ids);
        cJSON_AddItemToArray(msgs, message("assistant", r.text ? r.text : ""));
        free(r.text);
        free(r.ids);
    }
    rc = 0;
done:
    free(line);
    free(seq);
    free(bos);
    free(eos);
    cJSON_Delete(msgs);
    nuri_template_free(tmpl);
    gen_session_close(&s);
    return rc;
}
