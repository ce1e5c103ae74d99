// The conformance suite every Storage passes. Instantiate it per back-end:
//
//   INSTANTIATE_TEST_SUITE_P(InMemory, StorageConformanceTest,
//       testing::Values(StorageFactory{"in_memory", [] {
//         return std::make_shared<InMemoryStorage>(); }}),
//       [](const auto& p) { return p.param.name; });
//
// Back-end differences are declared as capabilities in the factory, not
// sniffed here.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <thread>

#include "hypertune/core/storage.h"

namespace hypertune::testing {

struct StorageFactory {
  std::string name;
  std::function<std::shared_ptr<Storage>()> make;
};

// gtest prints the back-end's name for a parameter, not its bytes.
inline void PrintTo(const StorageFactory& f, std::ostream* os) { *os << f.name; }

class StorageConformanceTest : public ::testing::TestWithParam<StorageFactory> {
 protected:
  void SetUp() override { storage_ = GetParam().make(); }
  int64_t NewStudy(const std::string& name = "s",
                   std::vector<StudyDirection> dirs = {StudyDirection::kMinimize}) {
    Result<int64_t> id = storage_->CreateStudy(name, dirs);
    EXPECT_TRUE(id.ok()) << id.status();
    return id.value_or(-1);
  }
  static std::shared_ptr<const Distribution> Float01() {
    return std::make_shared<const Distribution>(FloatDistribution{0.0, 1.0});
  }
  std::shared_ptr<Storage> storage_;
};

TEST_P(StorageConformanceTest, StudiesAreCreatedFoundListedAndDeleted) {
  const int64_t a = NewStudy("a", {StudyDirection::kMaximize});
  const int64_t b = NewStudy("b", {StudyDirection::kMinimize, StudyDirection::kMaximize});
  EXPECT_NE(a, b);
  EXPECT_EQ(storage_->GetStudyId("a").value(), a);
  Result<StudySummary> sb = storage_->GetStudy(b);
  ASSERT_TRUE(sb.ok());
  EXPECT_EQ(sb->name, "b");
  EXPECT_EQ(sb->directions,
            (std::vector<StudyDirection>{StudyDirection::kMinimize, StudyDirection::kMaximize}));
  EXPECT_EQ(storage_->ListStudies().value().size(), 2u);
  EXPECT_EQ(storage_->CreateStudy("a", {StudyDirection::kMinimize}).status().code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(storage_->CreateStudy("", {StudyDirection::kMinimize}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(storage_->CreateStudy("c", {}).status().code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(storage_->DeleteStudy(a).ok());
  EXPECT_EQ(storage_->GetStudyId("a").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(storage_->GetStudy(a).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(storage_->ListStudies().value().size(), 1u);
}

TEST_P(StorageConformanceTest, StudyAttributesRoundTrip) {
  const int64_t s = NewStudy();
  ASSERT_TRUE(storage_->SetStudyUserAttr(s, "owner", "\"ana\"").ok());
  ASSERT_TRUE(storage_->SetStudySystemAttr(s, "config", "{\"k\": 1}").ok());
  StudySummary sum = storage_->GetStudy(s).value();
  EXPECT_EQ(sum.user_attrs.at("owner"), "\"ana\"");
  EXPECT_EQ(sum.system_attrs.at("config"), "{\"k\": 1}");
}

TEST_P(StorageConformanceTest, TrialsAreNumberedFromZeroAndRoundTrip) {
  const int64_t s = NewStudy();
  for (int k = 0; k < 3; ++k) {
    Result<FrozenTrial> t = storage_->CreateTrial(s);
    ASSERT_TRUE(t.ok()) << t.status();
    EXPECT_EQ(t->number, k);
    EXPECT_EQ(t->state, TrialState::kRunning);
    EXPECT_TRUE(t->datetime_start.has_value());
  }
  const int64_t id = storage_->CreateTrial(s).value().trial_id;
  auto dist = std::make_shared<const Distribution>(
      CategoricalDistribution{{ParamValue("a"), ParamValue(int64_t{2}), ParamValue(true)}});
  ASSERT_TRUE(storage_->SetTrialParam(id, "c", 1.0, dist).ok());
  ASSERT_TRUE(storage_->SetTrialParam(id, "x", 0.25, Float01()).ok());
  ASSERT_TRUE(storage_->SetTrialIntermediateValue(id, 3, 0.5).ok());
  ASSERT_TRUE(storage_->SetTrialIntermediateValue(id, 1, 0.7).ok());
  ASSERT_TRUE(storage_->SetTrialUserAttr(id, "note", "\"hi\"").ok());
  ASSERT_TRUE(storage_->SetTrialStateValues(id, TrialState::kComplete, {0.125}).ok());
  FrozenTrial t = storage_->GetTrial(id).value();
  EXPECT_EQ(t.number, 3);
  EXPECT_EQ(t.state, TrialState::kComplete);
  EXPECT_EQ(t.values, std::vector<double>{0.125});
  ASSERT_EQ(t.params.size(), 2u);
  EXPECT_EQ(std::get<int64_t>(t.param("c")), 2);
  EXPECT_EQ(std::get<double>(t.param("x")), 0.25);
  EXPECT_EQ(t.intermediate_values,
            (std::vector<std::pair<int64_t, double>>{{1, 0.7}, {3, 0.5}}));
  EXPECT_EQ(t.user_attrs.at("note"), "\"hi\"");
  EXPECT_TRUE(t.datetime_complete.has_value());
}

TEST_P(StorageConformanceTest, FinishedTrialsRejectChangesAndKeepTheirData) {
  const int64_t s = NewStudy();
  const int64_t id = storage_->CreateTrial(s).value().trial_id;
  ASSERT_TRUE(storage_->SetTrialParam(id, "x", 0.5, Float01()).ok());
  ASSERT_TRUE(storage_->SetTrialStateValues(id, TrialState::kComplete, {1.0}).ok());
  EXPECT_EQ(storage_->SetTrialStateValues(id, TrialState::kFail, {}).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(storage_->SetTrialParam(id, "y", 0.5, Float01()).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(storage_->SetTrialIntermediateValue(id, 0, 1.0).code(),
            StatusCode::kFailedPrecondition);
  FrozenTrial t = storage_->GetTrial(id).value();
  EXPECT_EQ(t.state, TrialState::kComplete);
  EXPECT_EQ(t.values, std::vector<double>{1.0});
  EXPECT_EQ(t.params.size(), 1u);
  EXPECT_TRUE(t.intermediate_values.empty());
}

TEST_P(StorageConformanceTest, BadWritesChangeNothing) {
  const int64_t s = NewStudy();
  const int64_t id = storage_->CreateTrial(s).value().trial_id;
  // A value outside its distribution, then the same name with another one.
  EXPECT_EQ(storage_->SetTrialParam(id, "x", 2.0, Float01()).code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(storage_->SetTrialParam(id, "x", 0.5, Float01()).ok());
  auto other = std::make_shared<const Distribution>(FloatDistribution{0.0, 2.0});
  EXPECT_EQ(storage_->SetTrialParam(id, "x", 0.5, other).code(), StatusCode::kInvalidArgument);
  // Wrong number of values for the study's directions.
  EXPECT_EQ(storage_->SetTrialStateValues(id, TrialState::kComplete, {1.0, 2.0}).code(),
            StatusCode::kInvalidArgument);
  FrozenTrial t = storage_->GetTrial(id).value();
  EXPECT_EQ(t.state, TrialState::kRunning);
  ASSERT_EQ(t.params.size(), 1u);
  EXPECT_EQ(*t.params[0].distribution, *Float01());
  EXPECT_EQ(storage_->GetTrial(987654).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(storage_->CreateTrial(987654).status().code(), StatusCode::kNotFound);
}

TEST_P(StorageConformanceTest, WaitingTrialsArePoppedOldestFirstAndOnce) {
  const int64_t s = NewStudy();
  FrozenTrial w;
  w.state = TrialState::kWaiting;
  w.system_attrs["fixed_params"] = "{\"x\": 1}";
  const int64_t first = storage_->CreateTrial(s, &w).value().trial_id;
  const int64_t second = storage_->CreateTrial(s, &w).value().trial_id;
  FrozenTrial p1 = storage_->PopWaitingTrial(s).value();
  FrozenTrial p2 = storage_->PopWaitingTrial(s).value();
  EXPECT_EQ(p1.trial_id, first);
  EXPECT_EQ(p2.trial_id, second);
  EXPECT_EQ(p1.state, TrialState::kRunning);
  EXPECT_EQ(p1.system_attrs.at("fixed_params"), "{\"x\": 1}");
  EXPECT_EQ(storage_->PopWaitingTrial(s).value().trial_id, -1);
}

TEST_P(StorageConformanceTest, ConcurrentWorkersGetDistinctNumbersAndWaitingTrials) {
  const int64_t s = NewStudy();
  FrozenTrial w;
  w.state = TrialState::kWaiting;
  constexpr int kWaiting = 40, kThreads = 8, kPerThread = 25;
  for (int k = 0; k < kWaiting; ++k) ASSERT_TRUE(storage_->CreateTrial(s, &w).ok());
  std::vector<std::vector<int64_t>> popped(kThreads);
  std::vector<std::vector<int>> numbers(kThreads);
  std::vector<std::thread> threads;
  for (int k = 0; k < kThreads; ++k) {
    threads.emplace_back([&, k] {
      for (int j = 0; j < kPerThread; ++j) {
        FrozenTrial p = storage_->PopWaitingTrial(s).value();
        if (p.trial_id >= 0) popped[static_cast<size_t>(k)].push_back(p.trial_id);
        FrozenTrial t = storage_->CreateTrial(s).value();
        numbers[static_cast<size_t>(k)].push_back(t.number);
        ASSERT_TRUE(storage_->SetTrialStateValues(t.trial_id, TrialState::kComplete, {1.0}).ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  std::set<int64_t> all_popped;
  size_t n_popped = 0;
  for (const auto& v : popped) {
    n_popped += v.size();
    all_popped.insert(v.begin(), v.end());
  }
  EXPECT_EQ(n_popped, static_cast<size_t>(kWaiting));
  EXPECT_EQ(all_popped.size(), static_cast<size_t>(kWaiting));
  std::set<int> all_numbers;
  for (const auto& v : numbers) all_numbers.insert(v.begin(), v.end());
  EXPECT_EQ(all_numbers.size(), static_cast<size_t>(kThreads * kPerThread));
  EXPECT_EQ(*all_numbers.begin(), kWaiting);
  EXPECT_EQ(*all_numbers.rbegin(), kWaiting + kThreads * kPerThread - 1);
}

TEST_P(StorageConformanceTest, OfTwoFinishersExactlyOneWins) {
  const int64_t s = NewStudy();
  const int64_t id = storage_->CreateTrial(s).value().trial_id;
  std::atomic<int> wins{0};
  std::vector<std::thread> threads;
  for (int k = 0; k < 8; ++k) {
    threads.emplace_back([&, k] {
      if (storage_->SetTrialStateValues(id, TrialState::kComplete, {double(k)}).ok()) ++wins;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wins.load(), 1);
}

TEST_P(StorageConformanceTest, ReadTrialUpdatesReturnsOnlyWhatChanged) {
  const int64_t s = NewStudy();
  std::vector<int64_t> ids;
  for (int k = 0; k < 5; ++k) ids.push_back(storage_->CreateTrial(s).value().trial_id);
  TrialCursor cursor;
  std::vector<FrozenTrial> out;
  ASSERT_TRUE(storage_->ReadTrialUpdates(s, cursor, out).ok());
  ASSERT_EQ(out.size(), 5u);
  for (int k = 0; k < 5; ++k) EXPECT_EQ(out[static_cast<size_t>(k)].number, k);

  out.clear();
  ASSERT_TRUE(storage_->ReadTrialUpdates(s, cursor, out).ok());
  EXPECT_TRUE(out.empty());

  ASSERT_TRUE(storage_->SetTrialStateValues(ids[1], TrialState::kComplete, {3.0}).ok());
  ASSERT_TRUE(storage_->SetTrialIntermediateValue(ids[3], 0, 1.0).ok());
  ASSERT_TRUE(storage_->SetTrialIntermediateValue(ids[3], 1, 2.0).ok());
  const int64_t extra = storage_->CreateTrial(s).value().trial_id;
  (void)extra;
  out.clear();
  ASSERT_TRUE(storage_->ReadTrialUpdates(s, cursor, out).ok());
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].number, 1);
  EXPECT_EQ(out[0].state, TrialState::kComplete);
  EXPECT_EQ(out[1].number, 3);
  EXPECT_EQ(out[1].intermediate_values.size(), 2u);
  EXPECT_EQ(out[2].number, 5);
}

TEST_P(StorageConformanceTest, StudiesAreIsolated) {
  const int64_t a = NewStudy("a");
  const int64_t b = NewStudy("b");
  ASSERT_TRUE(storage_->CreateTrial(a).ok());
  EXPECT_EQ(storage_->CreateTrial(b).value().number, 0);
  TrialCursor cursor;
  std::vector<FrozenTrial> out;
  ASSERT_TRUE(storage_->ReadTrialUpdates(b, cursor, out).ok());
  EXPECT_EQ(out.size(), 1u);
}

TEST_P(StorageConformanceTest, HeartbeatsFindTrialsWhoseWorkerStoppedBeating) {
  const int64_t s = NewStudy("a");
  const int64_t other = NewStudy("b");
  const int64_t beating = storage_->CreateTrial(s).value().trial_id;
  if (!storage_->SupportsHeartbeat()) {
    EXPECT_EQ(storage_->RecordHeartbeat(beating).code(), StatusCode::kUnimplemented);
    EXPECT_EQ(storage_->GetStaleTrialIds(s, 1.0).status().code(),
              StatusCode::kUnimplemented);
    GTEST_SKIP() << GetParam().name << " keeps no heartbeats";
  }
  const int64_t silent = storage_->CreateTrial(s).value().trial_id;  // never beats
  const int64_t finished = storage_->CreateTrial(s).value().trial_id;
  const int64_t elsewhere = storage_->CreateTrial(other).value().trial_id;
  ASSERT_TRUE(storage_->RecordHeartbeat(beating).ok());
  ASSERT_TRUE(storage_->RecordHeartbeat(finished).ok());
  ASSERT_TRUE(storage_->RecordHeartbeat(elsewhere).ok());
  ASSERT_TRUE(storage_->SetTrialStateValues(finished, TrialState::kComplete, {1.0}).ok());
  EXPECT_EQ(storage_->RecordHeartbeat(finished).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(storage_->RecordHeartbeat(987654321).code(), StatusCode::kNotFound);
  // Fresh heartbeats are not stale.
  EXPECT_TRUE(storage_->GetStaleTrialIds(s, 30.0).value().empty());

  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  // Old ones are; the trial without heartbeat and the finished one are not.
  EXPECT_EQ(storage_->GetStaleTrialIds(s, 1.0).value(), std::vector<int64_t>{beating});
  EXPECT_EQ(storage_->GetStaleTrialIds(other, 1.0).value(), std::vector<int64_t>{elsewhere});
  // A new heartbeat makes the trial fresh again.
  ASSERT_TRUE(storage_->RecordHeartbeat(beating).ok());
  EXPECT_TRUE(storage_->GetStaleTrialIds(s, 1.0).value().empty());
  (void)silent;
}

}  // namespace hypertune::testing
