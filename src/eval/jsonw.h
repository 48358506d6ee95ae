/* A small JSON writer that indents like Python's json.dump(indent=2), so results.json
 * reads like lm-evaluation-harness's. Keys and values are written in call order. */
#ifndef NURI_EVAL_JSONW_H
#define NURI_EVAL_JSONW_H

#include <stdbool.h>

#include "eval/sbuf.h"

typedef struct {
    sbuf *b;
    int depth;
    bool first[32]; /* no member written yet at this depth */
    bool after_key;
} jsonw;

void jw_init(jsonw *w, sbuf *b);
void jw_obj(jsonw *w);   /* { */
void jw_arr(jsonw *w);   /* [ */
void jw_end(jsonw *w, char close); /* } or ] */
void jw_key(jsonw *w, const char *k);
void jw_str(jsonw *w, const char *s);
void jw_num(jsonw *w, double x);
void jw_int(jsonw *w, long long x);
void jw_bool(jsonw *w, bool x);
void jw_null(jsonw *w);

#endif
