#!/usr/bin/env python3
"""The reference tokenizer (llama.cpp through llama-cpp-python, vocab only) for nuri's
tokenizer work.

  tokenize_ref.py time VOCAB.gguf FILE
      tokenize FILE as one text (no special tokens); print the token count and MB/s
  tokenize_ref.py roundtrip OUT [VOCAB_DIR]
      for every ggml-vocab-*.gguf of VOCAB_DIR (default ../shared/vocab), which of its .inp
      strings and of korean.inp the reference gives back unchanged from
      detokenize(tokenize(s)) (no special tokens added or parsed, none removed or rendered);
      writes OUT (tests/data/tokenizer/roundtrip.txt)
  tokenize_ref.py vectors OUTDIR [VOCAB_DIR] [MODEL.gguf ...]
      writes OUTDIR/mixed.inp (fixed pseudo-random mixes of spaces, Korean, digits,
      punctuation, special-token texts and invalid UTF-8) and, for every vocabulary,
      OUTDIR/mixed.NAME.out (no special tokens added or parsed) and
      OUTDIR/mixed.NAME.special.out (added and parsed), in the format of shared/vocab;
      for each MODEL.gguf also OUTDIR/korean.STEM.out (shared/vocab/korean.inp) and the
      two mixed files, named by the file's stem
  tokenize_ref.py compare NURI VOCAB.gguf [N]
      compare `NURI tokenize --inp` with the reference on the test strings of VOCAB_DIR,
      N random mixes of tricky pieces (default 500) and corpus lines, with and without
      special tokens; print the mismatches
  tokenize_ref.py heldout MODEL.gguf TSV N OUT
      the ids (no special tokens) of the `document` column of TSV's first N rows, one line
      each (tests/data/nuri-ko/nsmc_eval.ids: held-out NSMC reviews for the shipped model)

Run it with the Python that has llama_cpp (/work/venv-dev/bin/python).
"""
import ctypes
import os
import random
import subprocess
import sys
import tempfile
import time

SEP = b"\n__ggml_vocab_test__\n"
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_VOCAB = os.path.join(HERE, "..", "..", "shared", "vocab")


class Ref:
    """llama.cpp's vocabulary of one GGUF file."""

    def __init__(self, path):
        from llama_cpp import llama_cpp as C

        self.C = C
        C.llama_backend_init()
        p = C.llama_model_default_params()
        p.vocab_only = True
        self.model = C.llama_model_load_from_file(path.encode(), p)
        if not self.model:
            raise RuntimeError(f"{path}: the reference cannot load it")
        self.vocab = C.llama_model_get_vocab(self.model)

    def tokenize(self, b, add_special=False, parse_special=False):
        C = self.C
        n = len(b) + 16
        buf = (C.llama_token * n)()
        r = C.llama_tokenize(self.vocab, b, len(b), buf, n, add_special, parse_special)
        if r < 0:
            n = -r
            buf = (C.llama_token * n)()
            r = C.llama_tokenize(self.vocab, b, len(b), buf, n, add_special, parse_special)
        return list(buf[:r])

    def detokenize(self, ids, remove_special=False, unparse_special=False):
        C = self.C
        arr = (C.llama_token * max(1, len(ids)))(*ids)
        n = 64 + 16 * len(ids)
        buf = ctypes.create_string_buffer(n)
        r = C.llama_detokenize(self.vocab, arr, len(ids), buf, n, remove_special, unparse_special)
        if r < 0:
            n = -r
            buf = ctypes.create_string_buffer(n)
            r = C.llama_detokenize(self.vocab, arr, len(ids), buf, n, remove_special, unparse_special)
        return buf.raw[:r]

    def n_vocab(self):
        return self.C.llama_vocab_n_tokens(self.vocab)

    def special_texts(self):
        C = self.C
        out = []
        for i in range(self.n_vocab()):
            if C.llama_vocab_get_attr(self.vocab, i) & (1 | 8 | 16):  # unknown, control, user-defined
                out.append(C.llama_vocab_get_text(self.vocab, i))
        return out


def read_inp(path):
    return open(path, "rb").read().split(SEP)[:-1]


def reference_id():
    sys.path.insert(0, os.path.join(HERE, "..", "scripts"))
    try:
        from reflib import reference_id as rid

        return rid()
    except Exception:
        import llama_cpp

        return {"llama_cpp_python": llama_cpp.__version__, "llama_cpp_commit": "unknown"}


def cmd_time(vocab, path):
    r = Ref(vocab)
    data = open(path, "rb").read()
    t = time.perf_counter()
    ids = r.tokenize(data)
    dt = time.perf_counter() - t
    print(f"tokens: {len(ids)}\nbytes: {len(data)}\nseconds: {dt:.4f}\nMB/s: {len(data) / 1e6 / dt:.2f}")


