/* nuri: from raw Korean text files to a training set, and a byte-level BPE tokenizer
 * trained on it.
 *
 * nuri_data_run reads source files, turns them into documents (how depends on the file
 * format, see nuri_data_format), cleans each document (HTML remnants, NFC, control and
 * invisible characters, spaces), drops what is too short or not Korean enough, redacts
 * personal data (nuri/pii.h), removes exact and near duplicates (MinHash over character
 * shingles with LSH banding), splits train / validation by a seeded hash of the text,
 * optionally plants canaries in the training part, and writes train.txt, val.txt (one
 * document a line), canaries.jsonl and manifest.json atomically. The outputs are a pure
 * function of the sources' bytes and the configuration (no clock, no randomness beyond
 * the seed). docs/data.md describes the formats and the manifest.
 *
 * nuri_bpe_train learns byte-level BPE merges from such text, pre-tokenized with nuri's
 * own implementation of a pre-tokenizer the reference knows (llama-bpe or qwen2), and
 * writes a vocabulary-only GGUF (tokenizer.ggml.model "gpt2") that nuri_tokenizer_load
 * and the reference both load. */
#ifndef NURI_DATA_H
#define NURI_DATA_H

#include <stdbool.h>
#include <stdint.h>

#include "nuri/base.h"
#include "nuri/pii.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How a source file becomes documents. */
typedef enum {
    NURI_DATA_AUTO,       /* by extension: .csv csv, .tsv tsv, .md markdown, else lines */
    NURI_DATA_LINES,      /* each non-blank line is a document */
    NURI_DATA_PARAGRAPHS, /* blank-line-separated blocks; a block's lines joined by a space */
    NURI_DATA_WRAPPED,    /* the whole file is one document of hard-wrapped lines, joined
                           * without a separator (a line's trailing space is the word break)
                           * except after . ? ! : ; and before an indented line (a new
                           * paragraph); blank lines and page marks ("- 3 -") dropped */
    NURI_DATA_MARKDOWN,   /* YAML front matter dropped; each heading starts a document of the
                           * heading and its paragraphs; emphasis, escapes and links removed */
    NURI_DATA_CSV,        /* RFC 4180 with a header row: one document per record, the text
                           * columns joined by a space */
    NURI_DATA_TSV,        /* the same, tab-separated, no quoting */
} nuri_data_format;

/* "lines", "paragraphs", ... ; nuri_data_format_from_name returns -1 for an unknown name. */
const char *nuri_data_format_name(nuri_data_format f);
int nuri_data_format_from_name(const char *name, size_t len);

/* Why a document was not kept (the manifest's counts per reason). */
typedef enum {
    NURI_DROP_EMPTY,          /* nothing left after cleaning */
    NURI_DROP_SHORT,          /* fewer than min_chars characters */
    NURI_DROP_NOT_KOREAN,     /* Hangul share of the letters below min_hangul */
    NURI_DROP_DUPLICATE,      /* the same text (after cleaning and redaction) was kept before */
    NURI_DROP_NEAR_DUPLICATE, /* estimated Jaccard similarity >= near_threshold with a kept one */
    NURI_DROP_EXCLUDED,       /* equal or near-equal to a document of an exclude file */
    NURI_DROP_REASON_COUNT
} nuri_drop_reason;

const char *nuri_drop_reason_name(nuri_drop_reason r);

typedef struct {
    size_t source, n_sources; /* the file being read (0-based) */
    const char *path;
    uint64_t bytes_done, bytes_total; /* over all sources */
    uint64_t docs_in, docs_kept;
    bool done; /* the last call, after the outputs are written */
} nuri_data_progress;

