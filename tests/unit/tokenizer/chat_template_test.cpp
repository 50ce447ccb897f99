// Chat templates of real models (Qwen2.5, DeepSeek-R1-Distill-Qwen, Llama 3.1, Llama 3.2) rendered by r1 match
// transformers' apply_chat_template byte for byte; the oracle is Debian's python3-jinja2 run with transformers'
// settings (tests/support/render_chat_template.py).
#include "r1/tokenizer/chat_template.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../../support/test_support.h"
#include "r1/util/error.h"

using namespace r1;
using ojson = nlohmann::ordered_json;

namespace {

constexpr std::int64_t kFixedNow = 1764720000;  // 2025-12-03 00:00:00 UTC, strftime_now's clock in these tests

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) FAIL("cannot read " << path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A special token as tokenizer_config.json writes it: a string, null, or an AddedToken object.
std::string token_text(const nlohmann::json& j) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_object()) return j.at("content").get<std::string>();
  return "";
}

struct RealTemplate {
  std::string key;          // short name
  std::string source_name;  // for messages
  std::string text;
  std::string bos, eos;
};

const std::vector<RealTemplate>& real_templates() {
  static const std::vector<RealTemplate> templates = [] {
    std::string hf = test::shared_dir() + "/hf/";
    auto from_config = [&](const std::string& key, const std::string& dir) {
      nlohmann::json cfg = nlohmann::json::parse(read_file(hf + dir + "/tokenizer_config.json"));
      return RealTemplate{
          key, "chat_template (" + dir + "/tokenizer_config.json)", cfg.at("chat_template").get<std::string>(),
          token_text(cfg.value("bos_token", nlohmann::json())), token_text(cfg.value("eos_token", nlohmann::json()))};
    };
    std::vector<RealTemplate> t;
    t.push_back(from_config("qwen2.5", "qwen2.5"));
    t.push_back(from_config("r1-distill", "deepseek-r1-distill-qwen"));
    RealTemplate llama31 = from_config("llama3.1", "llama3.1");
    llama31.text = read_file(hf + "llama3.1/chat_template.jinja");
    llama31.source_name = "llama3.1/chat_template.jinja";
    t.push_back(llama31);
    RealTemplate llama32 = llama31;
    llama32.key = "llama3.2";
    llama32.text = read_file(hf + "llama3.1/chat_template.llama3.2.jinja");
    llama32.source_name = "llama3.1/chat_template.llama3.2.jinja";
    t.push_back(llama32);
    return t;
  }();
  return templates;
}

// A test-only template written without "-" markers, so that the oracle also checks trim_blocks/lstrip_blocks
// (the real templates strip most whitespace themselves).
RealTemplate indented_template() {
  return RealTemplate{"indented (test)", "indented.jinja",
                      "{% for message in messages %}\n"
                      "  {% if message['role'] == 'system' %}\n"
                      "<<SYS>>{{ message['content'] | trim }}<</SYS>>\n"
                      "  {% elif message['role'] == 'user' %}\n"
                      "    {# user turns #}\n"
                      "[INST] {{ message['content'] }} [/INST]\n"
                      "  {% else %}\n"
                      "    {{ message['content'] }}{{ eos_token }}\n"
                      "  {% endif %}\n"
                      "{% endfor %}\n"
                      "{% if add_generation_prompt %}\n"
                      "  {{ 'ASSISTANT:' }}\n"
                      "{% endif %}\n",
                      "<s>", "</s>"};
}

struct ChatCase {
  std::string label;
  ojson messages;
  bool add_generation_prompt;
  ojson extra = ojson::object();
  std::vector<std::string> must_render = {};  // templates that must render it (the others may refuse it); empty = all
};

ojson msg(const std::string& role, const ojson& content) { return ojson{{"role", role}, {"content", content}}; }

ojson weather_tool() {
  return ojson::parse(R"({"type": "function", "function": {"name": "get_weather", "description": "Get the weather",
    "parameters": {"type": "object", "properties": {"city": {"type": "string", "description": "City name"}},
    "required": ["city"]}}})");
}

