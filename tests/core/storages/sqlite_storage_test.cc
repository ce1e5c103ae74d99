#include "hypertune/core/sqlite_storage.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <memory>

#include "hypertune/testing/storage_conformance.h"
#include "tests/core/storages/sqlite_test_util.h"

namespace hypertune::testing {
namespace {

std::shared_ptr<Storage> MakeTempSqlite(std::string_view revision) {
  auto dir = std::make_shared<TempDir>();
  SqliteStorageOptions opts;
  opts.schema_revision = std::string(revision);
  std::shared_ptr<SqliteStorage> s =
      SqliteStorage::Open(dir->Url("conformance.db"), opts).value();
  // The aliasing constructor ties the directory's lifetime to the storage's.
  auto holder = std::make_shared<std::pair<std::shared_ptr<TempDir>, std::shared_ptr<SqliteStorage>>>(
      dir, s);
  return std::shared_ptr<Storage>(holder, holder->second.get());
}

INSTANTIATE_TEST_SUITE_P(Sqlite, StorageConformanceTest,
                         ::testing::Values(StorageFactory{"sqlite_v320a",
                                                          [] {
                                                            return MakeTempSqlite(
                                                                kOptunaSchemaV320a);
                                                          }},
                                           StorageFactory{"sqlite_v300d",
                                                          [] {
                                                            return MakeTempSqlite(
                                                                kOptunaSchemaV300d);
                                                          }}),
                         [](const auto& p) { return p.param.name; });

TEST(SqliteStorageTest, StudiesAndTrialsSurviveReopening) {
  TempDir dir;
  int64_t trial_id = -1;
  {
    auto s = SqliteStorage::Open(dir.Url("a.db")).value();
    EXPECT_EQ(s->schema_revision(), "v3.2.0.a");
    const int64_t study = s->CreateStudy("keep", {StudyDirection::kMaximize}).value();
    trial_id = s->CreateTrial(study).value().trial_id;
    auto log = std::make_shared<const Distribution>(FloatDistribution{1e-5, 1e-1, true});
    ASSERT_TRUE(s->SetTrialParam(trial_id, "lr", 1e-3, log).ok());
    ASSERT_TRUE(s->SetTrialIntermediateValue(trial_id, 0,
                                             std::numeric_limits<double>::infinity()).ok());
    ASSERT_TRUE(s->SetTrialIntermediateValue(trial_id, 1,
                                             std::numeric_limits<double>::quiet_NaN()).ok());
    ASSERT_TRUE(s->SetTrialStateValues(trial_id, TrialState::kComplete,
                                       {-std::numeric_limits<double>::infinity()}).ok());
  }
  auto s = SqliteStorage::Open(dir.Url("a.db")).value();
  const int64_t study = s->GetStudyId("keep").value();
  EXPECT_EQ(s->GetStudy(study).value().directions,
            std::vector<StudyDirection>{StudyDirection::kMaximize});
  FrozenTrial t = s->GetTrial(trial_id).value();
  EXPECT_EQ(t.state, TrialState::kComplete);
  ASSERT_EQ(t.values.size(), 1u);
  EXPECT_TRUE(std::isinf(t.values[0]) && t.values[0] < 0);
  ASSERT_EQ(t.intermediate_values.size(), 2u);
  EXPECT_TRUE(std::isinf(t.intermediate_values[0].second));
  EXPECT_TRUE(std::isnan(t.intermediate_values[1].second));
  EXPECT_EQ(*t.params.at(0).distribution, (Distribution{FloatDistribution{1e-5, 1e-1, true}}));
  EXPECT_EQ(t.params.at(0).internal, 1e-3);
  EXPECT_EQ(s->CreateTrial(study).value().number, 1);
}

TEST(SqliteStorageTest, ReadTrialUpdatesRereadsOnlyOpenTrials) {
  TempDir dir;
  auto s = SqliteStorage::Open(dir.Url("c.db")).value();
  const int64_t study = s->CreateStudy("s", {StudyDirection::kMinimize}).value();
  for (int k = 0; k < 50; ++k) {
    const int64_t id = s->CreateTrial(study).value().trial_id;
    ASSERT_TRUE(s->SetTrialStateValues(id, TrialState::kComplete, {1.0 * k}).ok());
  }
  const int64_t running = s->CreateTrial(study).value().trial_id;
  TrialCursor cursor;
  std::vector<FrozenTrial> out;
  ASSERT_TRUE(s->ReadTrialUpdates(study, cursor, out).ok());
  EXPECT_EQ(out.size(), 51u);
  // Only the running trial stays in the cursor: 50 finished trials cost
  // nothing in later reads.
  EXPECT_EQ(cursor.max_trial_id, running);
  ASSERT_EQ(cursor.open.size(), 2u);
  EXPECT_EQ(cursor.open[0], running);
  ASSERT_TRUE(s->SetTrialStateValues(running, TrialState::kPruned, {}).ok());
  out.clear();
  ASSERT_TRUE(s->ReadTrialUpdates(study, cursor, out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].state, TrialState::kPruned);
  EXPECT_TRUE(cursor.open.empty());
  out.clear();
  ASSERT_TRUE(s->ReadTrialUpdates(study, cursor, out).ok());
  EXPECT_TRUE(out.empty());
}

// True when the file has an index of that name.
bool HasIndex(const std::string& path, const std::string& name) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?", -1,
                     &stmt, nullptr);
  sqlite3_bind_text(stmt, 1, name.c_str(), -1, SQLITE_TRANSIENT);
  const bool found = sqlite3_step(stmt) == SQLITE_ROW;
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return found;
}

