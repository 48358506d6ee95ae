#!/usr/bin/env python3
"""Reference outputs for nuri's chat-template tests.

Renders every template in ../shared/templates for every conversation in
tests/data/templates/conversations, with add_generation_prompt True and False, the way
the reference does it (llama-cpp-python's Jinja2ChatFormatter):
jinja2.sandbox.ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True),
variables messages, bos_token, eos_token, add_generation_prompt and raise_exception
(which raises with its message), plus the conversation file's other keys (tools,
enable_thinking). strftime_now is not passed, so templates fall back to their fixed
date. Writes tests/data/templates/expected/<template>.json; an input Jinja2 rejects is
recorded as an error (its class and message) and nuri must fail on it too.

Run: /work/venv-dev/bin/python scripts/gen_template_expected.py
"""
import json
import os
import sys

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.environ.get("NURI_SHARED", os.path.join(ROOT, "..", "shared"))
TEMPLATES = os.path.join(SHARED, "templates")
DATA = os.path.join(ROOT, "tests", "data", "templates")

# The BOS/EOS token texts each family's GGUF carries (tokenizer.ggml.{bos,eos}_token_id),
# matched by file-name prefix, first match wins.
FAMILY_TOKENS = [
    ("LGAI-EXAONE", "[BOS]", "[|endofturn|]"),
    ("google-gemma", "<bos>", "<eos>"),
    ("Qwen-", "<|endoftext|>", "<|im_end|>"),
    ("HuggingFaceTB-SmolLM2", "<|im_start|>", "<|im_end|>"),
    ("meta-llama-Llama-3", "<|begin_of_text|>", "<|eot_id|>"),
    ("NousResearch-Hermes", "<|begin_of_text|>", "<|im_end|>"),
    ("fireworks-ai-llama-3", "<|begin_of_text|>", "<|eot_id|>"),
    ("meetkai-functionary", "<|begin_of_text|>", "<|eot_id|>"),
    ("deepseek-ai-DeepSeek-R1", "<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>"),
    ("llama-cpp-deepseek-r1", "<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>"),
    ("CohereForAI", "<BOS_TOKEN>", "<|END_OF_TURN_TOKEN|>"),
    ("microsoft-Phi-3", "<s>", "<|endoftext|>"),
    ("mistralai-", "<s>", "</s>"),
]


class RaisedByTemplate(Exception):
    pass


def raise_exception(message):
    raise RaisedByTemplate(message)


def tokens_for(name):
    for prefix, bos, eos in FAMILY_TOKENS:
        if name.startswith(prefix):
            return bos, eos
    raise SystemExit(f"no BOS/EOS tokens known for {name}; add its family to FAMILY_TOKENS")


def error_record(e):
    if isinstance(e, RaisedByTemplate):
        return {"error": "raise_exception", "message": str(e)}
    return {"error": type(e).__name__, "message": str(e)}


