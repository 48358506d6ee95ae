/* The training loop: windows of the shard in a seeded order per epoch, gradient
 * accumulation, the optimizer, validation, checkpoints and progress. Its whole state is
 * the step and the (epoch, index) data position, so a checkpoint resumes exactly. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "train/internal.h"

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static uint64_t n_windows(const nuri_shard *s, int T) { return (nuri_shard_n_tokens(s) - 1) / (uint64_t)T; }

/* Fisher-Yates over the windows, from a stream of the seed that is the epoch. */
static nuri_status build_perm(nuri_trainer *t, uint64_t n, nuri_error *err) {
    if (t->n_perm != n) {
        free(t->perm);
        t->perm = malloc(n * sizeof *t->perm);
        t->n_perm = 0;
        if (!t->perm) return nuri_fail(err, NURI_ERR_NOMEM, "out of memory for %llu windows", (unsigned long long)n);
    }
    for (uint64_t i = 0; i < n; i++) t->perm[i] = (uint32_t)i;
    tr_rng r;
    tr_rng_seed(&r, t->cfg.seed, 0x5EED0000ull + t->epoch);
    for (uint64_t i = n - 1; i > 0; i--) {
        const uint64_t j = tr_rng_below(&r, i + 1);
        const uint32_t tmp = t->perm[i];
        t->perm[i] = t->perm[j];
        t->perm[j] = tmp;
    }
    t->n_perm = n;
    return NURI_OK;
}

static nuri_status next_batch(nuri_trainer *t, const nuri_shard *s, nuri_error *err) {
    const int T = t->cfg.context;
    const uint64_t n = n_windows(s, T);
    nuri_status st;
    if (t->n_perm != n && (st = build_perm(t, n, err))) return st;
    for (int b = 0; b < t->cfg.batch; b++) {
        if (t->index >= n) {
            t->epoch++;
            t->index = 0;
            if ((st = build_perm(t, n, err))) return st;
        }
        const uint64_t w = t->perm[t->index++];
        memcpy(t->batch_tok + (size_t)b * (T + 1), nuri_shard_tokens(s) + w * (uint64_t)T,
               (size_t)(T + 1) * sizeof(uint32_t));
    }
    return NURI_OK;
}

nuri_status nuri_trainer_check_shard(const nuri_trainer *t, const nuri_shard *s, const char *what,
                                     nuri_error *err) {
    if (nuri_shard_vocab(s) != (uint32_t)t->cfg.vocab)
        return nuri_fail(err, NURI_ERR_INVALID_ARG,
                         "the %s tokens come from a %u-token vocabulary but the model has vocab = %d",
                         what, nuri_shard_vocab(s), t->cfg.vocab);
    if (n_windows(s, t->cfg.context) == 0)
        return nuri_fail(err, NURI_ERR_INVALID_ARG, "the %s shard has %llu tokens, fewer than context + 1 = %d",
                         what, (unsigned long long)nuri_shard_n_tokens(s), t->cfg.context + 1);
    return NURI_OK;
}

nuri_status nuri_trainer_eval(nuri_trainer *t, const nuri_shard *s, double *loss, nuri_error *err) {
    nuri_status st = nuri_trainer_check_shard(t, s, "validation", err);
    if (st) return st;
    const int T = t->cfg.context;
    const uint64_t n = n_windows(s, T);
    uint64_t w = 0;
    double sum = 0.0;
    long long rows = 0;
    for (int i = 0; i < t->cfg.eval_batches && w < n; i++) {
        int b = 0;
        for (; b < t->cfg.batch && w < n; b++, w++)
            memcpy(t->batch_tok + (size_t)b * (T + 1), nuri_shard_tokens(s) + w * (uint64_t)T,
                   (size_t)(T + 1) * sizeof(uint32_t));
        double l;
        if ((st = nuri_trainer_forward_backward(t, t->batch_tok, b, false, 1.0f, &l, err))) return st;
        sum += l * b * T;
        rows += (long long)b * T;
    }
    *loss = sum / (double)rows;
    return NURI_OK;
}

nuri_status nuri_train_run(nuri_trainer *t, const nuri_train_run_params *p, nuri_error *err) {
    const nuri_train_config *c = &t->cfg;
    nuri_status st = nuri_trainer_check_shard(t, p->train, "training", err);
    if (!st && p->val) st = nuri_trainer_check_shard(t, p->val, "validation", err);
    if (st) return st;
    const double t0 = now_s();
    const int step0 = t->step;
    const uint64_t tokens_per_step = (uint64_t)c->batch * c->accum * c->context;
    while (t->step < c->steps) {
        if (p->stop && *p->stop) {
            if (p->checkpoint && (st = nuri_trainer_save(t, p->checkpoint, err))) return st;
            return nuri_fail(err, NURI_ERR_INTERRUPTED, "stopped at step %d", t->step);
        }
        nuri_trainer_zero_grads(t);
        double loss = 0.0;
        for (int a = 0; a < c->accum; a++) {
            double l;
            if ((st = next_batch(t, p->train, err)) ||
                (st = nuri_trainer_forward_backward(t, t->batch_tok, c->batch, true, 1.0f / c->accum, &l, err)))
                return st;
            loss += l / c->accum;
        }
        if (!isfinite(loss))
            return nuri_fail(err, NURI_ERR_INVALID_ARG,
                             "the training loss is %f at step %d (try a lower lr); the checkpoint was not updated",
                             loss, t->step + 1);
        nuri_train_progress pr = {0};
        nuri_trainer_opt_step(t, &pr.grad_norm, &pr.lr);
        t->tokens_seen += tokens_per_step;
        pr.step = t->step;
        pr.steps = c->steps;
        pr.loss = loss;
        pr.val_loss = NAN;
        const bool last = t->step == c->steps;
        if (p->val && c->eval_interval > 0 && (t->step % c->eval_interval == 0 || last) &&
            (st = nuri_trainer_eval(t, p->val, &pr.val_loss, err)))
            return st;
        if (p->checkpoint && ((c->ckpt_interval > 0 && t->step % c->ckpt_interval == 0) || last) &&
            (st = nuri_trainer_save(t, p->checkpoint, err)))
            return st;
        pr.elapsed_s = now_s() - t0;
        struct timespec cpu;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
        pr.cpu_s = (double)cpu.tv_sec + cpu.tv_nsec * 1e-9;
        const double done = (double)(t->step - step0);
        pr.tokens_per_s = pr.elapsed_s > 0 ? done * tokens_per_step / pr.elapsed_s : 0.0;
        pr.eta_s = done > 0 ? pr.elapsed_s / done * (c->steps - t->step) : 0.0;
        if (p->progress && p->progress(p->user, &pr)) {
            if (p->checkpoint && !last && (st = nuri_trainer_save(t, p->checkpoint, err))) return st;
            return nuri_fail(err, NURI_ERR_INTERRUPTED, "stopped at step %d", t->step);
        }
    }
    return NURI_OK;
}
