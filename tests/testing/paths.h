// Where tests find the source tree, the build tree and the shared conformance data.
#pragma once

#include <optional>
#include <string>

namespace cairn::testing {

/// The project's source directory (the clone's root).
std::string SourceDir();
/// The build directory the tests were built in.
std::string BinaryDir();
/// `../shared` next to the clone (seed, reference notes, conformance data), or nullopt when
/// it is absent, as in a user's clone. Tests that need it print why and skip.
std::optional<std::string> SharedDir();

}  // namespace cairn::testing

/// Skips the current test, with the reason, when ../shared is absent; else binds `var` to it.
#define CAIRN_SHARED_DIR_OR_SKIP(var)                                               \
  std::string var;                                                                  \
  if (auto shared_dir_ = ::cairn::testing::SharedDir()) {                           \
    var = *shared_dir_;                                                             \
  } else {                                                                          \
    GTEST_SKIP() << "../shared is absent next to " << ::cairn::testing::SourceDir() \
                 << ": skipping a test that reads the shared conformance data";     \
  }
