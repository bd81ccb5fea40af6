// The SQL tracking store's schema, as numbered migrations for db::Migrate (component
// "tracking"). Migration 1 also creates experiment 0, "Default"; its artifact location is left
// empty for the store to fill in from its default root when it first opens the database.
#pragma once

#include <span>

#include "db/db.h"

namespace cairn::track {

inline constexpr std::string_view kTrackingComponent = "tracking";

/// Every migration, in order. Static data; thread-safe.
std::span<const db::Migration> TrackingMigrations();

}  // namespace cairn::track