// Message lists every one of the four templates renders.
std::vector<ChatCase> plain_cases() {
  return {
      {"one user turn, generation prompt", ojson::array({msg("user", "What is 2 + 3?")}), true},
      {"one user turn, no generation prompt", ojson::array({msg("user", "What is 2 + 3?")}), false},
      {"system + user", ojson::array({msg("system", "You are a helpful assistant."), msg("user", "Hi")}), true},
      {"multi-turn with padded contents",
       ojson::array(
           {msg("system", "  Be brief.  \n"), msg("user", "  Q1  "), msg("assistant", "A1"), msg("user", "Q2\n")}),
       true},
      {"assistant turn with <think> reasoning in history",
       ojson::array({msg("user", "Solve x+1=3"),
                     msg("assistant", "<think>\nx = 3 - 1 = 2\n</think>\n\nThe answer is 2."),
                     msg("user", "And x+2=3?")}),
       true},
      {"final assistant turn with <think>, no generation prompt",
       ojson::array({msg("user", "Solve"), msg("assistant", "<think>reasoning</think>answer")}), false},
      {"empty user content", ojson::array({msg("user", "")}), true},
      {"all contents empty", ojson::array({msg("system", ""), msg("user", ""), msg("assistant", "")}), false},
      {"unicode, newlines and tabs",
       ojson::array({msg("user", "多语言 テスト — emoji 🤖\nline2\ttab"), msg("assistant", "Ответ: ✓")}),
       true},
      {"three rounds with date_string",
       ojson::array({msg("system", "sys"), msg("user", "a"), msg("assistant", "b"), msg("user", "c"),
                     msg("assistant", "d"), msg("user", "e")}),
       true, ojson{{"date_string", "03 Dec 2025"}}},
      {"template syntax, quotes and backslashes in content",
       ojson::array({msg("user", "quote \" and backslash \\ and {{ braces }} {% tag %} {# c #}")}), true},
      {"only a system message", ojson::array({msg("system", "only a system message")}), true},
      {"several </think> in one assistant turn",
       ojson::array({msg("user", "q"), msg("assistant", "<think>a</think>b</think> c"), msg("user", "q2")}), false},
  };
}

// Tool use: each case is written for some of the templates; the others may refuse it (as transformers would).
std::vector<ChatCase> tool_cases() {
  ojson qwen_calls = ojson::array(
      {msg("system", "Use tools."), msg("user", "Weather in Paris?"),
       ojson{{"role", "assistant"},
             {"content", ""},
             {"tool_calls",
              ojson::array({ojson{{"type", "function"},
                                  {"function", {{"name", "get_weather"}, {"arguments", {{"city", "Paris"}}}}}}})}},
       msg("tool", "{\"temp\": 21}"), msg("tool", "sunny")});
  ojson r1_calls = ojson::array(
      {msg("user", "Weather?"),
       ojson{{"role", "assistant"},
             {"content", nullptr},
             {"tool_calls",
              ojson::array({ojson{{"type", "function"},
                                  {"function", {{"name", "get_weather"}, {"arguments", "{\"city\": \"Paris\"}"}}}}})}},
       msg("tool", "21C"), msg("assistant", "It is 21C.")});
  return {
      {"tools offered", ojson::array({msg("user", "What's the weather in Paris?")}), true,
       ojson{{"tools", ojson::array({weather_tool()})}}},
      {"tools in the system message (tools_in_user_message=false)",
       ojson::array({msg("system", "sys"), msg("user", "hi")}), true,
       ojson{{"tools", ojson::array({weather_tool()})},
             {"tools_in_user_message", false},
             {"date_string", "01 Jan 2025"}}},
      {"assistant tool call with dict arguments, then tool results",
       qwen_calls,
       true,
       ojson::object(),
       {"qwen2.5", "llama3.1", "llama3.2"}},
      {"assistant tool call with string arguments (content null)", r1_calls, true, ojson::object(), {"r1-distill"}},
      {"builtin tools", ojson::array({msg("user", "Search the web")}), true,
       ojson{{"builtin_tools", ojson::array({"brave_search", "code_interpreter", "wolfram_alpha"})}}},
      {"ipython message with a dict content",
       ojson::array({msg("user", "a"), msg("ipython", ojson{{"result", {1, 2}}})}), true},
  };
}

void require_python_jinja2() {
  test::CommandResult r =
      test::run_shell("/usr/bin/python3 -c 'import jinja2, sys; sys.stdout.write(jinja2.__version__)'");
  INFO(
      "the chat-template oracle needs Debian's python3-jinja2 for /usr/bin/python3 (apt-get install python3-jinja2); "
      "got: "
      << r.output);
  REQUIRE(r.exit_code == 0);
}

ojson oracle_case(const RealTemplate& t, const ChatCase& c) {
  return ojson{
      {"template", t.text},           {"messages", c.messages}, {"add_generation_prompt", c.add_generation_prompt},
      {"bos_token", t.bos},           {"eos_token", t.eos},     {"extra", c.extra},
      {"now_unix_seconds", kFixedNow}};
}

