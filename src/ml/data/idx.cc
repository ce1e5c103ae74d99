#include "hypertune/ml/idx.h"

#include <cstdio>

#include "src/ml/data/input.h"

namespace hypertune::ml {
namespace {

uint32_t BigEndian32(const unsigned char* p) {
  return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 |
         static_cast<uint32_t>(p[2]) << 8 | static_cast<uint32_t>(p[3]);
}

// Bytes per element of each IDX type code; 0 for an unknown code.
size_t ElementSize(unsigned type, const char** name) {
  switch (type) {
    case 0x08:
      *name = "unsigned byte";
      return 1;
    case 0x09:
      *name = "signed byte";
      return 1;
    case 0x0B:
      *name = "short";
      return 2;
    case 0x0C:
      *name = "int";
      return 4;
    case 0x0D:
      *name = "float";
      return 4;
    case 0x0E:
      *name = "double";
      return 8;
    default:
      *name = "unknown";
      return 0;
  }
}

std::string Hex(uint32_t x) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "0x%08X", x);
  return buf;
}

}  // namespace

Result<IdxArray> ParseIdx(std::string_view bytes, std::string_view source_name) {
  const std::string src(source_name);
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  if (bytes.size() < 4) {
    return Status::Corruption(src + ": not an IDX file (" + std::to_string(bytes.size()) +
                              " bytes, shorter than the 4-byte magic)");
  }
  const uint32_t magic = BigEndian32(p);
  const char* type_name = nullptr;
  const size_t element_size = ElementSize(p[2], &type_name);
  if (p[0] != 0 || p[1] != 0 || element_size == 0 || p[3] == 0) {
    return Status::Corruption(src + ": not an IDX file (magic " + Hex(magic) +
                              "; expected 0x0000TTNN with a known type TT and NN >= 1 "
                              "dimensions, e.g. 0x00000803 for images, 0x00000801 for labels)");
  }
  const size_t ndims = p[3];
  const size_t header = 4 + 4 * ndims;
  if (bytes.size() < header) {
    return Status::Corruption(src + ": truncated IDX header (" + std::to_string(ndims) +
                              " dimensions need " + std::to_string(header) +
                              " bytes, the file has " + std::to_string(bytes.size()) + ")");
  }
  IdxArray out;
  size_t count = 1;
  for (size_t d = 0; d < ndims; ++d) {
    const uint32_t size = BigEndian32(p + 4 + 4 * d);
    out.dims.push_back(size);
    if (size != 0 && count > SIZE_MAX / size / element_size) {
      return Status::Corruption(src + ": IDX dimensions too large");
    }
    count *= size;
  }
  const size_t expected = count * element_size;
  const size_t have = bytes.size() - header;
  if (have < expected) {
    return Status::Corruption(src + ": truncated IDX data: the dimensions need " +
                              std::to_string(expected) + " bytes, the file has " +
                              std::to_string(have));
  }
  if (have > expected) {
    return Status::Corruption(src + ": " + std::to_string(have - expected) +
                              " bytes after the IDX data (" + std::to_string(expected) +
                              " expected)");
  }
  if (p[2] != 0x08) {
    return Status::Unimplemented(src + ": IDX element type " + type_name +
                                 " is not supported (only unsigned byte)");
  }
  out.data.assign(p + header, p + header + expected);
  return out;
}

Result<IdxArray> ReadIdx(const std::string& path) {
  HT_ASSIGN_OR_RETURN(std::string bytes, internal::ReadFileContents(path));
  return ParseIdx(bytes, path);
}

Result<ImageSet> ReadIdxImages(const std::string& images_path, const std::string& labels_path) {
  HT_ASSIGN_OR_RETURN(IdxArray images, ReadIdx(images_path));
  HT_ASSIGN_OR_RETURN(IdxArray labels, ReadIdx(labels_path));
  if (images.dims.size() != 3) {
    return Status::InvalidArgument(images_path + ": images need 3 dimensions (count, rows, " +
                                   "columns), the file has " + std::to_string(images.dims.size()));
  }
  if (labels.dims.size() != 1) {
    return Status::InvalidArgument(labels_path + ": labels need 1 dimension, the file has " +
                                   std::to_string(labels.dims.size()));
  }
  if (images.dims[0] != labels.dims[0]) {
    return Status::InvalidArgument(images_path + " has " + std::to_string(images.dims[0]) +
                                   " images but " + labels_path + " has " +
                                   std::to_string(labels.dims[0]) + " labels");
  }
  ImageSet set;
  set.num_images = images.dims[0];
  set.rows = images.dims[1];
  set.cols = images.dims[2];
  set.pixels = std::move(images.data);
  set.labels = std::move(labels.data);
  return set;
}

MatrixF ImageSet::ToMatrix(float scale) const {
  MatrixF m(static_cast<Eigen::Index>(num_images), static_cast<Eigen::Index>(pixels_per_image()));
  float* out = m.data();
  for (size_t i = 0; i < pixels.size(); ++i) out[i] = static_cast<float>(pixels[i]) * scale;
  return m;
}

std::vector<int32_t> ImageSet::LabelCodes() const { return {labels.begin(), labels.end()}; }

std::vector<double> ImageSet::LabelsAsDouble() const { return {labels.begin(), labels.end()}; }

std::vector<size_t> ImageSet::ClassCounts() const {
  std::vector<size_t> counts;
  for (uint8_t l : labels) {
    if (l >= counts.size()) counts.resize(size_t{l} + 1, 0);
    ++counts[l];
  }
  return counts;
}

const std::vector<std::string>& FashionMnistClassNames() {
  static const std::vector<std::string> kNames = {"T-shirt/top", "Trouser",   "Pullover", "Dress",
                                                  "Coat",        "Sandal",    "Shirt",    "Sneaker",
                                                  "Bag",         "Ankle boot"};
  return kNames;
}

}  // namespace hypertune::ml
