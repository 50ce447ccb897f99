// Jinja rendering: walks the parsed template with Jinja's scoping (a `set` inside a for loop stays in that
// iteration; namespace() objects carry values out), loop variables, break/continue, and located errors.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "jinja_ast.h"

namespace r1::jinja {

// Renders `body`; `globals` are looked up after `variables`. Throws r1::InputError "<source_name> line N: ...".
std::string render_body(const Body& body, const std::string& source_name,
                        const std::vector<std::pair<std::string, Value>>& globals, const Dict& variables);

}  // namespace r1::jinja
