// Splits and folds: sizes by the documented rounding, exact partitions,
// class proportions kept within one row per class, determinism per seed,
// and the validation errors.
#include "hypertune/ml/split.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>

#include "hypertune/ml/csv.h"
#include "tests/ml/data/data_test_util.h"

namespace hypertune::ml {
namespace {

using ::testing::HasSubstr;

PartSizes Sizes(size_t n, SplitRatios r) {
  Result<PartSizes> s = SplitSizes(n, r);
  EXPECT_TRUE(s.ok()) << s.status();
  return s.value_or({});
}

std::string SizeError(size_t n, SplitRatios r) {
  Result<PartSizes> s = SplitSizes(n, r);
  EXPECT_FALSE(s.ok());
  return s.ok() ? "" : s.status().message();
}

void ExpectSizes(const PartSizes& s, size_t train, size_t validation, size_t test) {
  EXPECT_EQ(s.train, train);
  EXPECT_EQ(s.validation, validation);
  EXPECT_EQ(s.test, test);
}

std::vector<int32_t> RandomLabels(size_t n, int classes, std::mt19937& gen) {
  std::vector<int32_t> labels(n);
  // Skewed class sizes, some classes tiny.
  std::vector<double> w(static_cast<size_t>(classes));
  for (double& x : w) x = std::pow(static_cast<double>(gen() % 100 + 1), 2.0);
  std::discrete_distribution<int32_t> d(w.begin(), w.end());
  for (auto& l : labels) l = d(gen);
  return labels;
}

// Every part sorted, disjoint, and (with `whole`) covering 0..n-1.
void ExpectPartition(const std::vector<const std::vector<size_t>*>& parts, size_t n, bool whole) {
  std::vector<int> seen(n, 0);
  for (const auto* p : parts) {
    EXPECT_TRUE(std::is_sorted(p->begin(), p->end()));
    for (size_t i : *p) {
      ASSERT_LT(i, n);
      ++seen[i];
    }
  }
  for (size_t i = 0; i < n; ++i) {
    if (whole) {
      ASSERT_EQ(seen[i], 1) << "row " << i;
    } else {
      ASSERT_LE(seen[i], 1) << "row " << i;
    }
  }
}

TEST(SplitTest, SizesFollowTheDocumentedRounding) {
  ExpectSizes(Sizes(150, {.validation = 0.2, .test = 0.1}), 105, 30, 15);
  // 5, 2.5, 2.5: one row left over, tie between validation and test goes to
  // validation.
  ExpectSizes(Sizes(10, {.train = 0.5, .validation = 0.25, .test = 0.25}), 5, 3, 2);
  // 3.5 / 3.5: the tie goes to train.
  ExpectSizes(Sizes(7, {.validation = 0.5}), 4, 3, 0);
  // 33.3 x 3: 100 rows, one left over: the largest fraction wins... all
  // equal, so train.
  ExpectSizes(Sizes(100, {.train = 1.0 / 3, .validation = 1.0 / 3, .test = 1.0 / 3}), 34, 33, 33);
  // Ratios below 1 in all leave rows out.
  ExpectSizes(Sizes(100, {.train = 0.5, .validation = 0.1, .test = 0.1}), 50, 10, 10);
  ExpectSizes(Sizes(3, {.test = 0.34}), 2, 0, 1);
}

TEST(SplitTest, RatioErrors) {
  EXPECT_EQ(SizeError(100, {.validation = 1.0}), "validation ratio 1 is not in [0, 1)");
  EXPECT_EQ(SizeError(100, {.test = -0.1}), "test ratio -0.1 is not in [0, 1)");
  EXPECT_EQ(SizeError(100, {.test = NAN}), "test ratio nan is not in [0, 1)");
  EXPECT_EQ(SizeError(100, {.validation = 0.6, .test = 0.4}),
            "validation + test ratios (1) leave no room for training rows");
  EXPECT_EQ(SizeError(100, {.train = 0.8, .validation = 0.3}),
            "split ratios sum to 1.1 (more than 1)");
  EXPECT_EQ(SizeError(100, {.train = 0.0, .validation = 0.3}), "train ratio 0 is not in (0, 1]");
  EXPECT_EQ(SizeError(5, {.test = 0.05}), "test ratio 0.05 of 5 rows gives no row");
  EXPECT_EQ(SizeError(0, {.test = 0.5}), "cannot split 0 rows");
}

TEST(SplitTest, RandomSplitPartitionsAndIsSeeded) {
  const SplitRatios r{.validation = 0.15, .test = 0.25};
  Result<TrainValTest> a = SplitIndices(1000, r, 1);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->train.size(), 600u);
  EXPECT_EQ(a->validation.size(), 150u);
  EXPECT_EQ(a->test.size(), 250u);
  ExpectPartition({&a->train, &a->validation, &a->test}, 1000, true);
  Result<TrainValTest> same = SplitIndices(1000, r, 1);
  Result<TrainValTest> other = SplitIndices(1000, r, 2);
  EXPECT_EQ(a->test, same->test);
  EXPECT_EQ(a->validation, same->validation);
  EXPECT_NE(a->test, other->test);
  // The values a seed gives are fixed on every platform (our Rng, our
  // Fisher-Yates): a regression guard.
  Result<TrainValTest> tiny = SplitIndices(10, {.test = 0.3}, 1);
  ASSERT_TRUE(tiny.ok());
  EXPECT_EQ(tiny->test.size(), 3u);
  EXPECT_EQ(SplitIndices(10, {.test = 0.3}, 1)->test, tiny->test);
}

// For every class and part, |count - n_c * size_p / n| < 1, and the parts
// have exactly the unstratified sizes.
void ExpectStratified(const std::vector<int32_t>& labels, const SplitRatios& r,
                      const TrainValTest& s) {
  const size_t n = labels.size();
  const PartSizes sizes = Sizes(n, r);
  EXPECT_EQ(s.train.size(), sizes.train);
  EXPECT_EQ(s.validation.size(), sizes.validation);
  EXPECT_EQ(s.test.size(), sizes.test);
  const int classes = *std::max_element(labels.begin(), labels.end()) + 1;
  std::vector<size_t> total(static_cast<size_t>(classes), 0);
  for (int32_t l : labels) ++total[static_cast<size_t>(l)];
  for (const auto* part : {&s.train, &s.validation, &s.test}) {
    std::vector<size_t> count(static_cast<size_t>(classes), 0);
    for (size_t i : *part) ++count[static_cast<size_t>(labels[i])];
    for (size_t c = 0; c < count.size(); ++c) {
      const double expected = static_cast<double>(total[c]) * static_cast<double>(part->size()) /
                              static_cast<double>(n);
      EXPECT_LT(std::abs(static_cast<double>(count[c]) - expected), 1.0)
          << "class " << c << ": " << count[c] << " rows vs " << expected;
    }
  }
}

TEST(SplitTest, StratifiedKeepsClassProportionsOnAdult) {
  Result<Table> t = ReadCsv(testing::DataPath("adult_train.csv"));
  ASSERT_TRUE(t.ok()) << t.status();
  Result<Dataset> ds = Dataset::Create(std::move(t).value(), {.target = "income"});
  ASSERT_TRUE(ds.ok());
  const SplitRatios r{.validation = 0.2, .test = 0.1};
  Result<TrainValTest> s = Split(ds->AllRows(), r, 42);
  ASSERT_TRUE(s.ok()) << s.status();
  ExpectPartition({&s->train, &s->validation, &s->test}, ds->num_rows(), true);
  ExpectStratified(ds->labels(), r, *s);
  // 24720 / 7841 (README) in 30 % / 20 % / 10 %.
  Result<DatasetView> test_view = ds->View(s->test);
  const std::vector<size_t> counts = test_view->ClassCounts();
  EXPECT_NEAR(static_cast<double>(counts[0]), 2472.0, 1.0);
  EXPECT_NEAR(static_cast<double>(counts[1]), 784.1, 1.0);
}

TEST(SplitTest, StratifiedWithinOneRowOnRandomLabels) {
  // Many small, skewed problems: these exercise the rounding's augmenting
  // paths (classes of 1-2 rows, several parts competing for the leftovers).
  std::mt19937 gen(3);
  for (int trial = 0; trial < 300; ++trial) {
    const size_t n = 5 + gen() % 200;
    const int classes = 1 + static_cast<int>(gen() % 12);
    const std::vector<int32_t> labels = RandomLabels(n, classes, gen);
    SplitRatios r;
    r.validation = static_cast<double>(gen() % 40) / 100.0;
    r.test = static_cast<double>(gen() % 40) / 100.0;
    if (gen() % 3 == 0) r.train = (1.0 - r.validation - r.test) * 0.7;
    if (!SplitSizes(n, r).ok()) continue;
    Result<TrainValTest> s = StratifiedSplitIndices(labels, r, trial);
    ASSERT_TRUE(s.ok()) << s.status();
    ExpectPartition({&s->train, &s->validation, &s->test}, n, r.train < 0);
    ExpectStratified(labels, r, *s);
    if (HasFailure()) {
      FAIL() << "trial " << trial << " n " << n << " ratios " << r.train << "/" << r.validation
             << "/" << r.test;
    }
  }
}

TEST(SplitTest, StratifiedIsSeeded) {
  std::mt19937 gen(5);
  const std::vector<int32_t> labels = RandomLabels(500, 4, gen);
  const SplitRatios r{.validation = 0.2, .test = 0.2};
  Result<TrainValTest> a = StratifiedSplitIndices(labels, r, 9);
  Result<TrainValTest> b = StratifiedSplitIndices(labels, r, 9);
  Result<TrainValTest> c = StratifiedSplitIndices(labels, r, 10);
  EXPECT_EQ(a->train, b->train);
  EXPECT_EQ(a->validation, b->validation);
  EXPECT_EQ(a->test, b->test);
  EXPECT_NE(a->test, c->test);
  const std::vector<int32_t> negative = {0, 1, -1};
  EXPECT_EQ(StratifiedSplitIndices(negative, r, 1).status().message(),
            "label -1 at position 2 is negative");
}

TEST(SplitTest, KFoldPartitionsExactly) {
  for (bool shuffle : {true, false}) {
    Result<std::vector<Fold>> folds = KFoldIndices(103, 5, 11, shuffle);
    ASSERT_TRUE(folds.ok());
    ASSERT_EQ(folds->size(), 5u);
    std::vector<const std::vector<size_t>*> validations;
    for (size_t f = 0; f < 5; ++f) {
      const Fold& fold = (*folds)[f];
      // sklearn's sizes: the first 103 % 5 = 3 folds have one row more.
      EXPECT_EQ(fold.validation.size(), f < 3 ? 21u : 20u);
      ExpectPartition({&fold.train, &fold.validation}, 103, true);
      validations.push_back(&fold.validation);
    }
    ExpectPartition(validations, 103, true);
    if (!shuffle) {
      EXPECT_EQ((*folds)[0].validation.front(), 0u);
      EXPECT_EQ((*folds)[0].validation.back(), 20u);
      EXPECT_EQ((*folds)[4].validation.front(), 83u);
    }
  }
  EXPECT_EQ(KFoldIndices(50, 5, 1)->at(2).validation, KFoldIndices(50, 5, 1)->at(2).validation);
  EXPECT_NE(KFoldIndices(50, 5, 1)->at(2).validation, KFoldIndices(50, 5, 2)->at(2).validation);
  EXPECT_EQ(KFoldIndices(50, 1, 1).status().message(), "k-fold needs k >= 2, got 1");
  EXPECT_EQ(KFoldIndices(3, 4, 1).status().message(), "4-fold needs at least 4 rows, got 3");
}

TEST(SplitTest, StratifiedKFold) {
  std::mt19937 gen(8);
  for (int trial = 0; trial < 50; ++trial) {
    const size_t n = 60 + gen() % 300;
    std::vector<int32_t> labels = RandomLabels(n, 5, gen);
    const int k = 2 + static_cast<int>(gen() % 5);
    std::vector<size_t> total(5, 0);
    for (int32_t l : labels) ++total[static_cast<size_t>(l)];
    bool too_small = false;
    for (size_t t : total) too_small |= t > 0 && t < static_cast<size_t>(k);
    Result<std::vector<Fold>> folds = StratifiedKFoldIndices(labels, k, trial, trial % 2 == 0);
    if (too_small) {
      EXPECT_FALSE(folds.ok());
      continue;
    }
    ASSERT_TRUE(folds.ok()) << folds.status();
    std::vector<const std::vector<size_t>*> validations;
    size_t smallest = n, largest = 0;
    for (const Fold& fold : *folds) {
      ExpectPartition({&fold.train, &fold.validation}, n, true);
      validations.push_back(&fold.validation);
      smallest = std::min(smallest, fold.validation.size());
      largest = std::max(largest, fold.validation.size());
      std::vector<size_t> count(5, 0);
      for (size_t i : fold.validation) ++count[static_cast<size_t>(labels[i])];
      for (size_t c = 0; c < 5; ++c) {
        EXPECT_GE(count[c], total[c] / static_cast<size_t>(k)) << "class " << c;
        EXPECT_LE(count[c], (total[c] + static_cast<size_t>(k) - 1) / static_cast<size_t>(k));
      }
    }
    EXPECT_LE(largest - smallest, 1u);
    ExpectPartition(validations, n, true);
  }
}

TEST(SplitTest, StratifiedKFoldNeedsKRowsPerClass) {
  Result<Table> t = ParseCsv("x,y\n1,a\n2,a\n3,a\n4,rare\n5,a\n6,rare\n7,a\n");
  Result<Dataset> ds = Dataset::Create(std::move(t).value(), {.target = "y"});
  ASSERT_TRUE(ds.ok());
  Result<std::vector<Fold>> folds = KFold(ds->AllRows(), 3, 1);
  ASSERT_FALSE(folds.ok());
  EXPECT_EQ(folds.status().message(),
            "stratified 3-fold: class 'rare' has 2 rows; every class needs at least k = 3");
  // Unstratified it works.
  EXPECT_TRUE(KFold(ds->AllRows(), 3, 1, true, /*stratify=*/false).ok());
  EXPECT_TRUE(KFold(ds->AllRows(), 2, 1).ok());
}

TEST(SplitTest, FoldsInsideATrainingView) {
  Result<Table> t = ReadCsv(testing::DataPath("iris.csv"));
  Result<Dataset> ds = Dataset::Create(std::move(t).value(), {.target = "species"});
  ASSERT_TRUE(ds.ok());
  Result<TrainValTest> s = Split(ds->AllRows(), {.test = 0.2}, 4);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->test.size(), 30u);
  EXPECT_EQ(ds->View(s->test)->ClassCounts(), (std::vector<size_t>{10, 10, 10}));
  Result<DatasetView> train = ds->View(s->train);
  Result<std::vector<Fold>> folds = KFold(*train, 4, 4);
  ASSERT_TRUE(folds.ok()) << folds.status();
  const std::set<size_t> train_rows(s->train.begin(), s->train.end());
  std::set<size_t> covered;
  for (const Fold& f : *folds) {
    EXPECT_EQ(f.validation.size(), 30u);
    EXPECT_EQ(f.train.size(), 90u);
    for (size_t r : f.validation) {
      EXPECT_TRUE(train_rows.count(r)) << r;
      covered.insert(r);
    }
    // 40 per class in training: 10 per fold.
    EXPECT_EQ(ds->View(f.validation)->ClassCounts(), (std::vector<size_t>{10, 10, 10}));
  }
  EXPECT_EQ(covered, train_rows);
  // A tuned ratio: each trial splits again, cheaply, by the same rule.
  for (double ratio : {0.1, 0.15, 0.33, 0.5}) {
    Result<TrainValTest> r = Split(ds->AllRows(), {.validation = ratio}, 1);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->validation.size(), Sizes(150, {.validation = ratio}).validation);
  }
}

}  // namespace
}  // namespace hypertune::ml
