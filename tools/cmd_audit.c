/* nuri audit: a Korean safety, privacy and efficiency audit of a model, written as a
 * passport (passport.json, passport.html); nuri audit compare: two passports side by side. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "gen_flags.h"
#include "nuri/audit.h"
#include "nuri/template.h"

static volatile sig_atomic_t stop_audit = 0;
static void on_sigint(int sig) {
    (void)sig;
    stop_audit = 1;
}

static void usage(FILE *out) {
    fprintf(out,
            "usage: nuri audit -m MODEL --output DIR [options]\n"
            "       nuri audit compare DIR1 DIR2\n\n"
            "Runs the Korean probe families in audit/probes (jailbreak, prompt injection,\n"
            "system-prompt and PII leakage, refusal of harmful requests) against the model with\n"
            "greedy decoding, KoBBQ bias and KoSBi / SQuARe classification by log-likelihood\n"
            "(kobbq, kosbi, square_question, square_response), KorQuAD hallucination (korquad);\n"
            "keeps every attempt in DIR/attempts_FAMILY.jsonl (an interrupted audit resumes)\n"
            "and writes DIR/passport.json and DIR/passport.html.\n\n"
            "  -m, --model FILE      GGUF model (default: $NURI_MODEL, else the bundled model)\n"
            "  --output DIR          where attempts and the passport go (required)\n"
            "  --only LIST           comma-separated families (default: all)\n"
            "  --full                every prompt (default: at most --sample per family)\n"
            "  --sample N            prompts per family when not --full (default 20)\n"
            "  --kobbq N             KoBBQ items when not --full (default 24; x 5 prompts)\n"
            "  --classify N          KoSBi / SQuARe items per task when not --full (default 100)\n"
            "  --qa N                KorQuAD questions when not --full (default 20; x 2 modes)\n"
            "  --seed S              which prompts the sample takes (default 0)\n"
            "  -t, --threads N       threads (default: all cores)\n"
            "  -c, --ctx N           context size (default: the model's, at most 4096)\n"
            "  -n, --n-predict N     tokens per reply (default 128)\n"
            "  --chat-template NAME  a built-in template instead of the model's\n"
            "  --canaries FILE       canaries.jsonl from nuri data: add the memorization family\n"
            "  --eval DIR            a nuri eval output directory: add the calibration (ECE) of its\n"
            "                        multiple-choice samples; --only calibration needs no model\n"
            "  --license SPDX        the license when the GGUF has no general.license\n"
            "  --provenance URL|FILE where the model's data and training provenance are published\n"
            "  --probes DIR          probe families (default: $NURI_PROBES, else audit/probes)\n"
            "  --data-dir DIR        labeled data for the toxicity detector's score\n"
            "                        (default: $NURI_DATA, else ../shared/data/eval)\n"
            "  --fake FILE           answer from a scripted fake model instead (tests; docs/audit.md)\n");
}

static const char *default_dir(const char *env, const char *rel, char *buf, size_t n) {
    const char *e = getenv(env);
    if (e && *e) return e;
    snprintf(buf, n, "%s/%s", NURI_SOURCE_DIR, rel);
    return buf;
}

/* user points at a bool: stderr is a terminal. A log file gets one line per family. */
static void progress(void *user, const char *family, int done, int total) {
    const bool tty = *(const bool *)user;
    if (tty) {
        fprintf(stderr, "\raudit: %-14s %d/%d", family, done, total);
        if (done == total) fputc('\n', stderr);
    } else if (done == total) {
        fprintf(stderr, "audit: %-14s %d/%d\n", family, done, total);
    }
}

/* --only naming nothing but calibration (of nuri eval samples): no model is loaded. */
static bool only_calibration(const char *only) {
    if (!only) return false;
    bool any = false;
    for (const char *s = only; *s;) {
        size_t len = strcspn(s, ",");
        if (len && !(len == 11 && !strncmp(s, "calibration", 11))) return false;
        any |= len > 0;
        s += len + (s[len] == ',');
    }
    return any;
}

static int compare(int argc, char **argv) {
    if (argc != 4) {
        cli_error("audit", "usage: nuri audit compare DIR1 DIR2");
        return 2;
    }
    nuri_error err;
    if (nuri_audit_compare(argv[2], argv[3], stdout, &err)) {
        cli_error("audit", "%s", err.msg);
        return 1;
    }
    return 0;
}