# Small templates, each exercising one part of the Jinja subset, rendered with the same
# environment; written to tests/data/templates/snippets.json with Jinja2's output or error.
# A fourth element "unsupported" marks what nuri knowingly leaves out: there nuri must
# answer NURI_ERR_UNSUPPORTED.
SNIPPETS = [
    # whitespace control: trim_blocks, lstrip_blocks, -/+ markers, comments, raw
    ("ws_trim_blocks", "{% if true %}\nA\n{% endif %}\nB", {}),
    ("ws_lstrip", "x\n    {% if true %}\n    y\n    {% endif %}\nz", {}),
    ("ws_lstrip_not_var", "  {{ 'v' }}\n  {% if true %}k{% endif %}", {}),
    ("ws_lstrip_text_before", "a  {% if true %}b{% endif %}  c", {}),
    ("ws_minus", "a  \n {%- if true -%} \n b \n {%- endif -%}\n c", {}),
    ("ws_minus_var", "a \n {{- 'x' -}} \n b", {}),
    ("ws_plus", "a\n  {%+ if true +%}\nb{% endif %}", {}),
    ("ws_comment", "a\n  {# note #}\nb {#- x -#}  c{# y #}\nd", {}),
    ("ws_trailing_newline", "a\n", {}),
    ("ws_crlf", "a\r\n{% if true %}\r\nb\r\n{% endif %}\r\nc\r\n", {}),
    ("ws_unicode_space", "a\u3000{%- if true %}b{% endif %}", {}),
    ("ws_raw", "{% raw %}{{ not evaluated }}{% endraw %}|{%- raw -%}  x  {%- endraw -%}|", {}),
    ("ws_block_end_at_eof", "{% if true %}x{% endif %}\n\n", {}),
    # literals and printing (Python str())
    ("print_types", "{{ 1 }} {{ -2 }} {{ 1.0 }} {{ 0.1 + 0.2 }} {{ 1e20 }} {{ 1.5e-7 }} {{ none }} {{ true }} {{ False }}", {}),
    ("print_containers", "{{ [1, 'a', none, true, 2.5] }} {{ ('x',) }} {{ () }} {{ {'k': 'v', 'n': [1]} }}", {}),
    ("print_repr_quotes", "{{ ['it\\'s', 'say \"hi\"', 'both \\' \"', '\\n\\t\\\\', '\\x01\\x7f', '\u00a0\u3000\u200b', '한글😀'] }}", {}),
    ("print_undefined", "[{{ nothing }}]", {}),
    ("print_json_values", "{{ v }}", {"v": {"i": 1, "f": 1.0, "big": 12345678901234, "neg": -0.5, "e": 1e-07, "s": "한", "n": None, "b": False, "l": [1, [2, {}]]}}),
    ("string_escapes", "{{ 'a\\tb\\nc\\u00e9\\x41\\101\\q' }}|{{ \"dq'\" }}|{{ 'x' 'y' }}", {}),
    ("string_backslash_korean", "{{ '\\한' }}", {}),
    ("numbers_underscore", "{{ 1_000 }} {{ 1_0.5 }} {{ 0x1F }} {{ 0o17 }} {{ 0b101 }} {{ 2e3 }}", {}),
    # operators
    ("arith", "{{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }} {{ 7 % -3 }} {{ 7 / 2 }} {{ 2 ** 10 }} {{ 2 ** -1 }} {{ 2 ** 3 ** 2 }} {{ -2 ** 2 }}", {}),
    ("arith_float", "{{ 7.5 // 2 }} {{ -7.5 % 2 }} {{ 1 + 2.0 }} {{ 3 * 0.1 }} {{ 10 / 4 }} {{ true + 1 }} {{ 1e300 * 1e10 }}", {}),
    ("string_ops", "{{ 'ab' + 'cd' }} {{ 'ab' * 3 }} {{ 3 * 'x' }} {{ 'a' ~ 1 ~ none ~ 2.5 ~ true ~ undefined_name }} {{ [1] + [2] }} {{ [0] * 3 }}", {}),
    ("precedence", "{{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }} {{ 'a' ~ 'b' + 'c' }} {{ not 1 == 2 }} {{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }} {{ -3|abs }} {{ 'x' if false }}|", {}),
    ("logic_values", "{{ 0 or 'y' }} {{ 'x' and 0 }} {{ none or [] or 'z' }} {{ 1 and 2 }} {{ not none }}", {}),
    ("compare", "{{ 1 == 1.0 }} {{ 1 == true }} {{ 'a' < 'b' }} {{ '가' > 'z' }} {{ [1, 2] < [1, 3] }} {{ (1, 2) == (1, 2) }} {{ [1] == (1,) }} {{ none == none }} {{ {'a': 1} == {'a': 1} }}", {}),
    ("compare_error", "{{ 1 < 'a' }}", {}),
    ("in_ops", "{{ 'b' in 'abc' }} {{ 'x' not in 'abc' }} {{ 2 in [1, 2] }} {{ 'k' in {'k': 1} }} {{ '' in 'a' }} {{ 'a' in undefined_name }}", {}),
    ("in_error", "{{ 1 in 'abc' }}", {}),
    ("add_error", "{{ 'a' + 1 }}", {}),
    ("undefined_add_error", "{{ undefined_name + 'a' }}", {}),
    ("undefined_attr_error", "{{ undefined_name.attr }}", {}),
    ("div_zero", "{{ 1 / 0 }}", {}),
    # access
    ("access", "{{ d.a }} {{ d['a'] }} {{ d.missing }}|{{ l[0] }} {{ l[-1] }} {{ l[5] }}|{{ s[1] }} {{ s[-1] }} {{ l.0 }}", {"d": {"a": "A"}, "l": [10, 20, 30], "s": "가나다"}),
    ("access_none", "{{ n.x }}|{{ n['x'] }}|{{ 'abc'.q }}|{{ 'abc'['q'] }}|{{ s[0]['text'] }}", {"n": None, "s": "abc"}),
    ("slices", "{{ l[1:] }} {{ l[:-1] }} {{ l[::-1] }} {{ l[::2] }} {{ l[5:] }} {{ l[-100:2] }} {{ s[1:] }} {{ s[::-1] }} {{ s[-2:] }}", {"l": [1, 2, 3, 4], "s": "안녕하세요"}),
    ("dict_method_vs_key", "{{ d.items is defined }} {{ d['items'] }} {{ d.get('a') }} {{ d.get('zz', 'dflt') }} {{ d.get('zz') }}", {"d": {"a": 1, "items": "key"}}),
    ("dict_methods", "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %} {{ d.keys()|list }} {{ d.values()|list }} {{ d.items() }}", {"d": {"b": 2, "a": 1}}),
    ("unsafe_method", "{{ l.append is defined }} {{ d.update is defined }}", {"l": [], "d": {}}),
    ("unsafe_method_call", "{{ l.append(1) }}", {"l": []}),
    # string methods
    ("str_strip", "[{{ s.strip() }}] [{{ s.lstrip() }}] [{{ s.rstrip() }}] [{{ 'xxaxx'.strip('x') }}] [{{ '\\n\\na\\n'.lstrip('\\n') }}]", {"s": " \u3000 공백 \t\n"}),
    ("str_split", "{{ 'a,b,,c'.split(',') }} {{ ' a  b \\t c '.split() }} {{ 'a b c'.split(' ', 1) }} {{ 'a b c'.rsplit(' ', 1) }} {{ '  x y  '.split(None, 1) }} {{ ''.split() }} {{ ''.split(',') }}", {}),
    ("str_split_think", "{{ c.split('</think>')[-1].lstrip('\\n') }}|{{ c.split('</think>')[0].rstrip('\\n').split('<think>')[-1].lstrip('\\n') }}", {"c": "<think>\n추론\n</think>\n\n답"}),
    ("str_affix", "{{ s.startswith('안') }} {{ s.endswith('요') }} {{ s.startswith(('x', '안')) }} {{ s.endswith('x') }}", {"s": "안녕하세요"}),
    ("str_case", "{{ 'Hello World'.upper() }} {{ 'ABC'.lower() }} {{ 'hello world'.title() }} {{ 'hELLO'.capitalize() }} {{ 'aBc'.swapcase() }} {{ '한글'.upper() }}", {}),
    ("str_misc", "{{ 'a-b-c'.replace('-', '+') }} {{ 'aaa'.replace('a', 'b', 2) }} {{ 'ab'.replace('', '.') }} {{ 'hello'.find('l') }} {{ 'hello'.rfind('l') }} {{ 'hello'.find('z') }} {{ 'banana'.count('an') }} {{ ', '.join(['x', 'y']) }} {{ '12'.isdigit() }} {{ 'ab'.isalpha() }} {{ 'abc'.islower() }}", {}),
    ("str_split_empty_sep", "{{ 'ab'.split('') }}", {}),
    ("str_pad", "[{{ 'ab'.center(7) }}] [{{ 'abc'.center(6, '*') }}] [{{ 'a'.ljust(3) }}] [{{ 'a'.rjust(3, '0') }}] [{{ '42'.zfill(5) }}] [{{ '-4'.zfill(4) }}] [{{ '가'.center(4) }}]", {}),
    ("str_unsupported_method", "{{ 'x'.format(1) }}", {}, "unsupported"),
    # filters
    ("f_trim", "[{{ s|trim }}] [{{ 'xxhixx'|trim('x') }}] [{{ none|trim }}] [{{ 5|trim }}]", {"s": "\u3000\n 내용 \u00a0\t"}),
    ("f_length", "{{ '한글abc'|length }} {{ [1, 2]|length }} {{ {'a': 1}|count }} {{ undefined_name|length }}", {}),
    ("f_length_error", "{{ 5|length }}", {}),
    ("f_default", "{{ undefined_name|default('d') }} {{ none|default('d') }} {{ ''|default('d', true) }} {{ 0|d(7, boolean=true) }} {{ 'v'|default('d') }} [{{ undefined_name|default }}]", {}),
    ("f_string_upper_lower", "{{ 5|string ~ 'x' }} {{ [1]|string }} {{ 'aB'|upper }} {{ 'aB'|lower }} {{ 'hello wORLD-x(y'|title }} {{ 'hELLO'|capitalize }}", {}),
    ("f_join", "{{ [1, 'a', none]|join(', ') }} {{ 'abc'|join('-') }} {{ l|join(',', attribute='n') }} {{ []|join('x') }}", {"l": [{"n": 1}, {"n": 2}]}),
    ("f_first_last", "{{ [3, 4]|first }} {{ [3, 4]|last }} {{ 'abc'|first }} [{{ []|first }}] {{ {'k': 1, 'j': 2}|first }}", {}),
    ("f_list_reverse", "{{ 'abc'|list }} {{ 'abc'|reverse }} {{ [1, 2, 3]|reverse|list }} {{ {'a': 1}|list }} {{ undefined_name|list }}", {}),
    ("f_items", "{% for k, v in d|items %}{{ k }}:{{ v }} {% endfor %}{% for x in undefined_name|items %}never{% endfor %}", {"d": {"z": 1, "a": [2]}}),
    ("f_items_error", "{{ [1]|items|list }}", {}),
    ("f_tojson", "{{ v|tojson }}", {"v": {"b": [1, 2.5, None, True], "a": "한<>&'\"\\\n😀\u007f", "c": {}, "d": []}}),
    ("f_tojson_indent", "{{ v|tojson(indent=2) }}|{{ v|tojson(4) }}|{{ []|tojson(indent=2) }}", {"v": {"b": [1, {"x": None}], "a": {}}}),
    ("f_tojson_generator_error", "{{ [1, 2]|map('string')|tojson }}", {}),
    ("f_tojson_undefined_error", "{{ undefined_name|tojson }}", {}),
    ("f_tojson_markup_concat", "{{ 'x' + 1|tojson }}|{{ '<a>' + [1]|tojson }}|{{ ('<' ~ 1|tojson) }}|{{ ('\"q\"'|tojson)[1:-1] }}", {}),
    ("f_safe_escape", "{{ '<b>'|safe + '<i>' }}|{{ '<b>&\\'\"'|e }}|{{ ('a'|safe).upper() }}|{{ '<x>'|safe|replace('x', '&') }}", {}),
    ("f_indent", "{{ 'a\\nb\\n\\nc'|indent }}|{{ 'a\\nb'|indent(2, first=true) }}|{{ 'a\\n\\nb'|indent(2, blank=true) }}|{{ 'x\\ny'|indent('> ') }}|{{ 'end\\n'|indent(1) }}", {}),
    ("f_replace", "{{ 'aaa'|replace('a', 'b') }} {{ 'aaa'|replace('a', 'b', 2) }} {{ 5|replace('5', 'five') }}", {}),
    ("f_map_select", "{{ l|map(attribute='n')|list }} {{ l|map(attribute='q', default='-')|list }} {{ l|selectattr('n', 'equalto', 2)|list }} {{ l|rejectattr('n', 'equalto', 2)|map(attribute='n')|list }} {{ l|selectattr('ok')|list|length }} {{ [1, 2, 3, 4]|select('odd')|list }} {{ [1, 0, 2]|select|list }} {{ ['a', 'b']|reject('equalto', 'a')|list }} {{ ['a', 'B']|map('upper')|join }}", {"l": [{"n": 1, "ok": True}, {"n": 2, "ok": False}]}),
    ("f_map_falsy", "{{ none|map(attribute='x')|list }} {{ none|selectattr('x')|list }}", {}),
    ("f_map_generator_len_error", "{{ [1]|map('string')|length }}", {}),
    ("f_unique_sort", "{{ ['b', 'A', 'a', 'B']|unique|list }} {{ [3, 1, 2]|sort }} {{ ['b', 'A', 'c']|sort }} {{ ['b', 'A', 'c']|sort(case_sensitive=true) }} {{ [3, 1, 2]|sort(reverse=true) }} {{ l|sort(attribute='n')|map(attribute='n')|list }}", {"l": [{"n": 2}, {"n": 1}]}),
    ("f_dictsort", "{{ d|dictsort }} {{ d|dictsort(by='value') }} {{ d|dictsort(reverse=true) }}", {"d": {"b": 1, "a": 2, "C": 0}}),
    ("f_numbers", "{{ '42'|int }} {{ '4.7'|int }} {{ 'x'|int }} {{ 'x'|int(-1) }} {{ 3.9|int }} {{ '2.5'|float }} {{ 'no'|float }} {{ -3|abs }} {{ 2.675|round(2) }} {{ 2.5|round }} {{ 3.14159|round(2, 'floor') }} {{ [1, 2, 3]|sum }} {{ [3, 1]|max }} {{ ['b', 'a']|min }}", {}),
    ("f_wordcount_attr", "{{ 'one two  three'|wordcount }} {{ d|attr('a') }}|{{ d|attr('items') is defined }}", {"d": {"a": 1}}),
    ("f_center", "[{{ 'x'|center(9) }}] [{{ 'ab'|center(5) }}] [{{ 'abc'|center }}]", {}),
    ("f_kwargs", "{{ 'xax'|trim(chars='x') }} {{ [{'n': 1}]|join(',', attribute='n') }} {{ 'a'|center(width=3) }} {{ 'a b c'.split(maxsplit=1) }} {{ 'ab'|replace(old='a', new='c') }}", {}),
    ("f_kwarg_twice", "{{ 'ab'|replace('a', new='c', old='b') }}", {}),
    ("f_tojson_bad_kwarg", "{{ 'x'|tojson(ensure_ascii=False) }}", {}),
    ("f_too_many_args", "{{ 'x'|upper(1) }}", {}),
    ("f_unsupported", "{{ 'a b'|wordwrap(1) }}", {}, "unsupported"),
    ("f_unknown", "{{ 'x'|nosuchfilter }}", {}),
    ("f_unknown_in_if", "{% if false %}{{ 'x'|nosuchfilter }}{% endif %}ok", {}),
    ("f_unknown_in_for", "{% for x in [] %}{{ x|nosuchfilter }}{% endfor %}ok", {}),
    ("f_unknown_in_condexpr", "{{ 'x'|nosuchfilter if false else 'ok' }}", {}),
    ("f_unknown_runs_in_if", "{% if true %}{{ 'x'|nosuchfilter }}{% endif %}", {}),
    ("f_filter_block", "{% filter upper %}abc {{ 'def' }}{% endfilter %}|{% filter trim|upper %}  x  {% endfilter %}", {}),
    # tests
    ("tests_types", "{{ 1 is number }} {{ true is number }} {{ 1 is integer }} {{ true is integer }} {{ 1.0 is float }} {{ 's' is string }} {{ {} is mapping }} {{ [] is iterable }} {{ 's' is iterable }} {{ none is iterable }} {{ undefined_name is iterable }} {{ [] is sequence }} {{ none is none }} {{ false is false }} {{ 0 is false }} {{ true is true }} {{ true is boolean }}", {}),
    ("tests_defined", "{{ x is defined }} {{ x is undefined }} {{ d.k is defined }} {{ d.z is defined }} {{ d.z is not defined }} {{ undefined_name is defined }} {{ n is defined }} {{ n is none }}", {"x": 0, "d": {"k": None}, "n": None}),
    ("tests_compare", "{{ 3 is divisibleby 3 }} {{ 4 is odd }} {{ 4 is even }} {{ 1 is eq 1 }} {{ 1 is equalto 2 }} {{ 2 is gt 1 }} {{ 2 is lessthan 1 }} {{ 2 is ge 2 }} {{ 'a' is in 'abc' }} {{ 'x' is in ['x'] }} {{ none is sameas none }} {{ true is sameas true }}", {}),
    ("tests_misc", "{{ 'abc' is lower }} {{ 'ABC' is upper }} {{ 'a1' is lower }} {{ 'x'|safe is escaped }} {{ 'x' is escaped }} {{ 'trim' is filter }} {{ 'nosuch' is filter }} {{ 'defined' is test }} {{ range is callable }} {{ 1 is callable }}", {}),
    ("tests_operator_name", "{{ 2 is != 2 }}", {}),
    ("tests_unknown", "{{ 1 is nosuchtest }}", {}),
    ("test_arg_forms", "{{ x is divisibleby(2) }} {{ x is sameas x }} {{ 'a' is in('abc') }}", {"x": 4}),
    # statements
    ("if_elif_else", "{% for x in [1, 2, 3, 4] %}{% if x == 1 %}one{% elif x == 2 %}two{% elif x == 3 %}three{% else %}other{% endif %} {% endfor %}", {}),
    ("for_loop_vars", "{% for x in 'abc' %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}[{{ loop.previtem }}|{{ loop.nextitem }}]{{ loop.cycle('o', 'e') }}{{ loop.depth }} {% endfor %}", {}),
    ("for_else", "{% for x in [] %}x{% else %}empty{% endfor %}|{% for x in [1] %}x{% else %}empty{% endfor %}|{% for x in undefined_name %}x{% else %}undef{% endfor %}", {}),
    ("for_filter", "{% for x in range(10) if x is odd %}{{ x }}{{ '' if loop.last else ',' }}{% endfor %}", {}),
    ("for_unpack", "{% for a, b in [[1, 2], (3, 4), 'xy'] %}{{ a }}{{ b }} {% endfor %}{% for k, v in {'x': 1}.items() %}{{ k }}{{ v }}{% endfor %}", {}),
    ("for_unpack_error", "{% for a, b in [[1, 2, 3]] %}{% endfor %}", {}),
    ("for_dict_string", "{% for k in {'b': 1, 'a': 2} %}{{ k }}{% endfor %}{% for ch in '한글' %}[{{ ch }}]{% endfor %}", {}),
    ("for_none_error", "{% for x in none %}{% endfor %}", {}),
    ("for_nested_loop", "{% for a in [1, 2] %}{% for b in 'xy' %}{{ loop.index }}{{ a }}{{ b }} {% endfor %}{{ loop.index }}|{% endfor %}", {}),
    ("for_reversed_slice", "{% for m in msgs[::-1] %}{{ (msgs|length - 1) - loop.index0 }}{{ m }}{% endfor %}", {"msgs": ["a", "b", "c"]}),
    ("scope_for", "{% set y = 1 %}{% for x in [1, 2] %}[{{ y }}]{% set y = 5 %}[{{ y }}]{% endfor %}{{ y }}", {}),
    ("scope_for_reset", "{% for x in [1, 2] %}{% if loop.first %}{% set z = 9 %}{% endif %}[{{ z }}]{% endfor %}[{{ z }}]", {}),
    ("scope_if", "{% if true %}{% set y = 3 %}{% endif %}{{ y }}", {}),
    ("scope_loop_var_reassign", "{% for t in [{'function': {'n': 1}}, {'n': 2}] %}{% if t.function is defined %}{% set t = t.function %}{% endif %}{{ t.n }}{% endfor %}", {}),
    ("namespace", "{% set ns = namespace(a=1, b='x') %}{% for i in range(3) %}{% set ns.a = ns.a + i %}{% endfor %}{{ ns.a }} {{ ns.b }} {{ ns.missing is defined }} {{ ns }}", {}),
    ("namespace_dict_arg", "{% set ns = namespace({'k': 2}, j=3) %}{{ ns.k }}{{ ns.j }}{{ ns['k'] }}", {}),
    ("namespace_empty_then_set", "{% set ns = namespace() %}{% set ns.index = 0 %}{% set ns.index = ns.index + 1 %}{{ ns.index }}", {}),
    ("namespace_assign_error", "{% set d = {} %}{% set d.x = 1 %}", {}),
    ("set_tuple", "{% set a, b = 1, 2 %}{{ a }}{{ b }}{% set c = 1, 2 %}{{ c }}", {}),
    ("set_block", "{% set x %}  block {{ 1 + 1 }}  {% endset %}[{{ x }}]{% set y | trim | upper %}  yy  {% endset %}[{{ y }}]", {}),
    ("set_messages_slice", "{% set messages = messages[1:] %}{{ messages|length }}{{ messages[0].role }}", {"messages": [{"role": "system"}, {"role": "user"}]}),
    ("macro_basic", "{% macro greet(name, punct='!') %}안녕, {{ name }}{{ punct }}{% endmacro %}{{ greet('세계') }} {{ greet('a', '?') }} {{ greet(punct='.', name='b') }} [{{ greet() }}]", {}),
    ("macro_recursive", "{% macro fact(n) %}{% if n <= 1 %}1{% else %}{{ n * fact(n - 1)|int }}{% endif %}{% endmacro %}{{ fact(5) }}", {}),
    ("macro_sees_later_set", "{% macro m() %}{{ z }}{% endmacro %}{% set z = 3 %}{{ m() }}", {}),
    ("macro_ns", "{% set ns = namespace(n=0) %}{% macro bump() %}{% set ns.n = ns.n + 1 %}{% endmacro %}{{ bump() }}{{ bump() }}{{ ns.n }}", {}),
    ("macro_default_uses_param", "{% macro m(a, b=a * 2) %}{{ a }},{{ b }}{% endmacro %}{{ m(2) }}", {}),
    ("macro_too_many_args", "{% macro m(a) %}{% endmacro %}{{ m(1, 2) }}", {}),
    ("macro_bad_kwarg", "{% macro m(a) %}{% endmacro %}{{ m(b=1) }}", {}),
    ("macro_returns_string", "{% macro m() %}12{% endmacro %}{{ m() + '3' }} {{ m()|int + 1 }}", {}),
    ("with_block", "{% with a = 1, b = 'x' %}{{ a }}{{ b }}{% endwith %}[{{ a }}]", {}),
    ("print_tag", "{% print 'p' ~ 1 %}", {}),
    ("dict_literal", "{% set d = {'b': 1, 'a': [1, 2], 3: 'three'} %}{{ d }} {{ d[3] }} {{ d|length }}", {}),
    ("range_fn", "{{ range(3)|list }} {{ range(1, 7, 2)|list }} {{ range(5, 0, -2)|list }} {{ range(0)|list }}", {}),
    ("range_too_big", "{{ range(200000)|length }}", {}),
    ("dict_fn", "{{ dict(a=1, b=2) }}", {}),
    ("raise_exception", "{{ raise_exception('사용자 역할이 번갈아야 합니다') }}", {}),
    ("raise_in_branch", "{% if messages|length > 1 %}{{ raise_exception('too many: ' ~ messages|length) }}{% endif %}ok", {"messages": [1, 2]}),
    ("call_undefined", "{{ strftime_now('%d %b %Y') }}", {}),
    ("call_not_callable", "{{ (1)(2) }}", {}),
    ("inline_if_undefined", "[{{ 'a' if false }}]{{ ('a' if false) is defined }}", {}),
    # syntax errors and unsupported tags
    ("syntax_unclosed_var", "{{ 1 + }}", {}),
    ("syntax_unclosed_block", "{% if true %}x", {}),
    ("syntax_unknown_tag", "{% break %}", {}),
    ("syntax_end_mismatch", "{% if true %}{% endfor %}", {}),
    ("syntax_bad_char", "{{ 1 $ 2 }}", {}),
    ("syntax_unclosed_comment", "{# never closed", {}),
    ("syntax_unclosed_string", "{{ 'abc }}", {}),
    ("syntax_assign_const", "{% set true = 1 %}", {}),
    ("unsupported_include", "{% include 'x.jinja' %}", {}),
    ("unsupported_call_block", "{% macro m() %}{{ caller() }}{% endmacro %}{% call m() %}x{% endcall %}", {}, "unsupported"),
]


