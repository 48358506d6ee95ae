#!/usr/bin/env python3
"""nuri and Microsoft Presidio on the labeled Korean PII test set, per type.

    python3 -m venv /work/venv-presidio && /work/venv-presidio/bin/pip install presidio-analyzer
    /work/venv-presidio/bin/python scripts/pii_presidio_compare.py --nuri build/nuri \
        [--set tests/data/pii/ko_pii_testset.jsonl] [--threshold 0.3] [--out table.md]

Presidio is configured without any downloaded model: its NLP engine is a blank spaCy
pipeline ("xx", whitespace and punctuation tokens, a lemma = the lower-cased token so
that Presidio's context words can match), registered for the language "ko". Every
predefined recognizer class the installed version exports is instantiated for "ko"
(Korean ones KR_* included; they are disabled in Presidio's default configuration),
except those that need a model, an NLP engine's entities or a web service (spaCy,
Stanza, transformers, GLiNER, Azure, LangExtract). The phone recognizer is given the
region KR (its default regions do not include Korea). Results below --threshold are
dropped.

Spans are matched per type: a prediction is a true positive when type, start and end
equal a label (exact), or, in the overlap columns, when it overlaps a label of its type
(each label matched once). Offsets are UTF-8 bytes for both tools (Presidio's character
offsets are converted).
"""
import argparse
import collections
import json
import subprocess
import sys

TYPES = ["RRN", "FRN", "PHONE", "EMAIL", "CARD", "ACCOUNT", "PASSPORT", "DRIVER", "BRN", "IP", "ADDRESS"]

# Presidio entity -> test-set type: its Korean recognizers (KR_*) and the generic ones
# (phone, e-mail, card, IP). Presidio has no Korean account or address recognizer; its
# only bank-account one, US_BANK_NUMBER (8-17 digits), is counted as ACCOUNT so that the
# ACCOUNT row shows what it would give. Everything else it reports (dates, US and other
# countries' numbers, URLs, ...) is listed, not scored.
PRESIDIO_MAP = {
    "KR_RRN": "RRN", "KR_FRN": "FRN", "KR_BRN": "BRN", "KR_PASSPORT": "PASSPORT",
    "KR_DRIVER_LICENSE": "DRIVER", "KR_DRIVERS_LICENSE": "DRIVER", "KR_BANK_ACCOUNT": "ACCOUNT",
    "KR_PHONE_NUMBER": "PHONE", "PHONE_NUMBER": "PHONE", "EMAIL_ADDRESS": "EMAIL",
    "CREDIT_CARD": "CARD", "IP_ADDRESS": "IP",
    "US_BANK_NUMBER": "ACCOUNT",
}


def load_set(path):
    return [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]


def nuri_predict(nuri, docs):
    """nuri pii detect on each text (one process per text: offsets are per input)."""
    preds = []
    for d in docs:
        out = subprocess.run([nuri, "pii", "detect"], input=d["text"].encode("utf-8"), capture_output=True,
                             check=True).stdout.decode("utf-8")
        preds.append([(o["type"], o["start"], o["end"]) for o in map(json.loads, out.splitlines())])
    return preds


class BlankKoreanNlpEngine:
    """Presidio NlpEngine over spacy.blank('xx'): tokens and lemmas, no model download."""

    def __init__(self):
        import spacy
        from spacy.language import Language

        if not Language.has_factory("nuri_lower_lemma"):
            @Language.component("nuri_lower_lemma")
            def lower_lemma(doc):
                for t in doc:
                    t.lemma_ = t.lower_
                return doc

        self.nlp = spacy.blank("xx")
        self.nlp.add_pipe("nuri_lower_lemma")

    def make(self):
        from presidio_analyzer.nlp_engine import SpacyNlpEngine

        engine = SpacyNlpEngine(models=[{"lang_code": "ko", "model_name": "blank-xx"}])
        engine.nlp = {"ko": self.nlp}
        return engine


# Recognizers that need a model, a service or an NLP engine's entities: not usable here.
SKIP = {"SpacyRecognizer", "StanzaRecognizer", "TransformersRecognizer", "GLiNERRecognizer",
        "HuggingFaceNerRecognizer", "MedicalNERRecognizer", "AzureHealthDeidRecognizer",
        "AzureAILanguageRecognizer", "AzureOpenAILangExtractRecognizer", "BasicLangExtractRecognizer",
        "LangExtractRecognizer", "PhoneRecognizer"}