// Renders every case with the jinja2 oracle in one Python process: {"render": ...} or {"error": ...} each.
ojson run_oracle(const ojson& cases) {
  require_python_jinja2();
  std::string dir = test::temp_dir("chat_template_oracle");
  std::string input = dir + "/cases.json";
  {
    std::ofstream out(input, std::ios::binary);
    out << cases.dump();
  }
  std::string script = test::source_dir() + "/tests/support/render_chat_template.py";
  test::CommandResult r = test::run_shell("/usr/bin/python3 '" + script + "' < '" + input + "'");
  INFO("oracle output: " << r.output.substr(0, 2000));
  REQUIRE(r.exit_code == 0);
  ojson results = ojson::parse(r.output, nullptr, false);
  REQUIRE(!results.is_discarded());
  REQUIRE(results.is_array());
  REQUIRE(results.size() == cases.size());
  return results;
}

ChatTemplateInputs inputs_for(const RealTemplate& t, const ChatCase& c) {
  ChatTemplateInputs in;
  in.messages = c.messages;
  in.add_generation_prompt = c.add_generation_prompt;
  in.bos_token = t.bos;
  in.eos_token = t.eos;
  in.extra = c.extra;
  in.now_unix_seconds = kFixedNow;
  return in;
}

bool listed(const std::vector<std::string>& keys, const std::string& key) {
  return keys.empty() || std::find(keys.begin(), keys.end(), key) != keys.end();
}

struct Comparison {
  int rendered = 0;  // (template, case) pairs the oracle rendered
  int matched = 0;   // ... that r1 rendered to the same bytes
};

// Compares r1's render of every (template, case) with the oracle's.
Comparison compare_with_oracle(const std::vector<RealTemplate>& templates, const std::vector<ChatCase>& cases) {
  ojson batch = ojson::array();
  for (const RealTemplate& t : templates)
    for (const ChatCase& c : cases) batch.push_back(oracle_case(t, c));
  ojson expected = run_oracle(batch);
  Comparison result;
  size_t i = 0;
  for (const RealTemplate& t : templates) {
    ChatTemplate tmpl(t.text, t.source_name);
    for (const ChatCase& c : cases) {
      const ojson& want = expected[i++];
      INFO("template " << t.key << ", case \"" << c.label << "\", oracle: " << want.dump());
      if (listed(c.must_render, t.key)) REQUIRE(want.contains("render"));
      if (want.contains("render")) {
        ++result.rendered;
        std::string got = tmpl.render(inputs_for(t, c));
        CHECK(got == want["render"].get<std::string>());
        if (got == want["render"].get<std::string>()) ++result.matched;
      } else {
        // transformers fails on this input; r1 must fail too (not render something else).
        REQUIRE_THROWS_AS(tmpl.render(inputs_for(t, c)), InputError);
      }
    }
  }
  return result;
}

std::string render_real(const std::string& key, const ojson& messages, bool add_generation_prompt,
                        const ojson& extra = ojson::object()) {
  for (const RealTemplate& t : real_templates())
    if (t.key == key) {
      ChatCase c{"", messages, add_generation_prompt, extra};
      return ChatTemplate(t.text, t.source_name).render(inputs_for(t, c));
    }
  FAIL("no template " << key);
  return "";
}

}  // namespace

TEST_CASE("chat templates: the four real templates (and an indented one) × 13 message lists match transformers",
          "[tokenizer]") {
  std::vector<ChatCase> cases = plain_cases();
  REQUIRE(cases.size() >= 10);
  std::vector<RealTemplate> templates = real_templates();
  templates.push_back(indented_template());
  Comparison c = compare_with_oracle(templates, cases);
  REQUIRE(c.rendered == static_cast<int>(cases.size() * templates.size()));  // no case is an error
  REQUIRE(c.matched == c.rendered);
}

TEST_CASE("chat templates: tool use renders like transformers, or fails where it fails", "[tokenizer]") {
  Comparison c = compare_with_oracle(real_templates(), tool_cases());
  REQUIRE(c.rendered >= 16);  // most (template, case) pairs render; the rest fail on both sides
  REQUIRE(c.matched == c.rendered);
}