def gen_snippets(env):
    out = []
    for name, src, variables, *flag in SNIPPETS:
        # the variables as JSON text: nuri reads them with the same int/float distinction
        case = {"name": name, "template": src, "vars_json": json.dumps({"messages": [], **variables}, ensure_ascii=False)}
        if flag:
            case["nuri"] = flag[0]  # a construct nuri knowingly does not implement
        try:
            case["output"] = env.from_string(src).render(**variables, raise_exception=raise_exception)
        except Exception as e:
            case.update(error_record(e))
        out.append(case)
    with open(os.path.join(DATA, "snippets.json"), "w", encoding="utf-8") as fh:
        json.dump(out, fh, ensure_ascii=False, indent=1)
        fh.write("\n")
    print(f"snippets: {len(out)} cases, {sum(1 for c in out if 'error' in c)} errors", file=sys.stderr)


# nuri's built-in templates (src/tokenizer/template_builtin.c) and the published
# templates each must reproduce for conversations without tool definitions.
BUILTIN_FAMILIES = {
    "chatml": [],
    "smollm2": ["HuggingFaceTB-SmolLM2-135M-Instruct.gguf.jinja"],
    "exaone3": ["LGAI-EXAONE-EXAONE-3.5-7.8B-Instruct.gguf.jinja"],
    "exaone-deep": ["LGAI-EXAONE-EXAONE-Deep-2.4B.gguf.jinja"],
    "phi3": ["microsoft-Phi-3.5-mini-instruct.jinja"],
    "gemma2": ["google-gemma-2-2b-it.jinja"],
    "gemma3": ["google-gemma-3-270m-it.gguf.jinja"],
    "llama3": ["meta-llama-Llama-3.1-8B-Instruct.jinja", "meta-llama-Llama-3.2-3B-Instruct.gguf.jinja",
               "meta-llama-Llama-3.2-3B-Instruct.jinja", "meta-llama-Llama-3.3-70B-Instruct.jinja"],
    "qwen2.5": ["Qwen-Qwen2.5-0.5B-Instruct.gguf.jinja", "Qwen-Qwen2.5-7B-Instruct.jinja"],
    "qwen3": ["Qwen-Qwen3-0.6B.gguf.jinja"],
}