def presidio_setup():
    import presidio_analyzer
    from importlib.metadata import version
    from presidio_analyzer import AnalyzerEngine, EntityRecognizer, RecognizerRegistry
    from presidio_analyzer import predefined_recognizers as pr

    nlp_engine = BlankKoreanNlpEngine().make()
    registry = RecognizerRegistry(supported_languages=["ko"])
    names = []
    for cls_name in sorted(getattr(pr, "__all__", dir(pr))):
        cls = getattr(pr, cls_name, None)
        if not isinstance(cls, type) or not issubclass(cls, EntityRecognizer) or cls_name in SKIP:
            continue
        try:
            rec = cls(supported_language="ko")
        except Exception:
            try:
                rec = cls()
            except Exception as e:  # needs arguments or a resource we do not have
                names.append("%s (not loaded: %s)" % (cls_name, type(e).__name__))
                continue
            rec.supported_language = "ko"
        registry.add_recognizer(rec)
        names.append(cls_name)
    phone = pr.PhoneRecognizer(supported_language="ko",
                               supported_regions=("KR", "US", "UK", "DE", "FE", "IL", "IN", "CA", "BR"))
    registry.add_recognizer(phone)
    names.append("PhoneRecognizer (regions KR plus the defaults US, UK, DE, FE, IL, IN, CA, BR)")
    analyzer = AnalyzerEngine(registry=registry, nlp_engine=nlp_engine, supported_languages=["ko"])
    return analyzer, version("presidio-analyzer"), names


def presidio_predict(analyzer, docs, threshold):
    preds, unmapped = [], collections.Counter()
    for d in docs:
        text = d["text"]
        # character offsets -> UTF-8 byte offsets
        byte_at = [0]
        for ch in text:
            byte_at.append(byte_at[-1] + len(ch.encode("utf-8")))
        out = []
        for r in analyzer.analyze(text=text, language="ko", score_threshold=threshold):
            t = PRESIDIO_MAP.get(r.entity_type)
            if t is None:
                unmapped[r.entity_type] += 1
                continue
            out.append((t, byte_at[r.start], byte_at[r.end]))
        preds.append(sorted(set(out)))
    return preds, unmapped


def score(docs, preds):
    """Per type: exact (tp, fp, fn) and overlap (tp, fp, fn)."""
    ex = {t: [0, 0, 0] for t in TYPES}
    ov = {t: [0, 0, 0] for t in TYPES}
    for d, pred in zip(docs, preds):
        gold = [(s["type"], s["start"], s["end"]) for s in d["spans"]]
        gs, ps = set(gold), set(pred)
        for t, a, b in ps:
            ex.setdefault(t, [0, 0, 0])
            ex[t][0 if (t, a, b) in gs else 1] += 1
        for t, a, b in gs - ps:
            ex[t][2] += 1
        used = set()
        for t, a, b in sorted(ps):
            ov.setdefault(t, [0, 0, 0])
            hit = next((g for g in gold if g[0] == t and g not in used and g[1] < b and a < g[2]), None)
            if hit:
                used.add(hit)
                ov[t][0] += 1
            else:
                ov[t][1] += 1
        for g in gold:
            if g not in used:
                ov[g[0]][2] += 1
    return ex, ov


def prf(c):
    tp, fp, fn = c
    p = tp / (tp + fp) if tp + fp else None
    r = tp / (tp + fn) if tp + fn else None
    f = 2 * p * r / (p + r) if p and r else (0.0 if p is not None and r is not None else None)
    return p, r, f


def fmt(x):
    return "-" if x is None else "%.3f" % x


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--nuri", default="build/nuri")
    ap.add_argument("--set", default="tests/data/pii/ko_pii_testset.jsonl")
    ap.add_argument("--threshold", type=float, default=0.3)
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    docs = load_set(a.set)
    nuri_preds = nuri_predict(a.nuri, docs)
    analyzer, version, names = presidio_setup()
    pres_preds, unmapped = presidio_predict(analyzer, docs, a.threshold)
    ne, no = score(docs, nuri_preds)
    pe, po = score(docs, pres_preds)
    n_spans = sum(len(d["spans"]) for d in docs)
    lines = ["Test set: %s, %d texts, %d labeled spans, %d without any. Presidio %s, score threshold %.2f."
             % (a.set, len(docs), n_spans, sum(1 for d in docs if not d["spans"]), version, a.threshold), "",
             "| type | spans | nuri P | nuri R | nuri F1 | Presidio P | Presidio R | Presidio F1 | "
             "nuri P/R (overlap) | Presidio P/R (overlap) |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for t in TYPES:
        gold = ne[t][0] + ne[t][2]
        n1, p1 = prf(ne[t]), prf(pe[t])
        n2, p2 = prf(no[t]), prf(po[t])
        lines.append("| %s | %d | %s | %s | %s | %s | %s | %s | %s / %s | %s / %s |" % (
            t, gold, fmt(n1[0]), fmt(n1[1]), fmt(n1[2]), fmt(p1[0]), fmt(p1[1]), fmt(p1[2]),
            fmt(n2[0]), fmt(n2[1]), fmt(p2[0]), fmt(p2[1])))
    lines.append("")
    lines.append("Presidio's results of entity types outside the test set's (not scored): %s"
                 % (", ".join("%s %d" % kv for kv in sorted(unmapped.items())) or "none"))
    lines.append("")
    lines.append("Presidio recognizers registered for \"ko\": " + "; ".join(names))
    text = "\n".join(lines) + "\n"
    if a.out:
        open(a.out, "w", encoding="utf-8").write(text)
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