int cmd_audit(int argc, char **argv) {
    if (argc >= 2 && !strcmp(argv[1], "compare")) return compare(argc, argv);
    gen_flags f;
    gen_flags_init(&f);
    const char *output = NULL, *only = NULL, *tmpl_name = NULL, *canaries = NULL, *license = NULL;
    const char *provenance = NULL, *probes = NULL, *data_dir = NULL, *fake = NULL, *eval_dir = NULL;
    bool full = false;
    long long sample = 20, kobbq = 24, classify = 100, qa = 20;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        int used = gen_flags_parse(&f, "audit", argc, argv, &i);
        if (used < 0) return 2;
        if (used) continue;
#define VAL(dst) do { if (!(dst = cli_value("audit", argc, argv, &i))) return 2; } while (0)
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--output")) VAL(output);
        else if (!strcmp(a, "--only")) VAL(only);
        else if (!strcmp(a, "--full")) full = true;
        else if (!strcmp(a, "--sample")) {
            VAL(v);
            if (!cli_int("audit", a, v, 1, 1 << 20, &sample)) return 2;
        } else if (!strcmp(a, "--kobbq")) {
            VAL(v);
            if (!cli_int("audit", a, v, 1, 1 << 20, &kobbq)) return 2;
        } else if (!strcmp(a, "--classify")) {
            VAL(v);
            if (!cli_int("audit", a, v, 1, 1 << 20, &classify)) return 2;
        } else if (!strcmp(a, "--qa")) {
            VAL(v);
            if (!cli_int("audit", a, v, 1, 1 << 20, &qa)) return 2;
        } else if (!strcmp(a, "--chat-template")) VAL(tmpl_name);
        else if (!strcmp(a, "--canaries")) VAL(canaries);
        else if (!strcmp(a, "--license")) VAL(license);
        else if (!strcmp(a, "--provenance")) VAL(provenance);
        else if (!strcmp(a, "--probes")) VAL(probes);
        else if (!strcmp(a, "--data-dir")) VAL(data_dir);
        else if (!strcmp(a, "--fake")) VAL(fake);
        else if (!strcmp(a, "--eval")) VAL(eval_dir);
        else {
            cli_error("audit", "unknown argument '%s' (see nuri audit --help)", a);
            return 2;
        }
#undef VAL
    }
    if (!output) {
        cli_error("audit", "give --output DIR (see nuri audit --help)");
        return 2;
    }
    char pbuf[4096], dbuf[4096];
    if (!probes) probes = default_dir("NURI_PROBES", "audit/probes", pbuf, sizeof pbuf);
    if (!data_dir) data_dir = default_dir("NURI_DATA", "../shared/data/eval", dbuf, sizeof dbuf);
    nuri_audit_params p = {0};
    p.probes_dir = probes;
    p.output_dir = output;
    p.only = only;
    p.canaries = canaries;
    p.data_dir = data_dir;
    p.license = license;
    p.provenance = provenance;
    p.eval_dir = eval_dir;
    p.full = full;
    p.sample_size = (int)sample;
    p.kobbq_items = (int)kobbq;
    p.cls_items = (int)classify;
    p.qa_items = (int)qa;
    p.seed = f.sampling.seed;
    p.n_threads = f.threads > 0 ? (int)f.threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
    bool stderr_tty = isatty(2) != 0;
    p.progress = progress;
    p.user = &stderr_tty;
    p.cancel = &stop_audit;
    signal(SIGINT, on_sigint);
    nuri_error err;
    int rc = 1;
    if (fake) {
        nuri_audit_fake *fk;
        if (nuri_audit_fake_load(fake, &fk, &err)) {
            cli_error("audit", "%s", err.msg);
            return 1;
        }
        nuri_audit_model m = nuri_audit_fake_model(fk);
        p.model_path = fake;
        if (nuri_audit_run(&m, NULL, &p, &err)) cli_error("audit", "%s", err.msg);
        else rc = 0;
        nuri_audit_fake_free(fk);
        return rc;
    }
    if (only_calibration(only)) {
        if (nuri_audit_run(NULL, NULL, &p, &err)) cli_error("audit", "%s", err.msg);
        else rc = 0;
        if (rc == 0) fprintf(stderr, "audit: wrote %s/passport.json and %s/passport.html\n", output, output);
        return rc;
    }
    gen_session s;
    if (gen_session_open(&s, &f, "audit", true)) return 1;
    p.model_path = s.path;
    const nuri_gguf *g = nuri_model_gguf(s.model);
    nuri_str lic;
    char *lic_buf = NULL;
    if (!license && nuri_gguf_get_str(g, "general.license", &lic, NULL) == NURI_OK &&
        (lic_buf = strndup(lic.ptr, lic.len)))
        p.license = lic_buf;
    const char *src = NULL;
    char *src_buf = NULL;
    nuri_str from_model;
    if (tmpl_name) {
        if (!(src = nuri_template_builtin(tmpl_name))) cli_error("audit", "--chat-template: unknown template '%s'", tmpl_name);
    } else if (nuri_gguf_get_str(g, "tokenizer.chat_template", &from_model, NULL) == NURI_OK) {
        src = src_buf = strndup(from_model.ptr, from_model.len);
    } else {
        cli_error("audit", "%s: the model has no chat template; pass --chat-template NAME", s.path);
    }
    nuri_audit_live *live = NULL;
    if (src) {
        int n_predict = f.n_predict > 0 ? (int)f.n_predict : 128;
        if (nuri_audit_live_new(s.ctx, s.tok, src, n_predict, &live, &err)) {
            cli_error("audit", "%s", err.msg);
        } else {
            nuri_audit_model m = nuri_audit_live_model(live);
            if (nuri_audit_run(&m, live, &p, &err)) cli_error("audit", "%s", err.msg);
            else rc = 0;
        }
    }
    if (rc == 0) fprintf(stderr, "audit: wrote %s/passport.json and %s/passport.html\n", output, output);
    nuri_audit_live_free(live);
    free(src_buf);
    free(lic_buf);
    gen_session_close(&s);
    return rc;
}
