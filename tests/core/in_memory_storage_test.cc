#include "hypertune/core/in_memory_storage.h"

#include "hypertune/testing/storage_conformance.h"

namespace hypertune::testing {
namespace {

INSTANTIATE_TEST_SUITE_P(InMemory, StorageConformanceTest,
                         ::testing::Values(StorageFactory{
                             "in_memory", [] { return std::make_shared<InMemoryStorage>(); }}),
                         [](const auto& p) { return p.param.name; });

TEST(InMemoryStorageTest, ChangeLogStaysLinearInTrials) {
  InMemoryStorage storage;
  const int64_t s = storage.CreateStudy("s", {StudyDirection::kMinimize}).value();
  const int64_t id = storage.CreateTrial(s).value().trial_id;
  TrialCursor cursor;
  std::vector<FrozenTrial> out;
  // Many changes to one trial: each read still returns it once, in its
  // latest form.
  for (int step = 0; step < 10000; ++step) {
    ASSERT_TRUE(storage.SetTrialIntermediateValue(id, step, step).ok());
  }
  ASSERT_TRUE(storage.ReadTrialUpdates(s, cursor, out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].intermediate_values.size(), 10000u);
}

}  // namespace
}  // namespace hypertune::testing

namespace hypertune {
namespace {

TEST(GetAllTrialsTest, ReturnsEveryTrialInNumberOrder) {
  InMemoryStorage storage;
  const int64_t s = storage.CreateStudy("s", {StudyDirection::kMinimize}).value();
  for (int k = 0; k < 3; ++k) ASSERT_TRUE(storage.CreateTrial(s).ok());
  std::vector<FrozenTrial> all = GetAllTrials(storage, s).value();
  ASSERT_EQ(all.size(), 3u);
  for (int k = 0; k < 3; ++k) EXPECT_EQ(all[static_cast<size_t>(k)].number, k);
  EXPECT_EQ(GetAllTrials(storage, 42).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace hypertune
