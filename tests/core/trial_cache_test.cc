#include <gtest/gtest.h>

#include "hypertune/core/study_view.h"

namespace hypertune {
namespace {

FrozenTrial T(int number, TrialState state = TrialState::kRunning) {
  FrozenTrial t;
  t.number = number;
  t.trial_id = number;
  t.state = state;
  return t;
}

TEST(TrialCacheTest, TrialsAreIndexedByNumberAndChangesAreTracked) {
  TrialCache cache(1, "s", {StudyDirection::kMinimize});
  EXPECT_EQ(cache.study_name(), "s");
  cache.Apply(T(0));
  cache.Apply(T(1));
  const uint64_t r1 = cache.revision();
  ASSERT_EQ(cache.trials().size(), 2u);
  cache.Apply(T(0, TrialState::kComplete));
  cache.Apply(T(2));
  std::vector<int> changed;
  cache.ChangedSince(r1, changed);
  EXPECT_EQ(changed, (std::vector<int>{0, 2}));
  EXPECT_EQ(cache.trials()[0]->state, TrialState::kComplete);
  changed.clear();
  cache.ChangedSince(cache.revision(), changed);
  EXPECT_TRUE(changed.empty());
}

TEST(TrialCacheTest, TrialsAfterAGapAppearWhenItFills) {
  TrialCache cache(1, "s", {StudyDirection::kMinimize});
  cache.Apply(T(0));
  const uint64_t r = cache.revision();
  cache.Apply(T(2));
  EXPECT_EQ(cache.trials().size(), 1u);  // 1 is missing
  std::vector<int> changed;
  cache.ChangedSince(r, changed);
  EXPECT_TRUE(changed.empty());
  cache.Apply(T(1));
  EXPECT_EQ(cache.trials().size(), 3u);
  cache.ChangedSince(r, changed);
  EXPECT_EQ(changed, (std::vector<int>{1, 2}));
  for (size_t k = 0; k < 3; ++k) EXPECT_EQ(cache.trials()[k]->number, static_cast<int>(k));
}

TEST(TrialCacheTest, ManyUpdatesOfOneTrialKeepTheLogSmallAndCorrect) {
  TrialCache cache(1, "s", {StudyDirection::kMinimize});
  cache.Apply(T(0));
  cache.Apply(T(1));
  const uint64_t r = cache.revision();
  for (int k = 0; k < 100000; ++k) cache.Apply(T(1));
  cache.Apply(T(0, TrialState::kComplete));
  std::vector<int> changed;
  cache.ChangedSince(r, changed);
  EXPECT_EQ(changed, (std::vector<int>{0, 1}));
  changed.clear();
  cache.ChangedSince(cache.revision() - 1, changed);
  EXPECT_EQ(changed, (std::vector<int>{0}));
}

}  // namespace
}  // namespace hypertune
