#!/usr/bin/env python3
"""Reference vectors for nuri eval's unit tests, computed with the libraries whose
behaviour nuri reproduces, and written to tests/data/eval/:

  dsv_cases.json      pandas.read_csv (as the Hugging Face copies of KoBEST and KMMLU were
                      read) on small TSV/CSV inputs: header and rows, every cell a string.
  metrics_cases.json  sklearn.metrics.f1_score(average="macro") (KoBEST's f1),
                      lm_eval.api.metrics.mean_stderr / pooled_sample_stderr, and KorQuAD
                      1.0's exact match and character F1 (evaluate-v1.0.py, transcribed below).

Needs pandas, scikit-learn and lm-eval (e.g. a venv with `pip install lm-eval pandas`).
Usage: ref_eval_cases.py [OUTDIR]   (default tests/data/eval)
"""
import io
import json
import os
import random
import re
import string
import sys
from collections import Counter

import pandas as pd
from sklearn.metrics import f1_score
from lm_eval.api.metrics import mean_stderr, pooled_sample_stderr

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

DSV = [
    ("tsv", "\t", b"ID\tText\tAnswer\r\n1\tplain text\tTrue\r\n2\tsecond row\tFALSE"),
    ("tsv_lf_final", "\t", b"a\tb\nx\ty\nz\tw\n"),
    ("tsv_quoted", "\t", b'a\tb\n"he said ""hi""\tthere"\t2\n"line one\nline two"\t3\n'),
    ("tsv_quote_then_text", "\t", '제목\t본문\n"민음사"(民音社)는 출판사\t1\n'.encode()),
    ("tsv_inner_quotes", "\t", b'a\tb\nsay "yes" now\t1\n'),
    ("tsv_blank_lines", "\t", b"a\tb\n\n1\t2\r\n\r\n3\t4\n"),
    ("tsv_bom", "\t", "\ufeffq\tans\n질문\t1\n".encode()),
    ("tsv_cr_only", "\t", b"a\tb\r1\t2\r3\t4"),
    ("tsv_empty_cells", "\t", b"a\tb\tc\n\t\t\nx\t\tz\n"),
    ("csv_commas", ",", '질문,answer,A,B\n"1, 2, 3 중 옳은 것은?",3,"가, 나",다\n'.encode()),
    ("csv_multiline", ",", b'question,answer\n"first line\r\nsecond line",1\r\nq2,2\r\n'),
]


def dsv_cases():
    out = []
    for name, sep, data in DSV:
        df = pd.read_csv(io.BytesIO(data), sep=sep, dtype=str, keep_default_na=False, na_filter=False,
                         encoding="utf-8")
        out.append({"name": name, "sep": sep, "input": data.decode("utf-8"),
                    "header": list(df.columns), "rows": df.values.tolist()})
    return out


# ---- KorQuAD 1.0 evaluate-v1.0.py, the official script's semantics ----------------------


def korquad_normalize(s):
    for ch in ["'", '"', "《", "》", "<", ">", "〈", "〉", "(", ")", "‘", "’"]:
        s = s.replace(ch, " ")
    s = s.lower()
    s = "".join(ch for ch in s if ch not in set(string.punctuation))
    return " ".join(s.split())


def korquad_f1(pred, truth):
    p = [c for tok in korquad_normalize(pred).split() for c in tok]
    g = [c for tok in korquad_normalize(truth).split() for c in tok]
    same = sum((Counter(p) & Counter(g)).values())
    if same == 0:
        return 0.0
    pr, rc = same / len(p), same / len(g)
    return 2 * pr * rc / (pr + rc)


def korquad_em(pred, truth):
    return float(korquad_normalize(pred) == korquad_normalize(truth))


KORQUAD = [
    ("1989년 2월 15일", ["1989년 2월 15일"]),
    (" 1989년 2월 15일입니다", ["1989년 2월 15일"]),
    ("《임수경》", ["임수경"]),
    ("'임수경'(林秀卿)", ["임수경"]),
    ("The  Beatles!", ["the beatles"]),
    ("\u3000서울\u00a0특별시 ", ["서울 특별시"]),
    ("완전히 다른 답", ["정답", "다른 정답"]),
    ("İstanbul", ["i̇stanbul"]),
    ("〈한국〉의 ‘역사’", ["한국의 역사"]),
    ("", ["무언가"]),
    ("a-b-c", ["abc"]),
    ("가나다", ["다나가", "가나"]),
]


def metrics_cases():
    rnd = random.Random(20240611)
    f1 = []
    for n_labels, n in [(2, 50), (2, 7), (4, 40), (4, 9), (3, 30)]:
        gold = [rnd.randrange(n_labels) for _ in range(n)]
        pred = [rnd.randrange(n_labels) for _ in range(n)]
        f1.append({"gold": gold, "pred": pred, "macro_f1": f1_score(gold, pred, average="macro")})
    # a label only the prediction uses, and one no side uses
    gold, pred = [0, 0, 1, 1, 0], [0, 3, 1, 1, 1]
    f1.append({"gold": gold, "pred": pred, "macro_f1": f1_score(gold, pred, average="macro")})
    stderr = []
    for n in [2, 5, 50, 333]:
        x = [float(rnd.random() < 0.4) for _ in range(n)]
        stderr.append({"x": x, "mean_stderr": mean_stderr(x)})
    pooled = []
    for k in [2, 4]:
        se = [rnd.uniform(0.01, 0.05) for _ in range(k)]
        sizes = [rnd.randrange(50, 1000) for _ in range(k)]
        pooled.append({"se": se, "sizes": sizes, "pooled": float(pooled_sample_stderr(se, sizes))})
    kq = [{"pred": p, "answers": a, "em": max(korquad_em(p, t) for t in a), "f1": max(korquad_f1(p, t) for t in a),
           "normalized": korquad_normalize(p)} for p, a in KORQUAD]
    return {"macro_f1": f1, "mean_stderr": stderr, "pooled_stderr": pooled, "korquad": kq}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "tests", "data", "eval")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "dsv_cases.json"), "w", encoding="utf-8") as f:
        json.dump({"pandas": pd.__version__, "cases": dsv_cases()}, f, ensure_ascii=False, indent=1)
        f.write("\n")
    with open(os.path.join(out, "metrics_cases.json"), "w", encoding="utf-8") as f:
        json.dump(metrics_cases(), f, ensure_ascii=False, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
