// IDX files (the MNIST / Fashion-MNIST format): a big-endian magic
// 0x0000TTNN (TT the element type, NN the number of dimensions), NN
// big-endian uint32 sizes, then the elements in row-major order. Plain or
// gzip (detected by magic bytes). Element type 0x08 (unsigned byte) is read;
// the others (signed byte, short, int, float, double) are reported as
// Unimplemented.
//
//   ImageSet train = ReadIdxImages(
//       "../shared/data/fashion-mnist/train-images-idx3-ubyte.gz",
//       "../shared/data/fashion-mnist/train-labels-idx1-ubyte.gz").value();
//   train.num_images;              // 60000, each 28 x 28
//   MatrixF x = train.ToMatrix();  // 60000 x 784, pixels / 255
//   std::vector<int32_t> y = train.LabelCodes();
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hypertune/core/status.h"
#include "hypertune/ml/matrix.h"

namespace hypertune::ml {

struct IdxArray {
  std::vector<uint32_t> dims;
  std::vector<uint8_t> data;  // product of dims elements
};

// Corruption naming the file for a wrong magic, a truncated file or
// trailing bytes.
Result<IdxArray> ReadIdx(const std::string& path);
Result<IdxArray> ParseIdx(std::string_view bytes, std::string_view source_name = "<bytes>");

struct ImageSet {
  size_t num_images = 0;
  size_t rows = 0;
  size_t cols = 0;
  std::vector<uint8_t> pixels;  // image i is pixels[i*rows*cols, (i+1)*rows*cols)
  std::vector<uint8_t> labels;  // one per image

  size_t pixels_per_image() const { return rows * cols; }
  // One row per image, pixel * scale (1/255 gives [0, 1]).
  MatrixF ToMatrix(float scale = 1.0f / 255.0f) const;
  std::vector<int32_t> LabelCodes() const;
  std::vector<double> LabelsAsDouble() const;
  // Images per label value 0..max label.
  std::vector<size_t> ClassCounts() const;
};

// Images (3 dimensions) and labels (1 dimension) with the same count;
// InvalidArgument otherwise, naming both files.
Result<ImageSet> ReadIdxImages(const std::string& images_path, const std::string& labels_path);

// T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker, Bag,
// Ankle boot.
const std::vector<std::string>& FashionMnistClassNames();

}  // namespace hypertune::ml