def read_builtins():
    """The {"name", "literal" "literal" ...} entries of template_builtin.c, decoded."""
    import re
    with open(os.path.join(ROOT, "src", "tokenizer", "template_builtin.c"), encoding="utf-8") as fh:
        c_src = fh.read()
    table = c_src[c_src.index("builtins[] = {"):c_src.index("/* Other names")]
    unescape = {"n": "\n", "\\": "\\", '"': '"', "'": "'"}
    out = {}
    for m in re.finditer(r'\{"([^"]+)",\s*((?:"(?:[^"\\]|\\.)*"\s*)+)\}', table):
        text = "".join(re.sub(r"\\(.)", lambda e: unescape[e.group(1)], lit)
                       for lit in re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(2)))
        out[m.group(1)] = text
    if set(out) != set(BUILTIN_FAMILIES):
        raise SystemExit(f"built-ins in template_builtin.c {sorted(out)} != BUILTIN_FAMILIES")
    return out


def render_all(env, src, bos, eos, convs):
    cases = []
    try:
        tmpl = env.from_string(src)
    except Exception as e:
        tmpl, compile_error = None, error_record(e)
    for conv_name, conv in convs:
        messages, extra = (conv, {}) if isinstance(conv, list) else (conv["messages"], {k: v for k, v in conv.items() if k != "messages"})
        for gen in (True, False):
            case = {"conversation": conv_name, "add_generation_prompt": gen}
            if tmpl is None:
                case.update(compile_error)
            else:
                try:
                    case["output"] = tmpl.render(**extra, messages=messages, bos_token=bos, eos_token=eos,
                                                 add_generation_prompt=gen, raise_exception=raise_exception)
                except Exception as e:
                    case.update(error_record(e))
            cases.append(case)
    return cases


