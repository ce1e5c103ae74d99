// A minimal JSON codec for what core stores as text: scalars (attributes) and
// flat objects of scalars (the fixed parameters of an enqueued trial). Core
// has no third-party dependency; the storage back-ends use a full JSON
// library for the rest.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "hypertune/core/distributions.h"
#include "hypertune/core/status.h"

namespace hypertune::json_lite {

// null, true, 3, 0.5, "text". Doubles are written so they read back exactly;
// NaN and infinities as NaN / Infinity / -Infinity (Python's json does too).
std::string Encode(const ParamValue& v);
std::string Encode(const std::map<std::string, ParamValue, std::less<>>& object);

// Integers without '.', 'e' or 'E' decode as int64_t, other numbers as double.
Result<ParamValue> DecodeScalar(std::string_view json);
Result<std::map<std::string, ParamValue, std::less<>>> DecodeObject(std::string_view json);

}  // namespace hypertune::json_lite
