/* nuri tokenize: text to token ids (and back) with a model's tokenizer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/file.h"
#include "cli.h"
#include "commands.h"
#include "nuri/gguf.h"
#include "nuri/tokenizer.h"

static void usage(FILE *out) {
    fprintf(out,
            "usage: nuri tokenize -m MODEL [options] TEXT\n"
            "       nuri tokenize -m MODEL [options] --stdin | --file FILE\n"
            "       nuri tokenize -m MODEL --inp FILE.inp\n"
            "       nuri tokenize -m MODEL --detokenize ID,ID,...\n\n"
            "Prints the token ids of TEXT on one line, separated by spaces.\n\n"
            "  -m, --model FILE     GGUF file whose tokenizer.* metadata to use (vocab-only is enough)\n"
            "  --pieces             one line per token instead: id, a tab, the token's text\n"
            "                       (escaped: \\n \\t \\r \\\\ and \\xNN for other bytes that are not text)\n"
            "  --add-special        add BOS/EOS as the model's metadata asks (default)\n"
            "  --no-add-special     add no special tokens\n"
            "  --parse-special      turn special-token text in the input (<|im_start|>, ...) into\n"
            "                       those tokens\n"
            "  --no-parse-special   tokenize such text as ordinary text (default)\n"
            "  --stdin              read the text from standard input\n"
            "  --file FILE          tokenize the whole file as one text\n"
            "  --count              print only the token count and the speed (tokenizing alone)\n"
            "  --inp FILE.inp       test-vector mode: FILE.inp holds strings, each followed by a\n"
            "                       line __ggml_vocab_test__; prints one line per string, each id\n"
            "                       preceded by a space; no special tokens added or parsed unless\n"
            "                       --add-special/--parse-special are given; the strings need not\n"
            "                       be valid UTF-8\n"
            "  --detokenize IDS     print the text of comma-separated token ids\n"
            "  --special            with --detokenize: render control tokens as their text\n"
            "  -h, --help           this help\n\n"
            "Text input must be valid UTF-8 (except in --inp mode).\n");
}

/* Writes piece bytes readably: valid UTF-8 as it is, the rest escaped. */
static void print_piece(const char *p, size_t n) {
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)p[i];
        if (c == '\n') fputs("\\n", stdout);
        else if (c == '\t') fputs("\\t", stdout);
        else if (c == '\r') fputs("\\r", stdout);
        else if (c == '\\') fputs("\\\\", stdout);
        else if (c < 0x20 || c == 0x7F) printf("\\x%02x", c);
        else if (c < 0x80) putchar(c);
        else {
            size_t bad;
            size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
            if (i + len <= n && nuri_utf8_valid(p + i, len, &bad)) {
                fwrite(p + i, 1, len, stdout);
                i += len;
                continue;
            }
            printf("\\x%02x", c);
        }
        i++;
    }
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int run_inp(const nuri_tokenizer *tok, const char *path, bool add_special, bool parse_special) {
    static const char sep[] = "\n__ggml_vocab_test__\n";
    char *data;
    size_t len;
    nuri_error err;
    if (nuri_read_file(path, &data, &len, &err) != NURI_OK) {
        cli_error("tokenize", "%s", err.msg);
        return 1;
    }
    size_t pos = 0;
    int rc = 0;
    for (;;) {
        const char *hit = NULL;
        for (size_t i = pos; i + sizeof sep - 1 <= len; i++)
            if (memcmp(data + i, sep, sizeof sep - 1) == 0) {
                hit = data + i;
                break;
            }
        if (!hit) break;
        size_t n = (size_t)(hit - data) - pos;
        int32_t *ids;
        size_t n_ids;
        if (nuri_tokenize(tok, data + pos, n, add_special, parse_special, &ids, &n_ids, &err) != NURI_OK) {
            cli_error("tokenize", "%s", err.msg);
            rc = 1;
            break;
        }
        for (size_t i = 0; i < n_ids; i++) printf(" %d", ids[i]);
        putchar('\n');
        free(ids);
        pos = (size_t)(hit - data) + sizeof sep - 1;
    }
    free(data);
    return rc;
}

static int run_detokenize(const nuri_tokenizer *tok, const char *list, bool special) {
    int32_t *ids;
    size_t n;
    if (!cli_ids("tokenize", "--detokenize", list, &ids, &n)) return 2;
    char *text;
    size_t len;
    nuri_error err;
    nuri_status st = nuri_detokenize(tok, ids, n, false, special, &text, &len, &err);
    free(ids);
    if (st != NURI_OK) {
        cli_error("tokenize", "%s", err.msg);
        return 1;
    }
    fwrite(text, 1, len, stdout);
    putchar('\n');
    free(text);
    return 0;
}

