/* nuri run: generate from a text prompt or from token ids. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "gen_flags.h"
#include "base/file.h"
#include "nuri/generate.h"

/* Signal handlers can only talk through a global; it is the one piece of mutable
 * process state the CLI keeps, and only the handler writes it. */
static volatile sig_atomic_t interrupted = 0;
static void on_sigint(int sig) {
    (void)sig;
    interrupted = 1;
    signal(SIGINT, SIG_DFL); /* a second Ctrl-C ends the process */
}

static void usage(FILE *out) {
    fprintf(out,
            "usage: nuri run [-m MODEL] (-p TEXT | -f FILE | --tokens IDS) [options]\n\n"
            "Generates a continuation. Text prompts are tokenized with the model's tokenizer\n"
            "(BOS added as the model asks, special-token text such as <|im_start|> parsed) and\n"
            "the text is printed as it is generated; with --tokens the generated ids are printed.\n\n"
            "  -m, --model FILE     GGUF model (default: $NURI_MODEL, else the bundled model)\n"
            "  -p, --prompt TEXT    prompt text (UTF-8)\n"
            "  -f, --file FILE      read the prompt from a file\n"
            "  --tokens IDS         prompt as comma-separated token ids (used as given)\n"
            "  --print-ids          print generated token ids instead of text\n"
            "  --no-special         treat special-token text in the prompt as plain text\n"
            "%s"
            "\nStatistics (tokens, tokens/s) go to stderr. Ctrl-C stops the generation.\n",
            GEN_FLAGS_HELP);
}

typedef struct {
    bool ids;
    int count;
} print_state;

static bool print_token(void *user, int32_t id, const char *text, size_t len) {
    print_state *ps = user;
    if (ps->ids) {
        if (id >= 0) printf("%s%d", ps->count++ ? "," : "", id);
    } else {
        fwrite(text, 1, len, stdout);
    }
    fflush(stdout);
    return true;
}

int cmd_run(int argc, char **argv) {
    gen_flags f;
    gen_flags_init(&f);
    const char *prompt = NULL, *file = NULL, *tokens_arg = NULL;
    bool print_ids = false, parse_special = true;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int used = gen_flags_parse(&f, "run", argc, argv, &i);
        if (used < 0) return 2;
        if (used) continue;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "-p") || !strcmp(a, "--prompt")) {
            if (!(prompt = cli_value("run", argc, argv, &i))) return 2;
        } else if (!strcmp(a, "-f") || !strcmp(a, "--file")) {
            if (!(file = cli_value("run", argc, argv, &i))) return 2;
        } else if (!strcmp(a, "--tokens")) {
            if (!(tokens_arg = cli_value("run", argc, argv, &i))) return 2;
        } else if (!strcmp(a, "--print-ids")) {
            print_ids = true;
        } else if (!strcmp(a, "--no-special")) {
            parse_special = false;
        } else {
            cli_error("run", "unknown argument '%s' (see nuri run --help)", a);
            return 2;
        }
    }
    if (!!prompt + !!file + !!tokens_arg != 1) {
        cli_error("run", "give exactly one of -p TEXT, -f FILE or --tokens IDS (see nuri run --help)");
        return 2;
    }
    gen_session s;
    if (gen_session_open(&s, &f, "run", tokens_arg == NULL)) return 1;
    int rc = 1;
    int32_t *ids = NULL;
    size_t n = 0;
    char *text = NULL;
    if (tokens_arg) {
        if (!cli_ids("run", "--tokens", tokens_arg, &ids, &n)) {
            rc = 2;
            goto done;
        }
        print_ids = true;
    } else {
        size_t len;
        if (file) {
            nuri_error err;
            if (nuri_read_file(file, &text, &len, &err)) {
                cli_error("run", "%s", err.msg);
                goto done;
            }
        } else {
            len = strlen(prompt);
        }
        const char *src = text ? text : prompt;
        if (gen_tokenize(&s, "run", file ? file : "-p", src, len, true, parse_special, &ids, &n)) goto done;
    }
    print_state ps = {print_ids, 0};
    nuri_gen_params gp = gen_flags_params(&f);
    gp.on_token = print_token;
    gp.user = &ps;
    gp.cancel = &interrupted;
    signal(SIGINT, on_sigint);
    nuri_gen_result res;
    nuri_error err;
    if (nuri_generate(s.ctx, s.tok, ids, n, &gp, &res, &err)) {
        putchar('\n');
        cli_error("run", "%s", err.msg);
        goto done;
    }
    putchar('\n');
    gen_print_stats(&res);
    rc = 0;
done:
    free(ids);
    free(text);
    gen_session_close(&s);
    return rc;
}
