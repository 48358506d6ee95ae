/* passport.json and passport.html: one self-contained page (no scripts, no network), Korean
 * and English labels, an inline SVG chart, every number a link to the file it came from. */
#include <stdlib.h>
#include <string.h>

#include "audit/internal.h"
#include "base/file.h"

static void html_text(FILE *f, const char *s) {
    for (; s && *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
        }
    }
}

static const char *family_label(const char *name) {
    static const char *const map[][2] = {
        {"harmful", "유해 요청 거절 / Refusal of harmful requests"},
        {"jailbreak", "탈옥·역할극·지시 무시 / Jailbreak, role-play, override"},
        {"injection", "문서 속 프롬프트 주입 / Prompt injection via document"},
        {"sysleak", "시스템 프롬프트 유출 / System-prompt leakage"},
        {"pii", "개인정보 유출 / PII leakage from context"},
        {"memorization", "카나리 암기 / Memorized training canaries"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(map[i][0], name)) return map[i][1];
    return name;
}

static double num(const cJSON *o, const char *k) {
    const cJSON *v = cJSON_GetObjectItem(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static const char *str(const cJSON *o, const char *k) {
    const cJSON *v = cJSON_GetObjectItem(o, k);
    return cJSON_IsString(v) ? v->valuestring : "";
}

/* One row per nuri eval task, every number a link to the samples file it was counted from. */
static void write_eval_calibration(FILE *f, const cJSON *ce) {
    fputs("<h2>보정 / Calibration of <code>nuri eval</code> multiple-choice answers</h2>\n<p>", f);
    html_text(f, str(ce, "eval_dir"));
    if (*str(ce, "model")) {
        fputs(" &middot; 모델 / model: <code>", f);
        html_text(f, str(ce, "model"));
        fputs("</code>", f);
    }
    fputs(" &middot; 답 = acc 예측(argmax ll), 확신도 = softmax(ll) / answer = acc prediction (argmax ll), "
          "confidence = softmax of ll; ECE over 10 equal-width bins</p>\n"
          "<table><tr><th>task</th><th>documents</th><th>accuracy</th><th>mean confidence</th><th>ECE</th></tr>\n",
          f);
    const cJSON *tasks = cJSON_GetObjectItem(ce, "tasks");
    for (const cJSON *t = tasks ? tasks->child : NULL; t; t = t->next) {
        fputs("<tr><td>", f);
        html_text(f, str(t, "name"));
        fputs("</td>", f);
        static const char *const keys[] = {"documents", "accuracy", "mean_confidence", "ece"};
        for (size_t k = 0; k < 4; k++) {
            fputs("<td><a href=\"", f);
            html_text(f, str(t, "samples"));
            fprintf(f, k ? "\">%.3f</a></td>" : "\">%.0f</a></td>", num(t, keys[k]));
        }
        fputs("</tr>\n", f);
    }
    const cJSON *all = cJSON_GetObjectItem(ce, "overall");
    fputs("<tr><th>전체 / all</th>", f);
    fprintf(f, "<th><a href=\"passport.json\">%.0f</a></th>", num(all, "documents"));
    static const char *const keys[] = {"accuracy", "mean_confidence", "ece"};
    for (size_t k = 0; k < 3; k++) fprintf(f, "<th><a href=\"passport.json\">%.3f</a></th>", num(all, keys[k]));
    fputs("</tr></table>\n", f);
    const cJSON *sk = cJSON_GetObjectItem(ce, "skipped");
    if (cJSON_GetArraySize(sk) > 0) {
        fputs("<p>제외 / not counted: ", f);
        for (const cJSON *t = sk->child; t; t = t->next) {
            html_text(f, str(t, "name"));
            fputs(" (", f);
            html_text(f, str(t, "reason"));
            fputs(t->next ? "), " : ")", f);
        }
        fputs("</p>\n", f);
    }
}

static void write_html(FILE *f, const cJSON *pp) {
    const cJSON *fams = cJSON_GetObjectItem(pp, "families");
    fputs("<!doctype html><html lang=\"ko\"><head><meta charset=\"utf-8\"><title>nuri 모델 여권 / model passport</title>"
          "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}"
          "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}"
          ".est{color:#a60}</style></head><body>\n",
          f);
    fputs("<h1>모델 여권 / Model passport</h1>\n<p>모델 / model: <code>", f);
    html_text(f, str(pp, "model"));
    fprintf(f, "</code> &middot; seed %.0f &middot; %s &middot; nuri %s &middot; <a href=\"passport.json\">passport.json</a></p>\n",
            num(pp, "seed"), cJSON_IsTrue(cJSON_GetObjectItem(pp, "full")) ? "전체 / full" : "표본 / sample",
            str(pp, "nuri_version"));
    /* Chart: one bar per family, the share of attempts where the model behaved safely. */
    int n = cJSON_GetArraySize(fams);
    fputs("<h2>안전 응답 비율 / Safe-behaviour rate</h2>\n", f);
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"%d\" role=\"img\">\n", 30 * n + 10);
    int i = 0;
    for (const cJSON *fm = fams ? fams->child : NULL; fm; fm = fm->next, i++) {
        double r = num(fm, "safe_rate");
        fprintf(f, "<a href=\"%s\"><text x=\"0\" y=\"%d\" font-size=\"12\">", str(fm, "samples"), 30 * i + 22);
        html_text(f, str(fm, "name"));
        fprintf(f, "</text><rect x=\"110\" y=\"%d\" width=\"%.1f\" height=\"20\" fill=\"#3a7\"/>"
                   "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"20\" fill=\"#d55\"/>"
                   "<text x=\"%.1f\" y=\"%d\" font-size=\"12\">%.0f%%</text></a>\n",
                30 * i + 6, 400 * r, 110 + 400 * r, 30 * i + 6, 400 * (1 - r), 520.0, 30 * i + 22, 100 * r);
    }
    fputs("</svg>\n<table><tr><th>항목 / family</th><th>시도 / attempts</th><th>안전 / safe</th>"
          "<th>빈 응답 / empty</th><th>유해 표현 / toxic replies</th></tr>\n",
          f);
    for (const cJSON *fm = fams ? fams->child : NULL; fm; fm = fm->next) {
        const char *s = str(fm, "samples");
        fputs("<tr><td>", f);
        html_text(f, family_label(str(fm, "name")));
        fprintf(f, "</td><td><a href=\"%s\">%.0f</a></td><td><a href=\"%s\">%.0f (%.1f%%)</a></td>"
                   "<td><a href=\"%s\">%.0f</a></td><td><a href=\"%s\">%.0f</a></td></tr>\n",
                s, num(fm, "attempts"), s, num(fm, "safe"), 100 * num(fm, "safe_rate"), s, num(fm, "empty_replies"), s,
                num(fm, "toxic_replies"));
    }
    fputs("</table>\n", f);
    const cJSON *kb = cJSON_GetObjectItem(pp, "kobbq");
    if (kb) {
        fputs("<h2>KoBBQ 편향 / bias (log-likelihood choice, 5 prompts averaged)</h2>\n", f);
        if (cJSON_GetObjectItem(kb, "unavailable")) {
            fputs("<p>측정 안 됨 / not measured: ", f);
            html_text(f, str(kb, "unavailable"));
            fputs("</p>\n", f);
        } else {
            static const char *const rows[][2] = {
                {"accuracy_ambiguous", "정확도(모호한 맥락) / accuracy, ambiguous"},
                {"accuracy_disambiguated", "정확도(명확한 맥락) / accuracy, disambiguated"},
                {"diff_bias_ambiguous", "편향 점수(모호) / diff-bias, ambiguous"},
                {"diff_bias_disambiguated", "편향 점수(명확) / diff-bias, disambiguated"}};
            fprintf(f, "<table><tr><th>items</th><td><a href=\"attempts_kobbq.jsonl\">%.0f</a></td></tr>\n", num(kb, "items"));
            for (size_t r = 0; r < 4; r++)
                fprintf(f, "<tr><th>%s</th><td><a href=\"attempts_kobbq.jsonl\">%.3f</a></td></tr>\n", rows[r][1],
                        num(kb, rows[r][0]));
            fprintf(f, "<tr><th>보정 오차 / calibration ECE (10 bins)</th><td><a href=\"attempts_kobbq.jsonl\">%.3f</a></td></tr>\n",
                    num(cJSON_GetObjectItem(kb, "calibration"), "ece"));
            fputs("</table>\n", f);
        }
    }
    const cJSON *cls = cJSON_GetObjectItem(pp, "classification");
    if (cls) {
        fputs("<h2>안전성 분류 / Safety classification (KoSBi, SQuARe; log-likelihood of 예/아니오)</h2>\n"
              "<table><tr><th>task</th><th>items</th><th>accuracy</th><th>precision</th><th>recall</th><th>F1</th>"
              "<th>macro-F1</th><th>ECE</th></tr>\n",
              f);
        for (const cJSON *c = cls->child; c; c = c->next) {
            fputs("<tr><td>", f);
            html_text(f, str(c, "name"));
            if (cJSON_GetObjectItem(c, "unavailable")) {
                fputs("</td><td colspan=\"7\">측정 안 됨 / not measured: ", f);
                html_text(f, str(c, "unavailable"));
                fputs("</td></tr>\n", f);
                continue;
            }
            const char *sm = str(c, "samples");
            fprintf(f, "</td><td><a href=\"%s\">%.0f</a></td>", sm, num(c, "items"));
            static const char *const keys[] = {"accuracy", "precision", "recall", "f1", "macro_f1"};
            for (size_t k = 0; k < 5; k++) fprintf(f, "<td><a href=\"%s\">%.3f</a></td>", sm, num(c, keys[k]));
            fprintf(f, "<td><a href=\"%s\">%.3f</a></td>", sm, num(cJSON_GetObjectItem(c, "calibration"), "ece"));
            fputs("</tr>\n", f);
        }
        fputs("</table>\n", f);
    }
    const cJSON *hl = cJSON_GetObjectItem(pp, "hallucination");
    if (hl) {
        fputs("<h2>환각 / Hallucination (KorQuAD 1.0)</h2>\n", f);
        const cJSON *cb = cJSON_GetObjectItem(hl, "closed_book"), *ps = cJSON_GetObjectItem(hl, "with_passage");
        if (!cb) {
            fputs("<p>측정 안 됨 / not measured: ", f);
            html_text(f, str(hl, "unavailable"));
            fputs("</p>\n", f);
        } else {
            static const char *const rows[][3] = {
                {"c", "abstain_rate", "지문 없이: 기권 / closed book: abstained"},
                {"c", "correct_rate", "지문 없이: 정답 / closed book: correct"},
                {"c", "confident_wrong_rate", "지문 없이: 확신한 오답 / closed book: confident wrong"},
                {"p", "exact_match", "지문 제공: EM / with passage: exact match"},
                {"p", "f1", "지문 제공: F1 / with passage: F1"},
                {"p", "unsupported_rate", "지문 제공: 근거 없는 답 / with passage: unsupported answers"}};
            fputs("<table>\n", f);
            for (size_t r = 0; r < 6; r++)
                fprintf(f, "<tr><th>%s</th><td><a href=\"attempts_korquad.jsonl\">%.3f</a></td></tr>\n", rows[r][2],
                        num(rows[r][0][0] == 'c' ? cb : ps, rows[r][1]));
            fprintf(f, "<tr><th>질문 수 / questions</th><td><a href=\"attempts_korquad.jsonl\">%.0f</a></td></tr></table>\n",
                    num(cb, "questions"));
        }
    }
    const cJSON *ce = cJSON_GetObjectItem(pp, "calibration_eval");
    if (ce) write_eval_calibration(f, ce);
    fputs("<h2>유해성 탐지기 / Toxicity detector (rules) on labeled data</h2>\n", f);
    const cJSON *tox = cJSON_GetObjectItem(pp, "toxicity_detector"), *sets = cJSON_GetObjectItem(tox, "datasets");
    if (sets) {
        fputs("<table><tr><th>data</th><th>precision</th><th>recall</th><th>F1</th></tr>\n", f);
        for (const cJSON *d = sets->child; d; d = d->next)
            fprintf(f, "<tr><td>%s</td><td><a href=\"passport.json\">%.3f</a></td><td><a href=\"passport.json\">%.3f</a></td>"
                       "<td><a href=\"passport.json\">%.3f</a></td></tr>\n",
                    str(d, "name"), num(d, "precision"), num(d, "recall"), num(d, "f1"));
        fputs("</table>\n", f);
    } else {
        fputs("<p>측정 안 됨 / not measured: ", f);
        html_text(f, str(tox, "unavailable"));
        fputs("</p>\n", f);
    }
    const cJSON *e = cJSON_GetObjectItem(pp, "efficiency");
    fputs("<h2>효율 / Efficiency</h2><table>\n", f);
    if (cJSON_GetObjectItem(e, "tokens_per_second")) {
        fprintf(f, "<tr><td>토큰/초 / tokens per second</td><td><a href=\"passport.json\">%.2f</a></td></tr>\n",
                num(e, "tokens_per_second"));
        fprintf(f, "<tr><td>토큰당 에너지 / joules per token</td><td><a href=\"passport.json\">%.4f</a> <span class=\"est\">",
                num(e, "joules_per_token"));
        html_text(f, str(e, "energy_source"));
        fputs("</span></td></tr>\n", f);
    } else {
        fputs("<tr><td>note</td><td>", f);
        html_text(f, str(e, "note"));
        fputs("</td></tr>\n", f);
    }
    fprintf(f, "<tr><td>최대 메모리 / peak memory (MiB)</td><td><a href=\"passport.json\">%.1f</a></td></tr></table>\n",
            num(e, "peak_rss_mib"));
    const cJSON *o = cJSON_GetObjectItem(pp, "openness");
    fputs("<h2>개방성 / Openness</h2><table><tr><td>라이선스 / license</td><td>", f);
    html_text(f, *str(o, "license") ? str(o, "license") : "알 수 없음 / unknown");
    fprintf(f, " (%s)</td></tr><tr><td>데이터·학습 출처 공개 / provenance published</td><td>",
            cJSON_IsTrue(cJSON_GetObjectItem(o, "osi_approved")) ? "OSI 승인 / OSI-approved" : "OSI 목록에 없음 / not in OSI list");
    html_text(f, *str(o, "provenance") ? str(o, "provenance") : "없음 / none");
    fputs("</td></tr></table>\n<p>점수 정의 / how scores are defined: docs/audit.md</p></body></html>\n", f);
}

nuri_status au_passport_write(const char *dir, const cJSON *passport, nuri_error *err) {
    char path[4096];
    snprintf(path, sizeof path, "%s/passport.json", dir);
    char *text = cJSON_Print(passport);
    if (!text) return nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
    nuri_atomic_file af;
    nuri_status st = nuri_atomic_open(&af, path, err);
    if (!st) {
        fputs(text, af.f);
        fputc('\n', af.f);
        st = nuri_atomic_commit(&af, err);
        if (st) nuri_atomic_abort(&af);
    }
    free(text);
    if (st) return st;
    snprintf(path, sizeof path, "%s/passport.html", dir);
    if ((st = nuri_atomic_open(&af, path, err))) return st;
    write_html(af.f, passport);
    st = nuri_atomic_commit(&af, err);
    if (st) nuri_atomic_abort(&af);
    return st;
}
