#include "hypertune/core/search_space.h"

#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

namespace hypertune {
namespace {

std::shared_ptr<const Distribution> Float(double lo, double hi) {
  return std::make_shared<const Distribution>(FloatDistribution{lo, hi});
}

FrozenTrial MakeTrial(int number, TrialState state,
                      std::vector<std::pair<std::string, std::shared_ptr<const Distribution>>> ps) {
  FrozenTrial t;
  t.number = number;
  t.trial_id = number;
  t.state = state;
  if (state == TrialState::kComplete) t.values = {1.0};
  for (auto& [name, d] : ps) t.params.push_back(TrialParam{name, d, 0.5});
  return t;
}

std::set<std::string> Names(const SearchSpace& s) {
  std::set<std::string> out;
  for (const auto& [name, d] : s) out.insert(name);
  return out;
}

TEST(IntersectionSearchSpaceTest, EmptyUntilATrialFinishes) {
  TrialCache cache(0, "s", {StudyDirection::kMinimize});
  IntersectionSearchSpace space;
  EXPECT_TRUE(space.Calculate(cache).empty());
  cache.Apply(MakeTrial(0, TrialState::kRunning, {{"x", Float(0, 1)}}));
  EXPECT_TRUE(space.Calculate(cache).empty());
  cache.Apply(MakeTrial(0, TrialState::kComplete, {{"x", Float(0, 1)}}));
  EXPECT_EQ(Names(space.Calculate(cache)), (std::set<std::string>{"x"}));
}

TEST(IntersectionSearchSpaceTest, IntersectsIncrementallyAndDropsChangedDistributions) {
  TrialCache cache(0, "s", {StudyDirection::kMinimize});
  IntersectionSearchSpace space;
  auto x = Float(0, 1);
  cache.Apply(
      MakeTrial(0, TrialState::kComplete, {{"x", x}, {"y", Float(0, 1)}, {"z", Float(0, 1)}}));
  EXPECT_EQ(Names(space.Calculate(cache)), (std::set<std::string>{"x", "y", "z"}));
  // Equal distributions held by different objects still match.
  cache.Apply(MakeTrial(1, TrialState::kComplete, {{"x", Float(0, 1)}, {"y", Float(0, 1)}}));
  EXPECT_EQ(Names(space.Calculate(cache)), (std::set<std::string>{"x", "y"}));
  // y's range changes: y leaves the space.
  cache.Apply(MakeTrial(2, TrialState::kComplete, {{"x", x}, {"y", Float(0, 2)}}));
  EXPECT_EQ(Names(space.Calculate(cache)), (std::set<std::string>{"x"}));
  // FAIL and RUNNING trials do not count; nor do PRUNED ones by default.
  cache.Apply(MakeTrial(3, TrialState::kFail, {}));
  cache.Apply(MakeTrial(4, TrialState::kRunning, {}));
  cache.Apply(MakeTrial(5, TrialState::kPruned, {}));
  EXPECT_EQ(Names(space.Calculate(cache)), (std::set<std::string>{"x"}));
  // The running trial completes without x.
  cache.Apply(MakeTrial(4, TrialState::kComplete, {{"w", x}}));
  EXPECT_TRUE(space.Calculate(cache).empty());
}

TEST(IntersectionSearchSpaceTest, IncludePrunedCountsPrunedTrials) {
  TrialCache cache(0, "s", {StudyDirection::kMinimize});
  IntersectionSearchSpace with(true), without(false);
  cache.Apply(MakeTrial(0, TrialState::kComplete, {{"x", Float(0, 1)}, {"y", Float(0, 1)}}));
  cache.Apply(MakeTrial(1, TrialState::kPruned, {{"x", Float(0, 1)}}));
  EXPECT_EQ(Names(with.Calculate(cache)), (std::set<std::string>{"x"}));
  EXPECT_EQ(Names(without.Calculate(cache)), (std::set<std::string>{"x", "y"}));
}

TEST(IntersectionSearchSpaceTest, MatchesFromScratchComputationOnAnotherView) {
  // The same history seen through a second view (the cursor restarts) gives
  // the same answer as the incremental one.
  TrialCache cache(0, "s", {StudyDirection::kMinimize});
  IntersectionSearchSpace space;
  for (int k = 0; k < 50; ++k) {
    std::vector<std::pair<std::string, std::shared_ptr<const Distribution>>> ps;
    ps.emplace_back("a", Float(0, 1));
    if (k % 7 != 3) ps.emplace_back("b", Float(0, 1));
    if (k < 40) ps.emplace_back("c", Float(0, 1));
    cache.Apply(MakeTrial(k, TrialState::kComplete, ps));
    space.Calculate(cache);
  }
  TrialCache copy(0, "s", {StudyDirection::kMinimize});
  for (const FrozenTrial* t : cache.trials()) copy.Apply(*t);
  EXPECT_EQ(Names(space.Calculate(cache)), (std::set<std::string>{"a"}));
  EXPECT_EQ(Names(space.Calculate(copy)), (std::set<std::string>{"a"}));
  EXPECT_EQ(Names(IntersectionSearchSpace().Calculate(copy)), (std::set<std::string>{"a"}));
}

std::vector<std::set<std::string>> Groups(const std::vector<SearchSpace>& g) {
  std::vector<std::set<std::string>> out;
  for (const SearchSpace& s : g) out.push_back(Names(s));
  return out;
}

TEST(GroupDecomposedSearchSpaceTest, SplitsConditionalSpace) {
  TrialCache cache(0, "s", {StudyDirection::kMinimize});
  GroupDecomposedSearchSpace groups;
  auto d = Float(0, 1);
  cache.Apply(MakeTrial(0, TrialState::kComplete, {{"clf", d}, {"svm_c", d}, {"svm_gamma", d}}));
  EXPECT_EQ(Groups(groups.Calculate(cache)),
            (std::vector<std::set<std::string>>{{"clf", "svm_c", "svm_gamma"}}));
  cache.Apply(MakeTrial(1, TrialState::kComplete, {{"clf", d}, {"rf_depth", d}}));
  EXPECT_EQ(Groups(groups.Calculate(cache)),
            (std::vector<std::set<std::string>>{{"clf"}, {"svm_c", "svm_gamma"}, {"rf_depth"}}));
  // Seen again: no change (adding a trial twice is harmless).
  cache.Apply(MakeTrial(2, TrialState::kComplete, {{"clf", d}, {"rf_depth", d}}));
  cache.Apply(MakeTrial(3, TrialState::kComplete, {{"clf", d}, {"svm_c", d}, {"svm_gamma", d}}));
  EXPECT_EQ(Groups(groups.Calculate(cache)),
            (std::vector<std::set<std::string>>{{"clf"}, {"svm_c", "svm_gamma"}, {"rf_depth"}}));
  // A trial with only svm_c splits the svm group; pruned trials are not
  // counted by default, FAIL trials never.
  cache.Apply(MakeTrial(4, TrialState::kPruned, {{"svm_c", d}}));
  cache.Apply(MakeTrial(5, TrialState::kFail, {{"svm_c", d}}));
  EXPECT_EQ(groups.Calculate(cache).size(), 3u);
  GroupDecomposedSearchSpace with_pruned(true);
  EXPECT_EQ(Groups(with_pruned.Calculate(cache)),
            (std::vector<std::set<std::string>>{{"clf"}, {"svm_c"}, {"svm_gamma"}, {"rf_depth"}}));
}

}  // namespace
}  // namespace hypertune
