/* nuri data: text files to a training set (a thin layer over nuri_data_run). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "nuri/data.h"

static void usage(FILE *out) {
    fprintf(out,
            "usage: nuri data -o DIR [options] SOURCE...\n\n"
            "Turns text files into a training set: DIR/train.txt and DIR/val.txt (one document a\n"
            "line, UTF-8 NFC), DIR/manifest.json (per source: sha256, license, documents and bytes\n"
            "kept and dropped and why, personal data redacted) and, with --canaries,\n"
            "DIR/canaries.jsonl. Each output is written atomically; the manifest comes last.\n\n"
            "A SOURCE is a file or a directory (its files, recursively, in sorted order), optionally\n"
            "prefixed by the format to read it as (FORMAT:PATH):\n"
            "  lines       each non-blank line is a document (default for most files)\n"
            "  paragraphs  blank-line-separated blocks, lines joined by a space\n"
            "  wrapped     the whole file is one document of hard-wrapped lines\n"
            "  markdown    front matter dropped, one document per heading (default for .md)\n"
            "  csv, tsv    one document per record, text columns joined (default for .csv/.tsv)\n\n"
            "  -o, --output DIR        output directory (created if missing)\n"
            "  --exclude SOURCE        held-out text (evaluation sets): documents equal or near to\n"
            "                          one of its documents are dropped; repeatable\n"
            "  --csv-columns A,B       CSV/TSV columns to read (default: every cell that is not a\n"
            "                          number or a URL)\n"
            "  --provenance FILE       PROVENANCE.md giving each file's license (default: found in\n"
            "                          the source's directory or a parent)\n"
            "  --license NAME          license of sources the provenance table does not name\n"
            "  --val F                 share of documents for validation (default 0.01)\n"
            "  --seed N                seed of the split and the canaries (default 1)\n"
            "  --min-chars N           drop documents shorter than N characters (default 4)\n"
            "  --min-hangul F          drop documents whose letters are less than F Hangul (0.5)\n"
            "  --pii TYPES             personal data to redact: all (default), none, or a list\n"
            "                          of RRN,FRN,PHONE,EMAIL,CARD,ACCOUNT,PASSPORT,DRIVER,\n"
            "                          BRN,IP,ADDRESS (docs/pii.md)\n"
            "  --no-dedup              keep exact duplicates\n"
            "  --no-near-dedup         keep near duplicates\n"
            "  --near-threshold F      estimated Jaccard similarity of near duplicates (0.8)\n"
            "  --shingle N             characters per MinHash shingle (5)\n"
            "  --canaries N            plant N made-up secrets in train.txt (default 0)\n"
            "  --canary-repeats N      copies of each canary (default 10)\n"
            "  -q, --quiet             no progress on stderr\n"
            "  -h, --help              this help\n");
}

typedef struct {
    bool tty, quiet;
    size_t last_source;
    struct timespec t0;
} progress_state;

static double since(const struct timespec *t0) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (t.tv_nsec - t0->tv_nsec) * 1e-9;
}

static int on_progress(void *user, const nuri_data_progress *p) {
    progress_state *ps = user;
    if (ps->quiet) return 0;
    double el = since(&ps->t0);
    double pct = p->bytes_total ? 100.0 * (double)p->bytes_done / (double)p->bytes_total : 100.0;
    double mbs = el > 0 ? (double)p->bytes_done / 1e6 / el : 0;
    if (p->done) {
        fprintf(stderr, "%sdata: done: %llu documents read, %llu kept, %.1f s (%.1f MB/s)\n", ps->tty ? "\r\033[K" : "",
                (unsigned long long)p->docs_in, (unsigned long long)p->docs_kept, el, mbs);
        return 0;
    }
    if (ps->tty) {
        fprintf(stderr, "\r\033[Kdata: %5.1f%%  file %zu/%zu %s  %llu read, %llu kept  %.1f MB/s", pct, p->source + 1,
                p->n_sources, p->path ? p->path : "", (unsigned long long)p->docs_in,
                (unsigned long long)p->docs_kept, mbs);
    } else if (p->source != ps->last_source || pct >= 100.0) {
        fprintf(stderr, "data: %5.1f%%  file %zu/%zu  %llu read, %llu kept\n", pct, p->source + 1, p->n_sources,
                (unsigned long long)p->docs_in, (unsigned long long)p->docs_kept);
    }
    ps->last_source = p->source;
    return 0;
}

int cmd_data(int argc, char **argv) {
    const char *cmd = "data";
    nuri_data_config cfg;
    nuri_data_config_default(&cfg);
    const char **sources = calloc((size_t)argc, sizeof *sources);
    const char **excludes = calloc((size_t)argc, sizeof *excludes);
    size_t ns = 0, ne = 0;
    progress_state ps = {.tty = isatty(2), .last_source = (size_t)-1};
    int rc = 2;
    if (!sources || !excludes) {
        cli_error(cmd, "out of memory");
        rc = 1;
        goto done;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        long long n;
        double f;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            rc = 0;
            goto done;
        } else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
            if (!(cfg.out_dir = cli_value(cmd, argc, argv, &i))) goto done;
        } else if (!strcmp(a, "--exclude")) {
            if (!(v = cli_value(cmd, argc, argv, &i))) goto done;
            excludes[ne++] = v;
        } else if (!strcmp(a, "--csv-columns")) {
            if (!(cfg.csv_columns = cli_value(cmd, argc, argv, &i))) goto done;
        } else if (!strcmp(a, "--provenance")) {
            if (!(cfg.provenance = cli_value(cmd, argc, argv, &i))) goto done;
        } else if (!strcmp(a, "--license")) {
            if (!(cfg.license = cli_value(cmd, argc, argv, &i))) goto done;
        } else if (!strcmp(a, "--val")) {
            if (!(v = cli_value(cmd, argc, argv, &i)) || !cli_float(cmd, a, v, 0, 0.99, &f)) goto done;
            cfg.val_fraction = f;
        } else if (!strcmp(a, "--seed")) {
            if (!(v = cli_value(cmd, argc, argv, &i)) || !cli_int(cmd, a, v, 0, INT64_MAX, &n)) goto done;
            cfg.seed = (uint64_t)n;
        } else if (!strcmp(a, "--min-chars")) {
            if (!(v = cli_value(cmd, argc, argv, &i)) || !cli_int(cmd, a, v, 0, 1000000, &n)) goto done;
            cfg.min_chars = (uint32_t)n;
        } else if (!strcmp(a, "--min-hangul")) {
            if (!(v = cli_value(cmd, argc, argv, &i)) || !cli_float(cmd, a, v, 0, 1, &f)) goto done;
            cfg.min_hangul = f;
        } else if (!strcmp(a, "--pii")) {
            if (!(v = cli_value(cmd, argc, argv, &i))) goto done;
            if (!nuri_pii_types_from_list(v, true, &cfg.pii_types)) {
                cli_error(cmd, "--pii: '%s' is not all, none or a list of RRN,FRN,PHONE,EMAIL,CARD,ACCOUNT,"
                                 "PASSPORT,DRIVER,BRN,IP,ADDRESS", v);
                goto done;
            }
        } else if (!strcmp(a, "--no-dedup")) {
            cfg.dedup = false;
        } else if (!strcmp(a, "--no-near-dedup")) {
            cfg.near_dedup = false;
        } else if (!strcmp(a, "--near-threshold")) {
            if (!(v = cli_value(cmd, argc, argv, &i)) || !cli_float(cmd, a, v, 0.01, 1, &f)) goto done;
            cfg.near_threshold = f;
        } else if (!strcmp(a, "--shingle")) {
            if (!(v = cli_value(cmd, argc, argv, &i)) || !cli_int(cmd, a, v, 1, 64, &n)) goto done;
            cfg.shingle = (uint32_t)n;
        } else if (!strcmp(a, "--canaries")) {
            if (!(v = cli_value(cmd, argc, argv, &i)) || !cli_int(cmd, a, v, 0, 100000, &n)) goto done;
            cfg.canaries = (uint32_t)n;
        } else if (!strcmp(a, "--canary-repeats")) {
            if (!(v = cli_value(cmd, argc, argv, &i)) || !cli_int(cmd, a, v, 1, 1000, &n)) goto done;
            cfg.canary_repeats = (uint32_t)n;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            ps.quiet = true;
        } else if (a[0] == '-' && a[1]) {
            cli_error(cmd, "unknown flag '%s' (nuri data --help lists them)", a);
            goto done;
        } else {
            sources[ns++] = a;
        }
    }
    if (!cfg.out_dir) {
        cli_error(cmd, "no output directory (-o DIR)");
        goto done;
    }
    if (!ns) {
        cli_error(cmd, "no source files (nuri data --help)");
        goto done;
    }
    cfg.sources = sources;
    cfg.n_sources = ns;
    cfg.excludes = excludes;
    cfg.n_excludes = ne;
    cfg.progress = on_progress;
    cfg.user = &ps;
    clock_gettime(CLOCK_MONOTONIC, &ps.t0);
    nuri_data_summary sum;
    nuri_error err;
    if (nuri_data_run(&cfg, &sum, &err) != NURI_OK) {
        if (ps.tty && !ps.quiet) fputs("\r\033[K", stderr);
        cli_error(cmd, "%s", err.msg);
        rc = 1;
        goto done;
    }
    if (!ps.quiet) {
        fprintf(stderr, "data: %s/train.txt %llu documents (%.1f MB), val.txt %llu; dropped:", cfg.out_dir,
                (unsigned long long)sum.train_docs, (double)sum.train_bytes / 1e6, (unsigned long long)sum.val_docs);
        for (int r = 0; r < NURI_DROP_REASON_COUNT; r++)
            fprintf(stderr, " %s %llu", nuri_drop_reason_name(r), (unsigned long long)sum.dropped[r]);
        fprintf(stderr, "; redacted:");
        for (int t = 0; t < NURI_PII_TYPE_COUNT; t++)
            fprintf(stderr, " %s %llu", nuri_pii_type_name(t), (unsigned long long)sum.pii[t]);
        if (sum.canaries) fprintf(stderr, "; %u canaries", sum.canaries);
        fputc('\n', stderr);
    }
    rc = 0;
done:
    free(sources);
    free(excludes);
    return rc;
}