def gen_builtins(env, convs):
    out_dir = os.path.join(DATA, "expected_builtin")
    os.makedirs(out_dir, exist_ok=True)
    for name, src in read_builtins().items():
        fams = BUILTIN_FAMILIES[name]
        bos, eos = tokens_for(fams[0]) if fams else ("<|endoftext|>", "<|im_end|>")
        cases = render_all(env, src, bos, eos, convs)
        # the rewrite must agree with the published template wherever no tools are declared
        for fam in fams:
            with open(os.path.join(TEMPLATES, fam), encoding="utf-8") as fh:
                ref = render_all(env, fh.read(), bos, eos, convs)
            for a, b in zip(cases, ref):
                if a["conversation"] == "tools":
                    continue
                if ("output" in a) != ("output" in b) or a.get("output") != b.get("output"):
                    raise SystemExit(f"built-in {name} differs from {fam} on {a['conversation']}: {a} vs {b}")
        record = {"template": "builtin:" + name, "builtin": name, "families": fams, "bos_token": bos,
                  "eos_token": eos, "jinja2": jinja2.__version__, "cases": cases}
        with open(os.path.join(out_dir, name + ".json"), "w", encoding="utf-8") as fh:
            json.dump(record, fh, ensure_ascii=False, indent=1)
            fh.write("\n")
        print(f"builtin {name}: {len(cases)} cases, agrees with {fams}", file=sys.stderr)