TEST_CASE("chat templates: hand-checked renders of each template", "[tokenizer]") {
  ojson sys_user = ojson::array({msg("system", "You are a helpful assistant."), msg("user", "Hi")});
  REQUIRE(render_real("qwen2.5", sys_user, true) ==
          "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
          "<|im_start|>assistant\n");
  REQUIRE(render_real("qwen2.5", ojson::array({msg("user", "Hi")}), false) ==
          "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n"
          "<|im_start|>user\nHi<|im_end|>\n");
  REQUIRE(render_real("r1-distill", sys_user, true) ==
          "<｜begin▁of▁sentence｜>You are a helpful assistant.<｜User｜>Hi<｜Assistant｜><think>\n");
  // DeepSeek-R1 drops the reasoning of earlier assistant turns.
  REQUIRE(
      render_real("r1-distill",
                  ojson::array({msg("user", "Q"), msg("assistant", "<think>r</think>A"), msg("user", "Q2")}), true) ==
      "<｜begin▁of▁sentence｜><｜User｜>Q<｜Assistant｜>A<｜end▁of▁sentence｜><｜User｜>Q2<｜Assistant｜><think>\n");
  std::string llama_tail =
      "You are a helpful assistant.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
      "<|start_header_id|>assistant<|end_header_id|>\n\n";
  REQUIRE(render_real("llama3.1", sys_user, true) ==
          "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\n"
          "Today Date: 26 Jul 2024\n\n" +
              llama_tail);
  // Llama 3.2 asks strftime_now for the date (fixed here).
  REQUIRE(render_real("llama3.2", sys_user, true) ==
          "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\n"
          "Today Date: 03 Dec 2025\n\n" +
              llama_tail);
  REQUIRE(
      render_real("llama3.2", sys_user, true, ojson{{"date_string", "01 Feb 2024"}}).find("Today Date: 01 Feb 2024") !=
      std::string::npos);
}

TEST_CASE("chat templates: the template's raise_exception is an InputError with its message", "[tokenizer]") {
  ojson two_calls = ojson::array(
      {msg("user", "x"),
       ojson{{"role", "assistant"},
             {"tool_calls", ojson::array({ojson{{"function", {{"name", "f"}, {"arguments", ojson::object()}}}},
                                          ojson{{"function", {{"name", "g"}, {"arguments", ojson::object()}}}}})}}});
  try {
    render_real("llama3.1", two_calls, false);
    FAIL("two tool calls rendered");
  } catch (const InputError& e) {
    REQUIRE(std::string(e.what()) ==
            "llama3.1/chat_template.jinja line 71: This model only supports single tool-calls at once!");
    REQUIRE(e.exit_code() == kExitBadInput);
  }
  // No messages: transformers fails on messages[0] too.
  REQUIRE_THROWS_AS(render_real("qwen2.5", ojson::array(), true), InputError);
}

TEST_CASE("chat templates: bad inputs and templates outside the subset are InputErrors", "[tokenizer]") {
  ChatTemplate t("{% for m in messages %}{{ m.role }}{% endfor %}", "chat_template (tokenizer_config.json)");
  ChatTemplateInputs in;
  in.messages = nlohmann::json{{"role", "user"}};  // an object, not an array
  REQUIRE_THROWS_WITH(t.render(in), Catch::Contains("messages must be a JSON array"));
  in.messages = ojson::array({msg("user", "x")});
  in.extra = ojson{{"messages", ojson::array()}};
  REQUIRE_THROWS_WITH(t.render(in), Catch::Contains("must not set \"messages\""));
  in.extra = ojson::object();
  REQUIRE(t.render(in) == "user");
  REQUIRE_THROWS_WITH(ChatTemplate("{{ bos_token }}\n{% macro render(m) %}{{ m }}{% endmacro %}",
                                   "chat_template (tokenizer_config.json)"),
                      "chat_template (tokenizer_config.json) line 2: unsupported statement \"macro\"");
  REQUIRE_THROWS_WITH(render_chat_template("{{ messages[0].content|capitalize }}", "chat_template (x)", in),
                      "chat_template (x) line 1: unknown filter \"capitalize\"");
}

TEST_CASE("chat templates: one parsed template renders many prompts, tokens left empty are undefined", "[tokenizer]") {
  ChatTemplate t("{{ bos_token is defined }}|{% for m in messages %}{{ m.content }}{% endfor %}|{{ tools }}", "t");
  for (int i = 0; i < 50; ++i) {
    ChatTemplateInputs in;
    in.messages = ojson::array({msg("user", "prompt " + std::to_string(i))});
    REQUIRE(t.render(in) == "False|prompt " + std::to_string(i) + "|None");
  }
  ChatTemplateInputs with_bos;
  with_bos.messages = ojson::array();
  with_bos.bos_token = "<s>";
  with_bos.extra = ojson{{"tools", ojson::array({"t"})}};
  REQUIRE(t.render(with_bos) == "True||['t']");
}
