// Jinja parsing: the statements and expressions of the supported subset into an AST, with Jinja's precedence;
// anything outside the subset (macro, include, unknown filters or tests, ...) is an error naming the line.
#pragma once
#include <string>
#include <vector>

#include "jinja_ast.h"
#include "jinja_lexer.h"

namespace r1::jinja {

// Throws r1::InputError "<source_name> line N: ..." for syntax errors and unsupported constructs.
Body parse_template(const std::vector<Segment>& segments, const std::string& source_name);

}  // namespace r1::jinja
