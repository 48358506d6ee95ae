/* nuri template: the prompt a chat template makes of a conversation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/file.h"
#include "cli.h"
#include "commands.h"
#include "nuri/gguf.h"
#include "nuri/template.h"

static void usage(FILE *out) {
    fprintf(out,
            "usage: nuri template (-m MODEL | --template FILE | --chat-template NAME) --messages FILE [options]\n\n"
            "Prints the prompt a chat template makes of a conversation, as the reference renders it\n"
            "(Jinja2 with trim_blocks and lstrip_blocks), with no newline added.\n\n"
            "  -m, --model FILE        GGUF file: its tokenizer.chat_template and the text of its BOS\n"
            "                          and EOS tokens (vocab-only files are enough)\n"
            "  --template FILE         a Jinja chat template file instead of the model's\n"
            "  --chat-template NAME    a built-in template instead of the model's: ");
    for (size_t i = 0; i < nuri_template_builtin_count(); i++)
        fprintf(out, "%s%s", i ? ", " : "", nuri_template_builtin_name(i));
    fprintf(out,
            "\n"
            "  --messages FILE         JSON: an array of messages ({\"role\": ..., \"content\": ...}), or an\n"
            "                          object with \"messages\" and more template variables (\"tools\",\n"
            "                          \"enable_thinking\", ...); - reads standard input\n"
            "  --bos TEXT, --eos TEXT  the BOS / EOS token text (default: the model's, else empty)\n"
            "  --no-generation-prompt  end after the last message (add_generation_prompt=false);\n"
            "                          by default the prompt ends with the assistant's turn opening\n"
            "  --print-template        print the template source instead of rendering it\n"
            "  --list-templates        print the built-in template names, one a line\n"
            "  -h, --help              this help\n\n"
            "The messages and the template must be valid UTF-8. docs/templates.md lists the Jinja\n"
            "subset nuri implements; a template that needs more fails naming its line.\n");
}

/* err.msg on one line: a template's own message may hold newlines. */
static void fail_msg(const char *msg) {
    char line[sizeof((nuri_error *)0)->msg];
    size_t i = 0;
    for (; msg[i] && i + 1 < sizeof line; i++) line[i] = (msg[i] == '\n' || msg[i] == '\r') ? ' ' : msg[i];
    line[i] = 0;
    cli_error("template", "%s", line);
}

static char *str_dup(nuri_str s) {
    char *p = malloc(s.len + 1);
    if (p) {
        memcpy(p, s.ptr, s.len);
        p[s.len] = 0;
    }
    return p;
}

/* The text of the token whose id is stored under key, or NULL when there is none. */
static char *token_text(const nuri_gguf *g, const char *key) {
    uint32_t id;
    const nuri_gguf_kv *toks;
    if (nuri_gguf_get_u32(g, key, &id, NULL) != NURI_OK) return NULL;
    if (nuri_gguf_get_arr(g, "tokenizer.ggml.tokens", NURI_GGUF_STRING, &toks, NULL) != NURI_OK) return NULL;
    if (id >= toks->arr_len) return NULL;
    return str_dup(toks->strs[id]);
}

