#!/usr/bin/python3
# Test oracle for r1's chat-template renderer: renders Jinja chat templates with Debian's python3-jinja2 under the
# settings transformers' apply_chat_template uses (ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks,
# loop controls, its tojson filter, raise_exception and strftime_now globals, the {% generation %} tag).
#
# stdin: one JSON case or a JSON array of cases. A chat case:
#   {"template": str, "messages": [...], "add_generation_prompt": bool, "bos_token": str, "eos_token": str,
#    "extra": {...}, "now_unix_seconds": int (optional: strftime_now formats this instant, in UTC)}
# rendered as transformers does: render(messages=, tools=None, documents=None, add_generation_prompt=,
# bos_token/eos_token (when non-empty), **extra). A plain case {"template": str, "variables": {...}} renders
# with just those variables.
# stdout: for each case {"render": str} or {"error": "ExceptionType: message"}; one object, or an array.
import json
import sys
from datetime import datetime, timezone

try:
    import jinja2
    from jinja2 import nodes
    from jinja2.ext import Extension
    from jinja2.sandbox import ImmutableSandboxedEnvironment
except ImportError as exc:  # the C++ test reports this output as a failure
    sys.stdout.write("python3-jinja2 is missing (apt-get install python3-jinja2): %s" % exc)
    sys.exit(3)


class GenerationTag(Extension):
    """{% generation %}...{% endgeneration %} renders its body (transformers uses it to mark assistant text)."""

    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
        return nodes.CallBlock(self.call_method("_render_body"), [], [], body).set_lineno(lineno)

    def _render_body(self, caller):
        return caller()


def make_environment(now_unix_seconds):
    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    def strftime_now(format):
        if now_unix_seconds is None:
            return datetime.now().strftime(format)
        fixed = datetime.fromtimestamp(now_unix_seconds, tz=timezone.utc).replace(tzinfo=None)
        return fixed.strftime(format)

    env = ImmutableSandboxedEnvironment(
        trim_blocks=True, lstrip_blocks=True, extensions=[GenerationTag, jinja2.ext.loopcontrols]
    )
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


def render_case(case):
    env = make_environment(case.get("now_unix_seconds"))
    try:
        template = env.from_string(case["template"])
        if "variables" in case:
            return {"render": template.render(**case["variables"])}
        variables = {}
        for name in ("bos_token", "eos_token"):
            if case.get(name):
                variables[name] = case[name]
        variables.update(case.get("extra", {}))
        text = template.render(
            messages=case["messages"],
            tools=variables.pop("tools", None),
            documents=variables.pop("documents", None),
            add_generation_prompt=case.get("add_generation_prompt", False),
            **variables,
        )
        return {"render": text}
    except Exception as exc:  # reported to the caller, which compares or fails
        return {"error": "%s: %s" % (type(exc).__name__, exc)}


def main():
    request = json.loads(sys.stdin.read())
    if isinstance(request, list):
        result = [render_case(c) for c in request]
    else:
        result = render_case(request)
    sys.stdout.write(json.dumps(result, ensure_ascii=True))


if __name__ == "__main__":
    main()