def cmd_roundtrip(out, vocab_dir):
    vocab_dir = os.path.abspath(vocab_dir)
    korean = read_inp(os.path.join(vocab_dir, "korean.inp"))
    rid = reference_id()
    lines = [
        "# Which test strings the reference gives back unchanged from detokenize(tokenize(s)):",
        "# no special tokens added or parsed, none removed or rendered. One line per vocabulary",
        "# and string set (inp: its own .inp, korean: korean.inp): the indexes that round-trip.",
        f"# Made by bench/tokenize_ref.py roundtrip with llama-cpp-python {rid['llama_cpp_python']}"
        f" (llama.cpp {rid['llama_cpp_commit']}).",
    ]
    for name in sorted(os.listdir(vocab_dir)):
        if not name.endswith(".gguf"):
            continue
        r = Ref(os.path.join(vocab_dir, name))
        sets = [("korean", korean)]
        inp = os.path.join(vocab_dir, name + ".inp")
        if os.path.exists(inp):
            sets.insert(0, ("inp", read_inp(inp)))
        for set_name, strs in sets:
            ok = [str(i) for i, s in enumerate(strs) if r.detokenize(r.tokenize(s)) == s]
            lines.append(f"{name} {set_name} {len(strs)} " + " ".join(ok))
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")


def random_strings(ref, n, seed):
    rnd = random.Random(seed)
    pieces = [
        b"hello", b"Hello", b" world", b"I'm", b"'s", b"'LL", b"'Ve", b"don't", b" ", b"  ", b"   ",
        b"\t", b"\n", b"\r\n", b"\n\n", b" \n ", "안녕하세요".encode(), "대한민국".encode(),
        " 한국어".encode(), "ㅋㅋ".encode(), "ᄒᆞᆫ".encode(), "가".encode(), "漢字".encode(),
        "日本語".encode(), "😀".encode(), "🇰🇷".encode(), "é".encode(), "e\u0301".encode(),
        "Ａ１".encode(), "\u00a0".encode(), "\u3000".encode(), "\u2028".encode(), "\u200b".encode(),
        "\u0085".encode(), "·".encode(), b"123", b"1234567", b"3.14", b"12,500", "１２３".encode(),
        "٣".encode(), "Ⅻ".encode(), "½".encode(), b"!!", b"...", b"?", b",", b"--", b"$", b"+", b"<",
        b">", b"=", b"^", b"`", b"|", b"~", b"@", b"#", b"%", b"&", b"*", b"(", b")", b"[", b"]",
        b"{", b"}", b"_", b"\\", b"/", b"'", b'"', "“”‘’「」…、。！？".encode(), "—".encode(),
        "€".encode(), "™".encode(), "ø".encode(), "õ".encode(), b" " * 20, b"\x00", b"\x01",
        b"\x1f", b"\x7f",
        # invalid UTF-8 the reference survives (it throws on sequences above U+10FFFF)
        b"\x80", b"\xbf", b"\xc3", b"\xe2\x82", b"\xed\xa0\x80", b"\xc0\x80", b"\xf0\x9f", b"\xff",
        b"\xfe", "\ufffd".encode(),
    ]
    specials = ref.special_texts()
    for t in rnd.sample(specials, min(60, len(specials))):
        pieces += [t, b" " + t + b"  "]
    return [b"".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 12))) for _ in range(n)]


SPECIAL_TEXTS = [
    b"<s>", b"</s>", b"<unk>", b"<|endoftext|>", b"<|im_start|>", b"<|im_end|>", b"<think>",
    b"</think>", b"<|begin_of_text|>", b"<|eot_id|>", b"<|start_header_id|>", b"[CLS]", b"[SEP]",
    b"[MASK]", "<｜begin▁of▁sentence｜>".encode(), b">>TITLE<<", b"<fim_prefix>", b"<|assistant|>",
    b"<|end|>", b"<|padding|>", b"[PAD32250]", b"<|fim_pad|>", b"<filename>", b" " * 24,
    b" " * 7, "õ".encode(), "ø".encode(),
]


