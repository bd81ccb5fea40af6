// Module-private: quoting a word for a POSIX shell exactly as Python's shlex.quote does (DVC
// prints `git add` hints with it).
#pragma once

#include <string>
#include <string_view>

namespace cairn::cli {

/// `s` unchanged when it is made only of ASCII letters, digits and `@%+=:,./-_`; else in single
/// quotes, each ' written as '"'"'. The empty string is ''.
std::string ShellQuote(std::string_view s);

}  // namespace cairn::cli