def gen_gguf(env, convs):
    """GGUF files in ../shared that carry a chat template: rendered with their own BOS/EOS
    token texts (tokens[tokenizer.ggml.{bos,eos}_token_id]), for `nuri template -m`."""
    import glob

    import gguf

    out_dir = os.path.join(DATA, "expected_gguf")
    os.makedirs(out_dir, exist_ok=True)
    for path in sorted(glob.glob(os.path.join(SHARED, "vocab", "*.gguf")) + glob.glob(os.path.join(SHARED, "models", "*.gguf"))):
        r = gguf.GGUFReader(path)
        if "tokenizer.chat_template" not in r.fields:
            continue
        f = r.fields["tokenizer.chat_template"]
        src = bytes(f.parts[f.data[0]]).decode("utf-8")
        toks = r.fields["tokenizer.ggml.tokens"]

        def tok(key):
            if key not in r.fields:
                return ""
            i = int(r.fields[key].parts[r.fields[key].data[0]][0])
            return bytes(toks.parts[toks.data[i]]).decode("utf-8")

        bos, eos = tok("tokenizer.ggml.bos_token_id"), tok("tokenizer.ggml.eos_token_id")
        rel = os.path.relpath(path, SHARED)
        record = {"gguf": rel, "bos_token": bos, "eos_token": eos, "jinja2": jinja2.__version__,
                  "cases": render_all(env, src, bos, eos, convs)}
        with open(os.path.join(out_dir, os.path.basename(path)[: -len(".gguf")] + ".json"), "w", encoding="utf-8") as fh:
            json.dump(record, fh, ensure_ascii=False, indent=1)
            fh.write("\n")
        print(f"{rel}: chat template rendered with bos={bos!r} eos={eos!r}", file=sys.stderr)