int cmd_tokenize(int argc, char **argv) {
    const char *model = NULL, *text = NULL, *file = NULL, *inp = NULL, *detok = NULL;
    bool pieces = false, use_stdin = false, count = false;
    int add_special = -1, parse_special = -1; /* -1: the mode's default */
    bool special = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "-m") || !strcmp(a, "--model")) {
            if (!(model = cli_value("tokenize", argc, argv, &i))) return 2;
        } else if (!strcmp(a, "--file")) {
            if (!(file = cli_value("tokenize", argc, argv, &i))) return 2;
        } else if (!strcmp(a, "--inp")) {
            if (!(inp = cli_value("tokenize", argc, argv, &i))) return 2;
        } else if (!strcmp(a, "--detokenize")) {
            if (!(detok = cli_value("tokenize", argc, argv, &i))) return 2;
        } else if (!strcmp(a, "--pieces")) {
            pieces = true;
        } else if (!strcmp(a, "--add-special")) {
            add_special = true;
        } else if (!strcmp(a, "--no-add-special")) {
            add_special = false;
        } else if (!strcmp(a, "--parse-special")) {
            parse_special = true;
        } else if (!strcmp(a, "--no-parse-special")) {
            parse_special = false;
        } else if (!strcmp(a, "--special")) {
            special = true;
        } else if (!strcmp(a, "--stdin")) {
            use_stdin = true;
        } else if (!strcmp(a, "--count")) {
            count = true;
        } else if (a[0] == '-' && a[1] && strcmp(a, "--")) {
            cli_error("tokenize", "unknown flag '%s' (see nuri tokenize --help)", a);
            return 2;
        } else {
            if (!strcmp(a, "--")) {
                if (++i >= argc) break;
                a = argv[i];
            }
            if (text) {
                cli_error("tokenize", "give the text as one argument (quote it)");
                return 2;
            }
            text = a;
        }
    }
    if (!model) {
        cli_error("tokenize", "-m MODEL is required (see nuri tokenize --help)");
        return 2;
    }
    int sources = (text != NULL) + (file != NULL) + (inp != NULL) + use_stdin + (detok != NULL);
    if (sources != 1) {
        cli_error("tokenize", "give exactly one of TEXT, --stdin, --file, --inp, --detokenize");
        return 2;
    }

    nuri_error err;
    nuri_gguf *g;
    if (nuri_gguf_open(model, &g, &err) != NURI_OK) {
        cli_error("tokenize", "%s", err.msg);
        return 1;
    }
    nuri_tokenizer *tok;
    nuri_status st = nuri_tokenizer_load(g, &tok, &err);
    nuri_gguf_close(g);
    if (st != NURI_OK) {
        cli_error("tokenize", "%s: %s", model, err.msg);
        return 1;
    }
    int rc = 0;
    if (inp) {
        rc = run_inp(tok, inp, add_special == 1, parse_special == 1);
        nuri_tokenizer_free(tok);
        return rc;
    }
    if (detok) {
        rc = run_detokenize(tok, detok, special);
        nuri_tokenizer_free(tok);
        return rc;
    }

    char *owned = NULL;
    size_t len = 0;
    if (file) {
        if (nuri_read_file(file, &owned, &len, &err) != NURI_OK) {
            cli_error("tokenize", "%s", err.msg);
            nuri_tokenizer_free(tok);
            return 1;
        }
        text = owned;
    } else if (use_stdin) {
        owned = cli_read_stdin(&len);
        if (!owned) {
            cli_error("tokenize", "cannot read standard input");
            nuri_tokenizer_free(tok);
            return 1;
        }
        text = owned;
    } else {
        len = strlen(text);
    }
    size_t bad;
    if (!nuri_utf8_valid(text, len, &bad)) {
        cli_error("tokenize", "input is not valid UTF-8 (byte %zu)", bad);
        free(owned);
        nuri_tokenizer_free(tok);
        return 1;
    }
    int32_t *ids;
    size_t n;
    double t0 = now_s();
    st = nuri_tokenize(tok, text, len, add_special != 0, parse_special == 1, &ids, &n, &err);
    double dt = now_s() - t0;
    if (st != NURI_OK) {
        cli_error("tokenize", "%s", err.msg);
        rc = 1;
    } else if (count) {
        printf("tokens: %zu\nbytes: %zu\nseconds: %.4f\nMB/s: %.2f\n", n, len, dt,
               dt > 0 ? (double)len / 1e6 / dt : 0.0);
    } else if (pieces) {
        for (size_t i = 0; i < n; i++) {
            size_t pl;
            const char *p = nuri_token_piece(tok, ids[i], true, &pl);
            printf("%d\t", ids[i]);
            print_piece(p, pl);
            putchar('\n');
        }
    } else {
        for (size_t i = 0; i < n; i++) printf(i ? " %d" : "%d", ids[i]);
        putchar('\n');
    }
    free(ids);
    free(owned);
    nuri_tokenizer_free(tok);
    return rc;
}
