// The Jinja subset interpreter, construct by construct, against hand-written expected output (Jinja/Python
// semantics under transformers' settings), and the errors for what is outside the subset.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "r1/tokenizer/jinja_template.h"
#include "r1/util/error.h"

using namespace r1;

namespace {

const nlohmann::json& vars() {
  static const nlohmann::json v = nlohmann::json::parse(R"({
    "xs": [1, 2, 3],
    "d": {"a": 1, "b": null, "c": "x"},
    "s": "Héllo, World",
    "empty": "",
    "n": null,
    "f": 2.5,
    "t": true,
    "msgs": [{"role": "system", "content": " sys "},
             {"role": "user", "content": "hi <think>x</think> there"}]
  })");
  return v;
}

std::string render(const std::string& text, const nlohmann::json& variables = vars()) {
  return JinjaTemplate::parse(text, "t.jinja").render(variables);
}

// The message of the InputError that parsing or rendering `text` throws ("" when none is thrown).
std::string error_of(const std::string& text, const nlohmann::json& variables = vars()) {
  try {
    JinjaTemplate::parse(text, "t.jinja").render(variables);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("jinja: text, print tags and comments", "[tokenizer]") {
  REQUIRE(render("plain text") == "plain text");
  REQUIRE(render("a{{ 'b' }}c") == "abc");
  REQUIRE(render("a{# a comment {{ x }} #}b") == "ab");
  REQUIRE(render("{{ xs|length }} items") == "3 items");
  REQUIRE(render("") == "");
}

TEST_CASE("jinja: whitespace control under trim_blocks and lstrip_blocks", "[tokenizer]") {
  // trim_blocks drops the newline after a block tag; lstrip_blocks drops indentation before it.
  REQUIRE(render("  {% if true %}\n    inside\n  {% endif %}\nafter") == "    inside\nafter");
  // A print tag is not a block: neither rule applies to it.
  REQUIRE(render("  {{ 'a' }}\nb") == "  a\nb");
  // "-" strips all whitespace (newlines included) on its side.
  REQUIRE(render("a  \n  {%- if true -%}  \n  b  \n  {%- endif -%}  \n  c") == "abc");
  REQUIRE(render("x {{- ' y ' -}} z") == "x y z");
  // "+" turns lstrip_blocks / trim_blocks off for that tag.
  REQUIRE(render("  {%+ if true %}x{% endif +%}\n  y") == "  x\n  y");
  // Comments are trimmed like blocks.
  REQUIRE(render("x\n    {# comment #}\ny") == "x\ny");
  REQUIRE(render("x\n    {#- comment #}\ny") == "xy");
  // Only whitespace between the line start and the tag is removed.
  REQUIRE(render("a  {% if true %}b{% endif %}") == "a  b");
  // One trailing newline of the template is dropped; \r\n reads as \n.
  REQUIRE(render("a\n") == "a");
  REQUIRE(render("a\n\n") == "a\n");
  REQUIRE(render("a\r\nb{% if true %}\r\nc{% endif %}\r\n") == "a\nbc");
  REQUIRE(render("{% for x in xs %}\n  {{ x }}\n{% endfor %}") == "  1\n  2\n  3\n");
}

TEST_CASE("jinja: printing values the way Python's str() does", "[tokenizer]") {
  REQUIRE(render("{{ n }} {{ t }} {{ false }} {{ none }} {{ True }}") == "None True False None True");
  REQUIRE(render("{{ 3 }} {{ -7 }} {{ 1.0 }} {{ 2.5 }} {{ 0.1 }} {{ 1e-05 }} {{ 1e16 }} {{ 1e15 }} {{ 0.0001 }}") ==
          "3 -7 1.0 2.5 0.1 1e-05 1e+16 1000000000000000.0 0.0001");
  REQUIRE(render("{{ 1 / 3 }} {{ 0.1 + 0.2 }}") == "0.3333333333333333 0.30000000000000004");
  REQUIRE(render("[{{ undefined_name }}] [{{ d.missing }}]") == "[] []");
  REQUIRE(render("{{ xs }} {{ d }} {{ [] }} {{ {} }}") == "[1, 2, 3] {'a': 1, 'b': None, 'c': 'x'} [] {}");
  REQUIRE(render("{{ (1, 2) }} {{ (1,) }} {{ ['it\\'s', \"q\\\"\", 'a\\nb'] }}") ==
          "(1, 2) (1,) [\"it's\", 'q\"', 'a\\nb']");
  REQUIRE(render("{{ namespace(a=1) }} {{ range(3) }}") == "<Namespace {'a': 1}> range(0, 3)");
}

TEST_CASE("jinja: arithmetic and concatenation follow Python", "[tokenizer]") {
  REQUIRE(render("{{ 1 + 2 }} {{ 1 + 2.0 }} {{ 'a' + 'b' }} {{ [1] + [2] }}") == "3 3.0 ab [1, 2]");
  REQUIRE(render("{{ 7 - 10 }} {{ 3 * 4 }} {{ 'ab' * 2 }} {{ 7 / 2 }} {{ 8 / 2 }}") == "-3 12 abab 3.5 4.0");
  REQUIRE(render("{{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }} {{ 2 ** 10 }} {{ 2 ** -1 }}") ==
          "3 -4 1 2 1024 0.5");
  REQUIRE(render("{{ 1 ~ 2 }} {{ n ~ '!' }} {{ t ~ f }} {{ undefined_name ~ 'z' }}") == "12 None! True2.5 z");
  // Precedence: * before +, ~ between them, filters bind tightest, unary minus before **.
  REQUIRE(render("{{ 2 + 3 * 4 }} {{ (2 + 3) * 4 }} {{ 'a' ~ 2 * 3 }} {{ -2 ** 2 }} {{ 10 - 2 - 3 }}") ==
          "14 20 a6 4 5");
  REQUIRE(error_of("{{ 'a' ~ 1 + 2 }}") == "t.jinja line 1: unsupported operand type(s) for +: 'str' and 'int'");
  REQUIRE(render("{{ 'n=' + xs|length|string }}") == "n=3");
  REQUIRE(render("{{ true + 1 }}") == "2");
}

TEST_CASE("jinja: comparisons, membership, logic and conditional expressions", "[tokenizer]") {
  REQUIRE(render("{{ 1 == 1.0 }} {{ 1 != 2 }} {{ 'a' < 'b' }} {{ 2 > 1 }} {{ 2 <= 2 }} {{ 3 >= 4 }}") ==
          "True True True True True False");
  REQUIRE(render("{{ 1 < 2 < 3 }} {{ 1 < 3 < 2 }} {{ [1, 2] < [1, 3] }} {{ n == none }}") == "True False True True");
  REQUIRE(render("{{ 'llo' in s }} {{ 'x' not in s }} {{ 2 in xs }} {{ 'a' in d }} {{ 'zz' in d }}") ==
          "True True True True False");
  // and/or give one of their operands, as in Python.
  REQUIRE(render("{{ not t }} {{ t and 'yes' }} {{ empty or 'fallback' }} {{ 0 or n }} {{ not empty }}") ==
          "False yes fallback None True");
  REQUIRE(render("{{ 'a' if t else 'b' }} {{ 'a' if empty else 'b' }} [{{ 'a' if empty }}]") == "a b []");
  REQUIRE(render("{{ 'x' if false else 'y' if t else 'z' }}") == "y");
  // Truthiness: empty string/list/dict and none are false.
  REQUIRE(render("{% if empty or [] or {} or n or 0 %}T{% else %}F{% endif %}") == "F");
  REQUIRE(render("{% if xs and s and d %}T{% endif %}") == "T");
}

TEST_CASE("jinja: literals and string escapes", "[tokenizer]") {
  REQUIRE(render("{{ [1, 'a', none, true, {'k': [2]}] }}") == "[1, 'a', None, True, {'k': [2]}]");
  REQUIRE(render("{{ {'b': 1, 'a': 2}|tojson }}") == "{\"b\": 1, \"a\": 2}");  // literal order kept
  REQUIRE(render("{{ 'a' 'b' }}|{{ \"x\\ny\" }}|{{ '\\x41\\u00e9\\t.' }}|{{ 1_000 }}|{{ 1.5e3 }}") ==
          "ab|x\ny|Aé\t.|1000|1500.0");
}

TEST_CASE("jinja: indexing and slicing", "[tokenizer]") {
  REQUIRE(render("{{ xs[0] }} {{ xs[-1] }} [{{ xs[5] }}]") == "1 3 []");
  REQUIRE(render("{{ xs[1:] }} {{ xs[:-1] }} {{ xs[::-1] }} {{ xs[::2] }} {{ xs[3:1:-1] }}") ==
          "[2, 3] [1, 2] [3, 2, 1] [1, 3] [3]");
  // Strings index by code point, not byte.
  REQUIRE(render("{{ s[1] }} {{ s[1:4] }} {{ s[-5:] }} {{ s|length }}") == "é éll World 12");
  REQUIRE(render("{{ msgs[1:][0].role }} {{ 'a</think>b'.split('</think>')[-1] }}") == "user b");
}

TEST_CASE("jinja: attribute and item access on dicts", "[tokenizer]") {
  REQUIRE(render("{{ msgs[0].role }} {{ msgs[0]['role'] }} {{ d.a }} {{ d['c'] }}") == "system system 1 x");
  REQUIRE(render("{{ d.b }} [{{ d.zz }}] [{{ d['zz'] }}] [{{ n.x }}]") == "None [] [] []");
  REQUIRE(render("{{ d.get('a') }} {{ d.get('zz') }} {{ d.get('zz', 5) }}") == "1 None 5");
  REQUIRE(render("{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}") == "a=1;b=None;c=x;");
  REQUIRE(render("{{ d.keys()|list }} {{ d.values()|list }}") == "['a', 'b', 'c'] [1, None, 'x']");
  REQUIRE(render("{{ {'a': [1, 2]}['a'][1] }} {{ xs.0 }}") == "2 1");
}

TEST_CASE("jinja: filters", "[tokenizer]") {
  REQUIRE(render("[{{ '  a b \\n'|trim }}] [{{ 'xxhixx'|trim('x') }}] [{{ n|trim }}] [{{ undefined_name|trim }}]") ==
          "[a b] [hi] [None] []");
  REQUIRE(render("{{ s|length }} {{ xs|length }} {{ d|length }} {{ undefined_name|length }} {{ xs|count }}") ==
          "12 3 3 0 3");
  REQUIRE(render("{{ undefined_name|default('dflt') }} {{ n|default('dflt') }} {{ empty|default('dflt', true) }} "
                 "[{{ undefined_name|d }}]") == "dflt None dflt []");
  REQUIRE(render("{{ xs|join(', ') }} {{ msgs|join('|', attribute='role') }} {{ [1, none, 'a']|join('/') }}") ==
          "1, 2, 3 system|user 1/None/a");
  REQUIRE(render("{% for k, v in d|items %}{{ k }}{{ v }}{% endfor %} {{ d|items|list }}") ==
          "a1bNonecx [('a', 1), ('b', None), ('c', 'x')]");
  REQUIRE(render("{{ xs|first }} {{ xs|last }} {{ s|first }} [{{ []|first }}] {{ 'ab'|list }}") ==
          "1 3 H [] ['a', 'b']");
  REQUIRE(render("{{ xs|select('odd')|list }} {{ xs|reject('odd')|list }}") == "[1, 3] [2]");
  REQUIRE(render("{{ ['a', 'code_interpreter', 'b']|reject('equalto', 'code_interpreter')|join(', ') }}") == "a, b");
  REQUIRE(render("{{ msgs|selectattr('role', 'equalto', 'user')|map(attribute='content')|list }}") ==
          "['hi <think>x</think> there']");
  REQUIRE(render("{{ xs|map('string')|join }} {{ 'aXbX'|replace('X', '-') }} {{ 'ABC'|lower }} {{ 'abc'|upper }}") ==
          "123 a-b- abc ABC");
  REQUIRE(render("{{ '42'|int + 1 }} {{ '4.7'|int }} {{ 'x'|int }} {{ '3.5'|float }} {{ -3|abs }} {{ 12|string }}") ==
          "43 4 0 3.5 3 12");
}

TEST_CASE("jinja: tojson is json.dumps(ensure_ascii=False) with indent/separators/sort_keys", "[tokenizer]") {
  REQUIRE(render("{{ d|tojson }}") == "{\"a\": 1, \"b\": null, \"c\": \"x\"}");
  REQUIRE(render("{{ s|tojson }} {{ s|tojson(ensure_ascii=true) }}") == "\"Héllo, World\" \"H\\u00e9llo, World\"");
  REQUIRE(render("{{ 'tab\\t \"q\" \\\\ \\u0001'|tojson }}") == "\"tab\\t \\\"q\\\" \\\\ \\u0001\"");
  REQUIRE(render("{{ {'b': [1, 2], 'a': {}}|tojson(indent=2) }}") ==
          "{\n  \"b\": [\n    1,\n    2\n  ],\n  \"a\": {}\n}");
  REQUIRE(render("{{ {'b': 1, 'a': [1.5, true, none]}|tojson(separators=[',', ':'], sort_keys=true) }}") ==
          "{\"a\":[1.5,true,null],\"b\":1}");
  REQUIRE(render("{{ [1.0, 1e22]|tojson }} {{ []|tojson(indent=4) }}") == "[1.0, 1e+22] []");
  REQUIRE(error_of("{{ undefined_name|tojson }}").find("not JSON serializable") != std::string::npos);
}

TEST_CASE("jinja: tests", "[tokenizer]") {
  REQUIRE(render("{{ undefined_name is defined }} {{ d is defined }} {{ undefined_name is not defined }} "
                 "{{ undefined_name is undefined }}") == "False True True True");
  REQUIRE(render("{{ n is none }} {{ d.b is none }} {{ d.a is not none }} {{ d.zz is none }}") ==
          "True True True False");
  REQUIRE(render("{{ s is string }} {{ xs is string }} {{ d is mapping }} {{ xs is mapping }} {{ s is iterable }} "
                 "{{ n is iterable }} {{ xs is sequence }}") == "True False True False True False True");
  REQUIRE(render("{{ 3 is number }} {{ 3 is integer }} {{ 3.0 is float }} {{ t is boolean }} {{ t is true }}") ==
          "True True True True True");
  REQUIRE(render("{{ 3 is odd }} {{ 4 is even }} {{ 9 is divisibleby 3 }} {{ 9 is divisibleby(4) }} "
                 "{{ 1 is eq 1 }} {{ 2 is gt 1 }} {{ 'a' is in 'cat' }}") == "True True True False True True True");
  REQUIRE(render("{{ not undefined_name is defined }}") == "True");  // `not` applies to the whole test
}

TEST_CASE("jinja: string methods", "[tokenizer]") {
  REQUIRE(render("{{ s.startswith('Hé') }} {{ s.endswith('ld') }} {{ s.startswith(('x', 'H')) }} "
                 "{{ 'abc'.startswith('b', 1) }}") == "True True True True");
  REQUIRE(
      render("{{ s.split(', ') }} {{ ' a  b '.split() }} {{ 'a,b,c'.split(',', 1) }} {{ 'a,b,c'.rsplit(',', 1) }}") ==
      "['Héllo', 'World'] ['a', 'b'] ['a', 'b,c'] ['a,b', 'c']");
  REQUIRE(render("[{{ '  x  '.strip() }}|{{ '  x  '.lstrip() }}|{{ '  x  '.rstrip() }}|{{ 'xxhixx'.strip('x') }}]") ==
          "[x|x  |  x|hi]");
  REQUIRE(render("{{ s.replace('l', 'L') }} {{ s.find('World') }} {{ s.find('zz') }} {{ s.count('l') }} "
                 "{{ '-'.join(['a', 'b']) }} {{ 'AbC'.lower() }} {{ 'abc'.upper() }}") ==
          "HéLLo, WorLd 7 -1 3 a-b abc ABC");
  REQUIRE(render("[{{ 'a\xe3\x80\x80'|trim }}]") == "[a]");  // Python's strip() knows Unicode spaces (U+3000)
}

TEST_CASE("jinja: for loops and the loop variable", "[tokenizer]") {
  REQUIRE(render("{% for x in xs %}{{ loop.index }}{{ loop.index0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}"
                 "{{ loop.revindex }}{{ loop.revindex0 }};{% endfor %}") ==
          "10TrueFalse332;21FalseFalse321;32FalseTrue310;");
  REQUIRE(render("{% for x in xs %}[{{ loop.previtem }}|{{ loop.nextitem }}]{% endfor %}") == "[|2][1|3][2|]");
  REQUIRE(render("{% for x in xs if x > 1 %}{{ x }}:{{ loop.index }}/{{ loop.length }} {% endfor %}") ==
          "2:1/2 3:2/2 ");
  REQUIRE(render("{% for x in [] %}a{% else %}empty{% endfor %}") == "empty");
  REQUIRE(render("{% for x in xs %}{% if x == 2 %}{% continue %}{% endif %}{{ x }}{% if x == 3 %}{% break %}"
                 "{% endif %}{% endfor %}") == "13");
  REQUIRE(render("{% for a, b in [[1, 2], [3, 4]] %}{{ a + b }}{% endfor %}") == "37");
  REQUIRE(render("{% for k in d %}{{ k }}{% endfor %} {% for c in 'hé' %}[{{ c }}]{% endfor %}") == "abc [h][é]");
  REQUIRE(render("{% for a in xs %}{% for b in xs %}{{ loop.index }}{% endfor %}{{ loop.index }} {% endfor %}") ==
          "1231 1232 1233 ");
  REQUIRE(render("{% for x in undefined_name %}x{% endfor %}") == "");
  REQUIRE(render("{% for m in msgs %}{{ m.role }}{% if not loop.last %}, {% endif %}{% endfor %}") == "system, user");
}

TEST_CASE("jinja: set scoping and namespace()", "[tokenizer]") {
  // A set inside a loop body stays in that iteration; the outer value is untouched.
  REQUIRE(render("{% set a = 'out' %}{% for x in [1, 2] %}{{ a }}{% set a = x %}{{ a }}{% endfor %}{{ a }}") ==
          "out1out2out");
  REQUIRE(render("{% for x in xs %}{% set y = x %}{% endfor %}[{{ y }}]") == "[]");
  // namespace() objects carry values out of the loop.
  REQUIRE(render("{% set ns = namespace(total=0, found=false) %}{% for x in xs %}{% set ns.total = ns.total + x %}"
                 "{% if x == 2 %}{% set ns.found = true %}{% endif %}{% endfor %}{{ ns.total }} {{ ns.found }}") ==
          "6 True");
  // if does not open a scope.
  REQUIRE(render("{% set x = 5 %}{% if true %}{% set x = 6 %}{% endif %}{{ x }}") == "6");
  // The loop variable can be reassigned inside the body (Qwen2.5's tool_call = tool_call.function).
  REQUIRE(render("{% for x in xs %}{% set x = x * 10 %}{{ x }} {% endfor %}") == "10 20 30 ");
  REQUIRE(render("{% set messages = xs[1:] %}{{ messages }}", {{"xs", {1, 2, 3}}, {"messages", "orig"}}) == "[2, 3]");
  REQUIRE(render("{% set a, b = [1, 2] %}{{ a }}{{ b }} {% set c = 1, 2 %}{{ c }}") == "12 (1, 2)");
  REQUIRE(render("{% set blk %}in {{ 1 + 1 }}{% endset %}[{{ blk }}] {% set u | upper %}xy{% endset %}{{ u }}") ==
          "[in 2] XY");
  REQUIRE(render("{% set ns = namespace() %}{% set ns.v = 'set' %}{{ ns.v }} [{{ ns.missing }}]") == "set []");
}

TEST_CASE("jinja: added functions such as raise_exception and strftime_now", "[tokenizer]") {
  JinjaTemplate t = JinjaTemplate::parse(
      "a\n{% if fail %}{{ raise_exception('bad input: ' ~ why) }}{% endif %}"
      "{{ stamp('%Y') }}",
      "fn.jinja");
  t.add_function("raise_exception",
                 [](const jinja::CallArgs& a) -> jinja::Value { throw jinja::EvalError(a.positional.at(0).str()); });
  t.add_function("stamp", [](const jinja::CallArgs& a) { return jinja::Value("<" + a.positional.at(0).str() + ">"); });
  REQUIRE(t.render(nlohmann::json{{"fail", false}}) == "a\n<%Y>");
  try {
    t.render(nlohmann::json{{"fail", true}, {"why", "no user turn"}});
    FAIL("raise_exception did not throw");
  } catch (const InputError& e) {
    REQUIRE(std::string(e.what()) == "fn.jinja line 2: bad input: no user turn");
  }
  // A variable of the same name shadows the function; calling an undefined name is an error.
  REQUIRE_THROWS_WITH(t.render(nlohmann::json{{"fail", false}, {"stamp", "s"}}),
                      "fn.jinja line 2: 'str' object is not callable");
  REQUIRE(error_of("{{ nothing_here() }}") == "t.jinja line 1: 'nothing_here' is undefined");
}

TEST_CASE("jinja: a parsed template renders many times, ordered_json keeps key order", "[tokenizer]") {
  JinjaTemplate t = JinjaTemplate::parse("{% for m in messages %}{{ m.role }}:{{ m.content }};{% endfor %}", "t");
  for (int i = 0; i < 3; ++i) {
    nlohmann::json v = {{"messages", {{{"role", "user"}, {"content", std::to_string(i)}}}}};
    REQUIRE(t.render(v) == "user:" + std::to_string(i) + ";");
  }
  JinjaTemplate j = JinjaTemplate::parse("{{ tool|tojson }} {% for k in tool %}{{ k }}{% endfor %}", "t");
  nlohmann::ordered_json ordered = nlohmann::ordered_json::parse(R"({"tool": {"type": "function", "name": "f"}})");
  REQUIRE(j.render(ordered) == "{\"type\": \"function\", \"name\": \"f\"} typename");
  REQUIRE_THROWS_AS(j.render(nlohmann::json::array()), InputError);
}

TEST_CASE("jinja: statements outside the subset are errors naming the line and the statement", "[tokenizer]") {
  REQUIRE(error_of("line 1\n{% macro m() %}{% endmacro %}") == "t.jinja line 2: unsupported statement \"macro\"");
  REQUIRE(error_of("a\nb\n{% include 'other.jinja' %}") == "t.jinja line 3: unsupported statement \"include\"");
  REQUIRE(error_of("{% extends 'base.jinja' %}") == "t.jinja line 1: unsupported statement \"extends\"");
  REQUIRE(error_of("\n{% raw %}{{ x }}{% endraw %}") == "t.jinja line 2: unsupported statement \"raw\"");
  REQUIRE(error_of("{% filter upper %}x{% endfilter %}") == "t.jinja line 1: unsupported statement \"filter\"");
  REQUIRE(error_of("{% frobnicate %}") == "t.jinja line 1: unknown statement \"frobnicate\"");
  REQUIRE(error_of("{% for x in xs recursive %}{% endfor %}").find("unsupported statement") != std::string::npos);
}

TEST_CASE("jinja: unknown filters and tests are errors naming the line", "[tokenizer]") {
  REQUIRE(error_of("a\n\n{{ s|capitalize }}") == "t.jinja line 3: unknown filter \"capitalize\"");
  REQUIRE(error_of("{% if x is frobbed %}{% endif %}") == "t.jinja line 1: unknown test \"frobbed\"");
  // Checked at parse time: the branch never runs, the error still comes.
  REQUIRE(error_of("{% if false %}\n{{ x|wordwrap }}{% endif %}") == "t.jinja line 2: unknown filter \"wordwrap\"");
}

TEST_CASE("jinja: syntax errors name the line", "[tokenizer]") {
  REQUIRE(error_of("ok\n{% for x in xs %}\n{{ x }}") ==
          "t.jinja line 2: unclosed \"for\" block: the template ends before \"else\" or \"endfor\"");
  REQUIRE(error_of("{% if a %}\n{% else %}\n{% else %}{% endif %}") ==
          "t.jinja line 3: unexpected \"else\" (no open block it could close)");
  REQUIRE(error_of("{% endif %}") == "t.jinja line 1: unexpected \"endif\" (no open block it could close)");
  REQUIRE(error_of("x\n{{ 1 + }}") == "t.jinja line 2: expected an expression, got the end of the print tag \"}}\"");
  REQUIRE(error_of("{{ (1 + 2 }}") == "t.jinja line 1: unclosed tag: \"{{\" without \"}}\"");
  REQUIRE(error_of("{{ x $ y }}") == "t.jinja line 1: unexpected character \"$\"");
  REQUIRE(error_of("{{ 'abc }}") == "t.jinja line 1: unclosed string literal");
  REQUIRE(error_of("a\n{# never closed") == "t.jinja line 2: unclosed comment: \"{#\" without \"#}\"");
  REQUIRE(error_of("{{ a b }}") == "t.jinja line 1: unexpected \"b\"");
  REQUIRE(error_of("{% break %}") == "t.jinja line 1: \"break\" outside a for loop");
  REQUIRE(error_of("{{ f(*args) }}") == "t.jinja line 1: unsupported call syntax: *args / **kwargs");
}

TEST_CASE("jinja: runtime errors name the line instead of rendering something else", "[tokenizer]") {
  REQUIRE(error_of("\n{{ 'a' + 1 }}") == "t.jinja line 2: unsupported operand type(s) for +: 'str' and 'int'");
  REQUIRE(error_of("{{ missing + 'x' }}") == "t.jinja line 1: 'missing' is undefined");
  REQUIRE(error_of("{{ missing.attr }}") == "t.jinja line 1: 'missing' is undefined");
  REQUIRE(error_of("{{ msgs[5]['role'] }}") == "t.jinja line 1: 'list object' has no element 5");
  REQUIRE(error_of("{{ 1 / 0 }}") == "t.jinja line 1: division by zero");
  REQUIRE(error_of("{% set x = 1 %}{% set x.y = 2 %}").find("cannot assign attribute on non-namespace object") !=
          std::string::npos);
  REQUIRE(error_of("{{ xs|select('odd') }}").find("cannot print a generator") != std::string::npos);
  REQUIRE(error_of("{{ d.items }}").find("cannot print the function") != std::string::npos);
  REQUIRE(error_of("{{ s.format(1) }}").find("unsupported method str.format") != std::string::npos);
  REQUIRE(error_of("{{ 2 ** 62 * 2 }}").find("integer overflow") != std::string::npos);
  REQUIRE(error_of("{% for x in 5 %}{% endfor %}") == "t.jinja line 1: 'int' object is not iterable");
}
