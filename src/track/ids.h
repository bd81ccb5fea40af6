// Identifiers the tracking store makes up: run ids (32 lowercase hex digits, as uuid4().hex),
// logged model ids ("m-" + 32 hex), and MLflow-style run names ("adjective-noun-NNN").
//
// Thread-safe: each thread draws from its own generator, seeded from std::random_device.
#pragma once

#include <string>

namespace cairn::track {

/// 128 random bits as 32 lowercase hex digits.
std::string NewHexId();
/// "m-" + NewHexId().
std::string NewLoggedModelId();
/// "<adjective>-<noun>-<0..999>", e.g. "brave-otter-412".
std::string NewRunName();

}  // namespace cairn::track