typedef struct {
    /* Sources: "PATH" or "FORMAT:PATH" (FORMAT one of the names above); a directory
     * stands for its regular files, recursively, in byte order of their paths, hidden
     * ones skipped. */
    const char *const *sources;
    size_t n_sources;
    /* Files whose documents must not be trained on (held-out evaluation text): read
     * first, never written; documents equal or near-equal to one are dropped. */
    const char *const *excludes;
    size_t n_excludes;
    const char *out_dir;      /* created if missing */
    const char *provenance;   /* PROVENANCE.md; NULL: looked for in each source's directory
                               * and its parents */
    const char *license;      /* for sources without an entry; NULL: "unknown" */
    const char *csv_columns;  /* comma-separated column names to read from CSV/TSV files;
                               * NULL: every column whose cells are not numbers or URLs */
    double val_fraction;      /* share of documents in val.txt (0.01) */
    uint64_t seed;            /* split and canaries (1) */
    uint32_t min_chars;       /* characters (code points) a document needs (4) */
    double min_hangul;        /* share of Hangul among its letters (0.5) */
    uint32_t pii_types;       /* NURI_PII_ALL; 0: no redaction */
    bool dedup;               /* exact duplicates (true) */
    bool near_dedup;          /* near duplicates (true) */
    double near_threshold;    /* estimated Jaccard similarity counting as near (0.8) */
    uint32_t shingle;         /* characters per shingle (5) */
    uint32_t canaries;        /* canaries planted in train.txt (0) */
    uint32_t canary_repeats;  /* copies of each (10) */
    /* Called now and then and at the end; a non-zero return stops the run
     * (NURI_ERR_INTERRUPTED, nothing written). */
    int (*progress)(void *user, const nuri_data_progress *p);
    void *user;
} nuri_data_config;

void nuri_data_config_default(nuri_data_config *c);

typedef struct {
    uint64_t docs_in, docs_kept, train_docs, val_docs;
    uint64_t bytes_in, train_bytes, val_bytes;
    uint64_t dropped[NURI_DROP_REASON_COUNT];
    uint64_t pii[NURI_PII_TYPE_COUNT];
    uint32_t canaries;
} nuri_data_summary;

/* Runs the pipeline. Invalid UTF-8 in a source (NURI_ERR_FORMAT naming the file and byte
 * offset), an empty or unreadable source, and a run that keeps no document at all are
 * errors, and then nothing is written. */
nuri_status nuri_data_run(const nuri_data_config *cfg, nuri_data_summary *sum, nuri_error *err);

/* ---- byte-level BPE training ---- */

typedef struct {
    uint32_t merges_done, merges_total;
    uint64_t words, unique_words; /* after pre-tokenization */
    const char *phase;            /* "count" or "merge" */
} nuri_bpe_progress;

typedef struct {
    uint32_t vocab_size;     /* tokens in all: 256 bytes + merges + special tokens (16384) */
    const char *pre;         /* tokenizer.ggml.pre: "llama-bpe" (default) or "qwen2" */
    uint32_t min_frequency;  /* a pair seen fewer times is never merged (2) */
    /* Special tokens after the learned ones; NULL: <|begin_of_text|> (BOS),
     * <|end_of_text|> (EOS), <|im_start|>, <|im_end|>. The first is BOS, the second EOS. */
    const char *const *special;
    size_t n_special;
    bool add_bos;            /* tokenizer.ggml.add_bos_token (true) */
    const char *name;        /* general.name ("nuri-bpe") */
    int (*progress)(void *user, const nuri_bpe_progress *p);
    void *user;
} nuri_bpe_config;

void nuri_bpe_config_default(nuri_bpe_config *c);

typedef struct {
    uint64_t bytes, docs, words, unique_words;
    uint32_t merges, vocab_size;
} nuri_bpe_summary;

/* Trains on UTF-8 text files (each line a document; lines are pre-tokenized one by one)
 * and writes out_gguf atomically. Fewer distinct pairs than the vocabulary asks for ends
 * training early (the vocabulary is then smaller). Empty or invalid UTF-8 input is
 * NURI_ERR_FORMAT, and nothing is written. */
nuri_status nuri_bpe_train(const nuri_bpe_config *cfg, const char *const *paths, size_t n_paths,
                           const char *out_gguf, nuri_bpe_summary *sum, nuri_error *err);

#ifdef __cplusplus
}
#endif
#endif