def cmd_vectors(outdir, vocab_dir, models=()):
    rnd = random.Random(20250301)
    pieces = [
        b"hello", b" World", b"I'm", b"'s", b"'LL", b" ", b"  ", b"   ", b"\t", b"\n", b"\r\n",
        b"\n\n", "안녕하세요".encode(), " 대한민국".encode(), "ㅋㅋ".encode(), "ᄒᆞᆫ".encode(),
        "漢字".encode(), "😀".encode(), "e\u0301".encode(), "Ａ１".encode(), "\u00a0".encode(),
        "\u3000".encode(), "\u200b".encode(), b"123", b"1234567", b"12,500", "１２３".encode(),
        b"!!", b"...", b"?", b"$", b"`", b"|", "“”「」…、。".encode(), b"\x00", b"\x7f",
        b"\x80", b"\xc3", b"\xe2\x82", b"\xed\xa0\x80", b"\xc0\x80", b"\xf0\x9f", b"\xff",
    ] + SPECIAL_TEXTS + [b" " + t + b"  " for t in SPECIAL_TEXTS[:12]]
    strs = [b"".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 10))) for _ in range(120)]
    strs = [s for s in dict.fromkeys(strs) if SEP not in s + b"\n"]
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, "mixed.inp"), "wb") as f:
        for s in strs:
            f.write(s + SEP)
    def write(path, r, strings, add, parse):
        with open(path, "w") as f:
            for s in strings:
                f.write("".join(f" {i}" for i in r.tokenize(s, add, parse)) + "\n")

    paths = [os.path.join(vocab_dir, n) for n in sorted(os.listdir(vocab_dir)) if n.endswith(".gguf")]
    korean = read_inp(os.path.join(vocab_dir, "korean.inp"))
    for path in paths + list(models):
        name = os.path.basename(path)
        r = Ref(path)
        base = name[len("ggml-vocab-"):-len(".gguf")] if name.startswith("ggml-vocab-") else name[:-len(".gguf")]
        write(os.path.join(outdir, f"mixed.{base}.out"), r, strs, False, False)
        write(os.path.join(outdir, f"mixed.{base}.special.out"), r, strs, True, True)
        if path in models:
            write(os.path.join(outdir, f"korean.{base}.out"), r, korean, False, False)


def nuri_ids(nuri, vocab, strs, flags):
    with tempfile.NamedTemporaryFile(suffix=".inp", delete=False) as f:
        for s in strs:
            f.write(s + SEP)
        tmp = f.name
    try:
        out = subprocess.run([nuri, "tokenize", "-m", vocab, "--inp", tmp] + flags,
                             capture_output=True, check=True).stdout
    finally:
        os.unlink(tmp)
    return [[int(x) for x in line.split()] for line in out.split(b"\n")[: len(strs)]]


def cmd_compare(nuri, vocab, n):
    r = Ref(vocab)
    strs = read_inp(os.path.join(DEFAULT_VOCAB, "korean.inp"))
    for name in sorted(os.listdir(DEFAULT_VOCAB)):
        if name.endswith(".inp") and name != "korean.inp":
            strs += read_inp(os.path.join(DEFAULT_VOCAB, name))
    strs += random_strings(r, n, 1)
    corpus = os.path.join(DEFAULT_VOCAB, "..", "data", "corpus", "kocohub_comments.txt")
    if os.path.exists(corpus):
        lines = open(corpus, "rb").read().split(b"\n")
        strs += random.Random(2).sample(lines, min(200, len(lines)))
    strs = list(dict.fromkeys(s for s in strs if SEP not in s + b"\n"))
    bad = 0
    for flags, add, parse in (([], False, False), (["--add-special", "--parse-special"], True, True)):
        mine = nuri_ids(nuri, vocab, strs, flags)
        for s, m in zip(strs, mine):
            want = r.tokenize(s, add, parse)
            if m != want:
                bad += 1
                if bad <= 10:
                    print(f"MISMATCH {flags} {s!r}\n  reference {want}\n  nuri      {m}")
    print(f"{os.path.basename(vocab)}: {len(strs)} strings x 2 settings, {bad} mismatches")
    return 1 if bad else 0


def cmd_heldout(model, tsv, n, out):
    r = Ref(model)
    with open(tsv, "rb") as f:
        header = f.readline().rstrip(b"\r\n").split(b"\t")
        col = header.index(b"document")
        docs = [line.rstrip(b"\r\n").split(b"\t")[col] for line, _ in zip(f, range(n))]
    with open(out, "w") as f:
        for d in docs:
            f.write("".join(f" {i}" for i in r.tokenize(d, False, False)) + "\n")
    print(f"{out}: {len(docs)} documents")


def main(argv):
    if len(argv) >= 4 and argv[1] == "time":
        return cmd_time(argv[2], argv[3])
    if len(argv) >= 3 and argv[1] == "roundtrip":
        return cmd_roundtrip(argv[2], argv[3] if len(argv) > 3 else DEFAULT_VOCAB)
    if len(argv) >= 3 and argv[1] == "vectors":
        return cmd_vectors(argv[2], argv[3] if len(argv) > 3 else DEFAULT_VOCAB, argv[4:])
    if len(argv) >= 4 and argv[1] == "compare":
        return cmd_compare(argv[2], argv[3], int(argv[4]) if len(argv) > 4 else 500)
    if len(argv) >= 6 and argv[1] == "heldout":
        return cmd_heldout(argv[2], argv[3], int(argv[4]), argv[5])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv) or 0)
