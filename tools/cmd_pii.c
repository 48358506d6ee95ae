/* nuri pii: find or redact Korean personal data in text (a thin layer over nuri/pii.h). */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/file.h"
#include "cli.h"
#include "commands.h"
#include "nuri/pii.h"
#include "nuri/tokenizer.h"

static void usage(FILE *out) {
    fprintf(out,
            "usage: nuri pii detect [options] [FILE...]\n"
            "       nuri pii redact [options] [FILE...]\n\n"
            "Finds Korean personal data in text read from the FILEs (standard input when none).\n"
            "detect prints one JSON line per entity: {\"type\", \"start\", \"end\", \"text\"}, start\n"
            "and end half-open byte offsets into that input (and \"file\" when FILEs are given);\n"
            "bytes that are not UTF-8 are shown as U+FFFD in \"text\", the offsets stay the input's.\n"
            "redact prints the text with each entity replaced by its placeholder ([RRN], [PHONE],\n"
            "...), FILEs one after another.\n\n"
            "types: RRN FRN PHONE EMAIL CARD ACCOUNT PASSPORT DRIVER BRN IP ADDRESS\n"
            "(docs/pii.md says what each one accepts)\n\n"
            "  --types LIST   comma-separated types to look for (default: all)\n"
            "  -h, --help     this help\n\n"
            "example: echo '연락처는 010-1234-5678이야' | nuri pii redact\n");
}

/* s as a NUL-terminated string of valid UTF-8: each byte that does not start a valid
 * sequence becomes U+FFFD, so the JSON line stays valid whatever the input. */
static char *utf8_or_replacement(const char *s, size_t n) {
    char *out = malloc(3 * n + 1);
    if (!out) return NULL;
    size_t o = 0, bad;
    while (n) {
        if (nuri_utf8_valid(s, n, &bad)) bad = n;
        memcpy(out + o, s, bad);
        o += bad;
        if (bad == n) break;
        memcpy(out + o, "\xEF\xBF\xBD", 3);
        o += 3;
        s += bad + 1;
        n -= bad + 1;
    }
    out[o] = 0;
    return out;
}

static bool print_spans(const char *text, size_t len, uint32_t types, const char *file) {
    nuri_pii_span *sp;
    size_t n;
    nuri_error err;
    if (nuri_pii_detect(text, len, types, &sp, &n, &err)) {
        cli_error("pii", "%s", err.msg);
        return false;
    }
    bool ok = true;
    for (size_t i = 0; ok && i < n; i++) {
        char *t = utf8_or_replacement(text + sp[i].start, sp[i].end - sp[i].start);
        cJSON *o = cJSON_CreateObject();
        char *line = NULL;
        if (t && o) {
            if (file) cJSON_AddStringToObject(o, "file", file);
            cJSON_AddStringToObject(o, "type", nuri_pii_type_name(sp[i].type));
            cJSON_AddNumberToObject(o, "start", (double)sp[i].start);
            cJSON_AddNumberToObject(o, "end", (double)sp[i].end);
            cJSON_AddStringToObject(o, "text", t);
            line = cJSON_PrintUnformatted(o);
        }
        if (line) printf("%s\n", line);
        else ok = false;
        cJSON_free(line);
        cJSON_Delete(o);
        free(t);
    }
    free(sp);
    if (!ok) cli_error("pii", "out of memory");
    return ok;
}

static bool print_redacted(const char *text, size_t len, uint32_t types) {
    char *out;
    size_t out_len;
    nuri_error err;
    if (nuri_pii_redact(text, len, types, &out, &out_len, NULL, &err)) {
        cli_error("pii", "%s", err.msg);
        return false;
    }
    fwrite(out, 1, out_len, stdout);
    free(out);
    return true;
}

int cmd_pii(int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    bool detect = !strcmp(argv[1], "detect");
    if (!detect && strcmp(argv[1], "redact")) {
        cli_error("pii", "unknown action '%s' (detect or redact)", argv[1]);
        return 2;
    }
    uint32_t types = NURI_PII_ALL;
    int first_file = argc;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--types")) {
            const char *v = cli_value("pii", argc, argv, &i);
            if (!v) return 2;
            if (!nuri_pii_types_from_list(v, false, &types)) {
                cli_error("pii", "--types: '%s' is not all or a list of RRN,FRN,PHONE,EMAIL,CARD,ACCOUNT,"
                                 "PASSPORT,DRIVER,BRN,IP,ADDRESS", v);
                return 2;
            }
        } else if (!strcmp(a, "--")) {
            first_file = i + 1;
            break;
        } else if (a[0] == '-' && a[1]) {
            cli_error("pii", "unknown option '%s' (nuri pii --help)", a);
            return 2;
        } else {
            first_file = i;
            break;
        }
    }
    if (first_file >= argc) {
        size_t len = 0;
        char *text = cli_read_stdin(&len);
        if (!text) {
            cli_error("pii", "cannot read standard input");
            return 1;
        }
        bool ok = detect ? print_spans(text, len, types, NULL) : print_redacted(text, len, types);
        free(text);
        return ok ? 0 : 1;
    }
    for (int i = first_file; i < argc; i++) {
        char *text = NULL;
        size_t len = 0;
        nuri_error err;
        if (nuri_read_file(argv[i], &text, &len, &err)) {
            cli_error("pii", "%s", err.msg); /* the message names the file */
            return 1;
        }
        bool ok = detect ? print_spans(text, len, types, argv[i]) : print_redacted(text, len, types);
        free(text);
        if (!ok) return 1;
    }
    return fflush(stdout) ? 1 : 0;
}
