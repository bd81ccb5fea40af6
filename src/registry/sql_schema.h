// The registry's tables in a SQL database, as numbered migrations (component "registry" in
// cairn_schema). They may share a file with the tracking tables, so their names avoid
// tracking's (experiments, runs, tags, ...). Thread-safe (constant data).
#pragma once

#include <span>

#include "db/db.h"

namespace cairn::registry {

/// Every schema step, oldest first; db::Migrate applies the missing ones.
std::span<const db::Migration> RegistryMigrations();

}  // namespace cairn::registry