def main():
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
    gen_snippets(env)
    conv_dir = os.path.join(DATA, "conversations")
    convs = []
    for f in sorted(os.listdir(conv_dir)):
        if f.endswith(".json"):
            with open(os.path.join(conv_dir, f), encoding="utf-8") as fh:
                convs.append((f[:-5], json.load(fh)))
    gen_builtins(env, convs)
    gen_gguf(env, convs)
    out_dir = os.path.join(DATA, "expected")
    os.makedirs(out_dir, exist_ok=True)
    names = sorted(f for f in os.listdir(TEMPLATES) if f.endswith(".jinja"))
    for name in names:
        with open(os.path.join(TEMPLATES, name), encoding="utf-8") as fh:
            src = fh.read()
        bos, eos = tokens_for(name)
        record = {"template": name, "bos_token": bos, "eos_token": eos, "jinja2": jinja2.__version__,
                  "cases": []}
        try:
            tmpl = env.from_string(src)
            compile_error = None
        except Exception as e:  # the template itself is rejected
            tmpl, compile_error = None, error_record(e)
        for conv_name, conv in convs:
            if isinstance(conv, list):
                messages, extra = conv, {}
            else:
                extra = {k: v for k, v in conv.items() if k != "messages"}
                messages = conv["messages"]
            for gen in (True, False):
                case = {"conversation": conv_name, "add_generation_prompt": gen}
                if compile_error:
                    case.update(compile_error)
                else:
                    try:
                        case["output"] = tmpl.render(**extra, messages=messages, bos_token=bos, eos_token=eos,
                                                     add_generation_prompt=gen, raise_exception=raise_exception)
                    except Exception as e:
                        case.update(error_record(e))
                record["cases"].append(case)
        path = os.path.join(out_dir, name[: -len(".jinja")] + ".json")
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(record, fh, ensure_ascii=False, indent=1)
            fh.write("\n")
        n_err = sum(1 for c in record["cases"] if "error" in c)
        print(f"{name}: {len(record['cases'])} cases, {n_err} errors", file=sys.stderr)


if __name__ == "__main__":
    main()
