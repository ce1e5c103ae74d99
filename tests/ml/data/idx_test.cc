// IDX reader: Fashion-MNIST from ../shared/data (shapes, 6000 / 1000 images
// per class, and the README's pixel mean and std), and the errors for a
// wrong magic, truncated or over-long data, unsupported types and
// mismatched files.
#include "hypertune/ml/idx.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "tests/ml/data/data_test_util.h"

namespace hypertune::ml {
namespace {

using testing::DataPath;
using ::testing::HasSubstr;

std::string Idx(uint8_t type, const std::vector<uint32_t>& dims, size_t data_bytes) {
  std::string s = {0, 0, static_cast<char>(type), static_cast<char>(dims.size())};
  for (uint32_t d : dims) {
    for (int shift = 24; shift >= 0; shift -= 8) s += static_cast<char>((d >> shift) & 0xFF);
  }
  for (size_t i = 0; i < data_bytes; ++i) s += static_cast<char>(i % 251);
  return s;
}

TEST(IdxTest, FashionMnist) {
  const std::string dir = "fashion-mnist/";
  Result<ImageSet> train = ReadIdxImages(DataPath(dir + "train-images-idx3-ubyte.gz"),
                                         DataPath(dir + "train-labels-idx1-ubyte.gz"));
  ASSERT_TRUE(train.ok()) << train.status();
  EXPECT_EQ(train->num_images, 60000u);
  EXPECT_EQ(train->rows, 28u);
  EXPECT_EQ(train->cols, 28u);
  EXPECT_EQ(train->pixels.size(), 60000u * 784);
  EXPECT_EQ(train->ClassCounts(), std::vector<size_t>(10, 6000));
  // README: train pixel mean 0.2860, std 0.3530 (pixels / 255).
  double sum = 0, sum_sq = 0;
  for (uint8_t p : train->pixels) {
    const double x = p / 255.0;
    sum += x;
    sum_sq += x * x;
  }
  const double n = static_cast<double>(train->pixels.size());
  const double mean = sum / n;
  EXPECT_NEAR(mean, 0.2860, 5e-5);
  EXPECT_NEAR(std::sqrt(sum_sq / n - mean * mean), 0.3530, 5e-5);

  Result<ImageSet> test = ReadIdxImages(DataPath(dir + "t10k-images-idx3-ubyte.gz"),
                                        DataPath(dir + "t10k-labels-idx1-ubyte.gz"));
  ASSERT_TRUE(test.ok()) << test.status();
  EXPECT_EQ(test->num_images, 10000u);
  EXPECT_EQ(test->ClassCounts(), std::vector<size_t>(10, 1000));
  const MatrixF x = test->ToMatrix();
  EXPECT_EQ(x.rows(), 10000);
  EXPECT_EQ(x.cols(), 784);
  EXPECT_EQ(x(3, 400), test->pixels[3 * 784 + 400] / 255.0f);
  EXPECT_EQ(test->LabelCodes().size(), 10000u);
  EXPECT_EQ(test->LabelsAsDouble()[0], static_cast<double>(test->labels[0]));
  EXPECT_EQ(FashionMnistClassNames()[9], "Ankle boot");

  // Images and labels of different sets.
  Result<ImageSet> mixed = ReadIdxImages(DataPath(dir + "train-images-idx3-ubyte.gz"),
                                         DataPath(dir + "t10k-labels-idx1-ubyte.gz"));
  ASSERT_FALSE(mixed.ok());
  EXPECT_THAT(mixed.status().message(), HasSubstr("has 60000 images but"));
  EXPECT_THAT(mixed.status().message(), HasSubstr("t10k-labels-idx1-ubyte.gz has 10000 labels"));
  // The two files swapped.
  Result<ImageSet> swapped = ReadIdxImages(DataPath(dir + "t10k-labels-idx1-ubyte.gz"),
                                           DataPath(dir + "t10k-images-idx3-ubyte.gz"));
  ASSERT_FALSE(swapped.ok());
  EXPECT_THAT(swapped.status().message(), HasSubstr("images need 3 dimensions"));
}

TEST(IdxTest, ParsesAndValidates) {
  Result<IdxArray> a = ParseIdx(Idx(0x08, {2, 3}, 6), "a.idx");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->dims, (std::vector<uint32_t>{2, 3}));
  EXPECT_EQ(a->data, (std::vector<uint8_t>{0, 1, 2, 3, 4, 5}));

  EXPECT_EQ(ParseIdx("\x1f\x8b", "a.idx").status().message(),
            "a.idx: not an IDX file (2 bytes, shorter than the 4-byte magic)");
  Result<IdxArray> magic = ParseIdx(std::string("\x01\x00\x08\x01", 4) + "xxxx", "a.idx");
  EXPECT_EQ(magic.status().code(), StatusCode::kCorruption);
  EXPECT_THAT(magic.status().message(), HasSubstr("a.idx: not an IDX file (magic 0x01000801"));
  EXPECT_THAT(ParseIdx(Idx(0x07, {1}, 1), "a.idx").status().message(),
              HasSubstr("not an IDX file (magic 0x00000701"));
  EXPECT_EQ(ParseIdx(Idx(0x08, {10, 10}, 0).substr(0, 9), "a.idx").status().message(),
            "a.idx: truncated IDX header (2 dimensions need 12 bytes, the file has 9)");
  EXPECT_EQ(ParseIdx(Idx(0x08, {10, 10}, 99), "a.idx").status().message(),
            "a.idx: truncated IDX data: the dimensions need 100 bytes, the file has 99");
  EXPECT_EQ(ParseIdx(Idx(0x08, {4}, 6), "a.idx").status().message(),
            "a.idx: 2 bytes after the IDX data (4 expected)");
  Result<IdxArray> floats = ParseIdx(Idx(0x0D, {2}, 8), "a.idx");
  EXPECT_EQ(floats.status().code(), StatusCode::kUnimplemented);
  EXPECT_EQ(floats.status().message(),
            "a.idx: IDX element type float is not supported (only unsigned byte)");

  // From a file, truncated: the error names the file.
  const std::string path = testing::WriteTempFile("cut.idx", Idx(0x08, {5, 2, 2}, 19));
  Result<IdxArray> cut = ReadIdx(path);
  EXPECT_EQ(cut.status().message(),
            path + ": truncated IDX data: the dimensions need 20 bytes, the file has 19");
}

}  // namespace
}  // namespace hypertune::ml
