// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), the checksum of
// zlib and Python's binascii.crc32 (internal; not installed).
#pragma once

#include <cstdint>
#include <string_view>

namespace hypertune::pruners_internal {

// Crc32("123456789") == 0xCBF43926.
uint32_t Crc32(std::string_view bytes);

}  // namespace hypertune::pruners_internal