int cmd_template(int argc, char **argv) {
    const char *model = NULL, *tmpl_file = NULL, *builtin = NULL, *msgs_file = NULL, *bos_arg = NULL, *eos_arg = NULL;
    bool gen = true, print_template = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--list-templates")) {
            for (size_t k = 0; k < nuri_template_builtin_count(); k++) printf("%s\n", nuri_template_builtin_name(k));
            return 0;
        } else if (!strcmp(a, "-m") || !strcmp(a, "--model")) {
            if (!(model = cli_value("template", argc, argv, &i))) return 2;
        } else if (!strcmp(a, "--template")) {
            if (!(tmpl_file = cli_value("template", argc, argv, &i))) return 2;
        } else if (!strcmp(a, "--chat-template")) {
            if (!(builtin = cli_value("template", argc, argv, &i))) return 2;
        } else if (!strcmp(a, "--messages")) {
            if (!(msgs_file = cli_value("template", argc, argv, &i))) return 2;
        } else if (!strcmp(a, "--bos")) {
            if (!(bos_arg = cli_value("template", argc, argv, &i))) return 2;
        } else if (!strcmp(a, "--eos")) {
            if (!(eos_arg = cli_value("template", argc, argv, &i))) return 2;
        } else if (!strcmp(a, "--no-generation-prompt")) {
            gen = false;
        } else if (!strcmp(a, "--print-template")) {
            print_template = true;
        } else {
            cli_error("template", "unknown argument '%s' (nuri template --help lists the flags)", a);
            return 2;
        }
    }
    if (tmpl_file && builtin) {
        cli_error("template", "--template and --chat-template exclude each other");
        return 2;
    }
    if (!model && !tmpl_file && !builtin) {
        cli_error("template", "no template: give -m MODEL, --template FILE or --chat-template NAME");
        return 2;
    }
    if (!msgs_file && !print_template) {
        cli_error("template", "--messages FILE is required");
        return 2;
    }

    int rc = 1;
    nuri_error err = {0};
    nuri_gguf *g = NULL;
    nuri_template *t = NULL;
    char *src = NULL, *bos = NULL, *eos = NULL, *msgs = NULL, *out = NULL;
    size_t src_len = 0, msgs_len = 0, out_len = 0;

    if (builtin) {
        const char *b = nuri_template_builtin(builtin);
        if (!b) {
            cli_error("template", "--chat-template: unknown template '%s' (nuri template --list-templates)", builtin);
            return 2;
        }
        src_len = strlen(b);
        if (!(src = malloc(src_len + 1))) goto oom;
        memcpy(src, b, src_len + 1);
    } else if (tmpl_file && nuri_read_file(tmpl_file, &src, &src_len, &err) != NURI_OK) {
        fail_msg(err.msg);
        goto done;
    }
    if (model) {
        if (nuri_gguf_open(model, &g, &err) != NURI_OK) {
            fail_msg(err.msg);
            goto done;
        }
        if (!src) {
            nuri_str s;
            if (nuri_gguf_get_str(g, "tokenizer.chat_template", &s, NULL) != NURI_OK) {
                cli_error("template", "%s has no tokenizer.chat_template; pick a built-in one with --chat-template NAME",
                          model);
                goto done;
            }
            if (!(src = str_dup(s))) goto oom;
            src_len = s.len;
        }
        bos = token_text(g, "tokenizer.ggml.bos_token_id");
        eos = token_text(g, "tokenizer.ggml.eos_token_id");
    }
    if (print_template) {
        fwrite(src, 1, src_len, stdout);
        rc = 0;
        goto done;
    }
    if (nuri_template_parse(src, src_len, &t, &err) != NURI_OK) {
        fail_msg(err.msg);
        goto done;
    }
    if (!strcmp(msgs_file, "-")) {
        if (!(msgs = cli_read_stdin(&msgs_len))) {
            cli_error("template", "cannot read the messages from standard input");
            goto done;
        }
    } else if (nuri_read_file(msgs_file, &msgs, &msgs_len, &err) != NURI_OK) {
        fail_msg(err.msg);
        goto done;
    }
    nuri_template_opts o = {.bos_token = bos_arg ? bos_arg : bos, .eos_token = eos_arg ? eos_arg : eos,
                            .add_generation_prompt = gen};
    if (nuri_template_apply_json(t, msgs, msgs_len, &o, &out, &out_len, &err) != NURI_OK) {
        char msg[sizeof err.msg + 64];
        snprintf(msg, sizeof msg, "%s: %s", strcmp(msgs_file, "-") ? msgs_file : "stdin", err.msg);
        fail_msg(msg);
        goto done;
    }
    if (fwrite(out, 1, out_len, stdout) != out_len || fflush(stdout) != 0) {
        cli_error("template", "cannot write the output");
        goto done;
    }
    rc = 0;
    goto done;
oom:
    cli_error("template", "out of memory");
done:
    free(out);
    free(msgs);
    free(src);
    free(bos);
    free(eos);
    nuri_template_free(t);
    nuri_gguf_close(g);
    return rc;
}