TEST(SqliteStorageTest, NewFilesGetTheAskedRevisionAndExistingFilesKeepTheirs) {
  TempDir dir;
  EXPECT_EQ(SqliteStorage::Open(dir.Url("new.db")).value()->schema_revision(), "v3.2.0.a");
  EXPECT_TRUE(HasIndex(dir.File("new.db"), "trials_study_id_key"));
  SqliteStorageOptions old;
  old.schema_revision = std::string(kOptunaSchemaV300d);
  EXPECT_EQ(SqliteStorage::Open(dir.Url("old.db"), old).value()->schema_revision(), "v3.0.0.d");
  EXPECT_FALSE(HasIndex(dir.File("old.db"), "trials_study_id_key"));
  // Reopened with the default options: still v3.0.0.d, no index added.
  EXPECT_EQ(SqliteStorage::Open(dir.Url("old.db")).value()->schema_revision(), "v3.0.0.d");
  EXPECT_FALSE(HasIndex(dir.File("old.db"), "trials_study_id_key"));
  // And the other way round.
  EXPECT_EQ(SqliteStorage::Open(dir.Url("new.db"), old).value()->schema_revision(), "v3.2.0.a");
}

TEST(SqliteStorageTest, AFailedCreateTrialLeavesNoTrialBehind) {
  TempDir dir;
  auto s = SqliteStorage::Open(dir.Url("atomic.db")).value();
  const int64_t study = s->CreateStudy("s", {StudyDirection::kMinimize}).value();
  ASSERT_TRUE(s->CreateTrial(study).ok());
  // The second insert of "x" breaks trial_params' unique key, after the
  // trials row and the first parameter were written.
  FrozenTrial templ;
  templ.state = TrialState::kComplete;
  templ.values = {1.0};
  auto d = std::make_shared<const Distribution>(FloatDistribution{0.0, 1.0});
  templ.params = {{"x", d, 0.1}, {"x", d, 0.2}};
  Result<FrozenTrial> t = s->CreateTrial(study, &templ);
  EXPECT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("trial_params"), std::string::npos) << t.status();
  EXPECT_EQ(s->GetStudy(study).value().n_trials, 1);
  TrialCursor cursor;
  std::vector<FrozenTrial> out;
  ASSERT_TRUE(s->ReadTrialUpdates(study, cursor, out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].number, 0);
  EXPECT_EQ(s->CreateTrial(study).value().number, 1);
}

TEST(SqliteStorageTest, NumbersContinuePerStudyWhenStudiesInterleave) {
  TempDir dir;
  auto s = SqliteStorage::Open(dir.Url("interleave.db")).value();
  const int64_t a = s->CreateStudy("a", {StudyDirection::kMinimize}).value();
  const int64_t b = s->CreateStudy("b", {StudyDirection::kMinimize}).value();
  for (int k = 0; k < 5; ++k) {
    EXPECT_EQ(s->CreateTrial(a).value().number, 2 * k);
    EXPECT_EQ(s->CreateTrial(a).value().number, 2 * k + 1);
    EXPECT_EQ(s->CreateTrial(b).value().number, k);
  }
}

TEST(SqliteStorageTest, OptionsAreValidated) {
  SqliteStorageOptions o;
  EXPECT_TRUE(o.Validate().ok());
  o.busy_timeout_ms = -1;
  EXPECT_EQ(o.Validate().code(), StatusCode::kInvalidArgument);
  o = {};
  o.schema_revision = "v3.4.0.a";
  EXPECT_EQ(o.Validate().code(), StatusCode::kInvalidArgument);
  TempDir dir;
  EXPECT_EQ(SqliteStorage::Open(dir.Url("x.db"), o).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace hypertune::testing
