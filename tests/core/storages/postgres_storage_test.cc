// PostgresStorage on a real PostgreSQL server (see postgres_test_util.h):
// the conformance suite at both schema revisions, and what is particular to
// PostgreSQL.
#include "hypertune/core/postgres_storage.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "hypertune/testing/storage_conformance.h"
#include "src/core/storages/postgres/pg_trials.h"
#include "tests/core/storages/postgres_test_util.h"

namespace hypertune::testing {
namespace {

std::shared_ptr<Storage> MakeTempPostgres(std::string_view revision) {
  auto db = std::make_shared<TempDatabase>();
  HT_CHECK(db->ok()) << "no PostgreSQL test server (see the failure above)";
  PostgresStorageOptions opts;
  opts.schema_revision = std::string(revision);
  Result<std::shared_ptr<PostgresStorage>> s = PostgresStorage::Open(db->url(), opts);
  HT_CHECK(s.ok()) << s.status();
  // The aliasing constructor ties the database's lifetime to the storage's;
  // the pair drops the storage (its connections) before the database.
  auto holder =
      std::make_shared<std::pair<std::shared_ptr<TempDatabase>, std::shared_ptr<PostgresStorage>>>(
          db, *s);
  return std::shared_ptr<Storage>(holder, holder->second.get());
}

INSTANTIATE_TEST_SUITE_P(
    Postgres, StorageConformanceTest,
    ::testing::Values(
        StorageFactory{"postgres_v320a", [] { return MakeTempPostgres(kOptunaSchemaV320a); }},
        StorageFactory{"postgres_v300d", [] { return MakeTempPostgres(kOptunaSchemaV300d); }}),
    [](const auto& p) { return p.param.name; });

class PostgresStorageTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(db_.ok()); }
  std::shared_ptr<PostgresStorage> Open(PostgresStorageOptions opts = {}) {
    Result<std::shared_ptr<PostgresStorage>> s = PostgresStorage::Open(db_.url(), opts);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? *s : nullptr;
  }
  TempDatabase db_;
};

TEST_F(PostgresStorageTest, StudiesAndTrialsSurviveReopening) {
  int64_t trial_id = -1;
  {
    auto s = Open();
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->schema_revision(), "v3.2.0.a");
    const int64_t study = s->CreateStudy("keep", {StudyDirection::kMaximize}).value();
    trial_id = s->CreateTrial(study).value().trial_id;
    auto log = std::make_shared<const Distribution>(FloatDistribution{1e-5, 1e-1, true});
    ASSERT_TRUE(s->SetTrialParam(trial_id, "lr", 1e-3, log).ok());
    ASSERT_TRUE(
        s->SetTrialIntermediateValue(trial_id, 0, std::numeric_limits<double>::infinity()).ok());
    ASSERT_TRUE(
        s->SetTrialIntermediateValue(trial_id, 1, std::numeric_limits<double>::quiet_NaN()).ok());
    ASSERT_TRUE(
        s->SetTrialIntermediateValue(trial_id, 2, -std::numeric_limits<double>::infinity()).ok());
    ASSERT_TRUE(s->SetTrialStateValues(trial_id, TrialState::kComplete,
                                       {-std::numeric_limits<double>::infinity()})
                    .ok());
  }
  auto s = Open();
  ASSERT_NE(s, nullptr);
  const int64_t study = s->GetStudyId("keep").value();
  EXPECT_EQ(s->GetStudy(study).value().directions,
            std::vector<StudyDirection>{StudyDirection::kMaximize});
  FrozenTrial t = s->GetTrial(trial_id).value();
  EXPECT_EQ(t.state, TrialState::kComplete);
  ASSERT_EQ(t.values.size(), 1u);
  EXPECT_TRUE(std::isinf(t.values[0]) && t.values[0] < 0);
  ASSERT_EQ(t.intermediate_values.size(), 3u);
  EXPECT_TRUE(std::isinf(t.intermediate_values[0].second) && t.intermediate_values[0].second > 0);
  EXPECT_TRUE(std::isnan(t.intermediate_values[1].second));
  EXPECT_TRUE(std::isinf(t.intermediate_values[2].second) && t.intermediate_values[2].second < 0);
  EXPECT_EQ(*t.params.at(0).distribution, (Distribution{FloatDistribution{1e-5, 1e-1, true}}));
  EXPECT_EQ(t.params.at(0).internal, 1e-3);
  EXPECT_EQ(s->CreateTrial(study).value().number, 1);
  // Stored as Optuna stores them.
  pqxx::result r = RawSql(db_.url(),
                          "SELECT value, value_type::text FROM trial_values UNION ALL "
                          "SELECT intermediate_value, intermediate_value_type::text FROM "
                          "trial_intermediate_values ORDER BY 2");
  ASSERT_EQ(r.size(), 4u);
  EXPECT_TRUE(r[0][0].is_null());
  EXPECT_EQ(r[0][1].as<std::string>(), "INF_NEG");
  EXPECT_EQ(r[3][1].as<std::string>(), "NAN");
}

TEST_F(PostgresStorageTest, DoublesRoundTripBitForBit) {
  auto s = Open();
  ASSERT_NE(s, nullptr);
  const int64_t study = s->CreateStudy("doubles", {StudyDirection::kMinimize}).value();
  std::vector<double> xs = {0.1,
                            1.0 / 3.0,
                            -2.5e-300,
                            5e-324,
                            std::numeric_limits<double>::max(),
                            std::numeric_limits<double>::lowest(),
                            std::nextafter(1.0, 2.0),
                            -0.0};
  std::mt19937_64 gen(7);
  std::uniform_real_distribution<double> unif(-1e6, 1e6);
  for (int k = 0; k < 40; ++k) xs.push_back(unif(gen) * std::pow(10.0, k % 30 - 15));
  auto wide = std::make_shared<const Distribution>(
      FloatDistribution{std::numeric_limits<double>::lowest(), std::numeric_limits<double>::max()});
  const int64_t id = s->CreateTrial(study).value().trial_id;
  for (size_t k = 0; k < xs.size(); ++k) {
    ASSERT_TRUE(s->SetTrialParam(id, "x" + std::to_string(k), xs[k], wide).ok()) << xs[k];
    ASSERT_TRUE(s->SetTrialIntermediateValue(id, static_cast<int64_t>(k), xs[k]).ok());
  }
  ASSERT_TRUE(s->SetTrialStateValues(id, TrialState::kComplete, {xs[1]}).ok());
  FrozenTrial t = s->GetTrial(id).value();
  ASSERT_EQ(t.params.size(), xs.size());
  for (size_t k = 0; k < xs.size(); ++k) {
    EXPECT_EQ(std::bit_cast<uint64_t>(t.params[k].internal), std::bit_cast<uint64_t>(xs[k]))
        << xs[k];
    EXPECT_EQ(t.params[k].name, "x" + std::to_string(k));  // in the order they were set
    EXPECT_EQ(std::bit_cast<uint64_t>(t.intermediate_values[k].second),
              std::bit_cast<uint64_t>(xs[k]));
  }
  EXPECT_EQ(t.values, std::vector<double>{xs[1]});
}

TEST_F(PostgresStorageTest, ReadTrialUpdatesRereadsOnlyOpenTrials) {
  auto s = Open();
  ASSERT_NE(s, nullptr);
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

TEST_F(PostgresStorageTest, ReadTrialUpdatesSeesWritesOfAnotherConnection) {
  auto reader = Open();
  auto writer = Open();
  ASSERT_NE(reader, nullptr);
  ASSERT_NE(writer, nullptr);
  const int64_t study = writer->CreateStudy("s", {StudyDirection::kMinimize}).value();
  const int64_t a = writer->CreateTrial(study).value().trial_id;
  TrialCursor cursor;
  std::vector<FrozenTrial> out;
  ASSERT_TRUE(reader->ReadTrialUpdates(study, cursor, out).ok());
  ASSERT_EQ(out.size(), 1u);
  ASSERT_TRUE(writer->SetTrialUserAttr(a, "k", "1").ok());
  const int64_t b = writer->CreateTrial(study).value().trial_id;
  out.clear();
  ASSERT_TRUE(reader->ReadTrialUpdates(study, cursor, out).ok());
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].trial_id, a);
  EXPECT_EQ(out[0].user_attrs.at("k"), "1");
  EXPECT_EQ(out[1].trial_id, b);
}

// The rows the scans of an EXPLAIN (ANALYZE, FORMAT JSON) plan read:
// returned plus removed by filters, over all loops.
double RowsExamined(const nlohmann::json& plan) {
  double n = 0;
  const std::string type = plan.value("Node Type", "");
  if (type.find("Scan") != std::string::npos && type != "CTE Scan" && type != "Subquery Scan") {
    n += (plan.value("Actual Rows", 0.0) + plan.value("Rows Removed by Filter", 0.0) +
          plan.value("Rows Removed by Index Recheck", 0.0)) *
         plan.value("Actual Loops", 1.0);
  }
  if (plan.contains("Plans"))
    for (const auto& child : plan["Plans"]) n += RowsExamined(child);
  if (plan.contains("Plan")) n += RowsExamined(plan["Plan"]);
  return n;
}

// How PostgreSQL runs ReadTrialUpdates' and PopWaitingTrial's statements
// in a study with thousands of finished trials, at both revisions, without
// and with table statistics, with custom and then generic plans: the scans
// read a few rows, not a number that grows with the finished trials.
TEST(PostgresPlanTest, ReadsAndPopsExamineOnlyNewAndOpenTrials) {
  for (const std::string_view revision : {kOptunaSchemaV300d, kOptunaSchemaV320a}) {
    TempDatabase db;
    ASSERT_TRUE(db.ok());
    PostgresStorageOptions opts;
    opts.schema_revision = std::string(revision);
    auto s = PostgresStorage::Open(db.url(), opts).value();
    const int64_t a = s->CreateStudy("a", {StudyDirection::kMinimize}).value();
    const int64_t b = s->CreateStudy("b", {StudyDirection::kMinimize}).value();
    FrozenTrial done;
    done.state = TrialState::kComplete;
    done.values = {1.0};
    auto d = std::make_shared<const Distribution>(FloatDistribution{0.0, 1.0});
    done.params = {{"x", d, 0.5}, {"y", d, 0.25}};
    done.intermediate_values = {{0, 1.0}, {1, 0.5}};
    done.user_attrs = {{"k", "1"}};
    for (int k = 0; k < 1500; ++k) {
      ASSERT_TRUE(s->CreateTrial(a, &done).ok());
      ASSERT_TRUE(s->CreateTrial(b, &done).ok());
    }
    const int64_t running = s->CreateTrial(a).value().trial_id;
    ASSERT_TRUE(s->CreateTrial(b).ok());
    const std::string max_id = std::to_string(running + 1);
    pqxx::connection c(db.url());
    pqxx::nontransaction t(c);
    t.exec("SET enable_seqscan = off");  // as PostgresStorage's sessions
    t.exec("PREPARE read_q AS " + pg_internal::ReadTrialUpdatesSql());
    t.exec("PREPARE pop_q AS " + pg_internal::PopWaitingTrialSql());
    const std::string read = "EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE read_q(" + std::to_string(a) +
                             ", " + max_id + ", '{" + std::to_string(running) + "}')";
    const std::string pop = "EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE pop_q(" + std::to_string(a) +
                            ", '2024-01-01 00:00:00', " + std::to_string(running - 3) + ")";
    for (const bool analyzed : {false, true}) {
      if (analyzed) t.exec("ANALYZE");
      for (int k = 0; k < 8; ++k) {  // PostgreSQL may switch to a generic plan after 5
        for (const std::string& q : {read, pop}) {
          const nlohmann::json plan = nlohmann::json::parse(t.exec(q)[0][0].c_str());
          const double rows = RowsExamined(plan[0]);
          EXPECT_LT(rows, 60) << revision << (analyzed ? ", analyzed" : "") << ", run " << k << ": "
                              << q << "\n"
                              << plan.dump(1);
        }
      }
    }
    // And they do what they are for.
    TrialCursor cursor;
    std::vector<FrozenTrial> out;
    ASSERT_TRUE(s->ReadTrialUpdates(a, cursor, out).ok());
    EXPECT_EQ(out.size(), 1501u);
    ASSERT_EQ(s->GetTrial(running).value().state, TrialState::kRunning);
  }
}

// True when the database has an index of that name.
bool HasIndex(const std::string& url, const std::string& name) {
  return RawSql(url, "SELECT 1 FROM pg_indexes WHERE indexname = '" + name + "'").size() == 1;
}

TEST_F(PostgresStorageTest, NewDatabasesGetTheAskedRevisionAndExistingOnesKeepTheirs) {
  auto fresh = Open();
  ASSERT_NE(fresh, nullptr);
  EXPECT_EQ(fresh->schema_revision(), "v3.2.0.a");
  EXPECT_TRUE(HasIndex(db_.url(), "trials_study_id_key"));
  PostgresStorageOptions old;
  old.schema_revision = std::string(kOptunaSchemaV300d);
  // An existing v3.2.0.a database stays so.
  EXPECT_EQ(Open(old)->schema_revision(), "v3.2.0.a");

  TempDatabase other;
  ASSERT_TRUE(other.ok());
  auto s = PostgresStorage::Open(other.url(), old).value();
  EXPECT_EQ(s->schema_revision(), "v3.0.0.d");
  EXPECT_FALSE(HasIndex(other.url(), "trials_study_id_key"));
  EXPECT_EQ(PostgresStorage::Open(other.url()).value()->schema_revision(), "v3.0.0.d");
  EXPECT_FALSE(HasIndex(other.url(), "trials_study_id_key"));
  pqxx::result v = RawSql(other.url(),
                          "SELECT version_num, schema_version, library_version FROM "
                          "alembic_version, version_info");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0][0].as<std::string>(), "v3.0.0.d");
  EXPECT_EQ(v[0][1].as<int>(), 12);
  EXPECT_EQ(v[0][2].as<std::string>(), "3.1.0");
}

TEST_F(PostgresStorageTest, ProcessesOpeningOneEmptyDatabaseAtOnceCreateOneSchema) {
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int k = 0; k < 6; ++k) {
    threads.emplace_back([&, k] {
      Result<std::shared_ptr<PostgresStorage>> s = PostgresStorage::Open(db_.url());
      if (s.ok() && (*s)->CreateStudy("s" + std::to_string(k), {StudyDirection::kMinimize}).ok())
        ++ok;
      else
        ADD_FAILURE() << s.status();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 6);
  EXPECT_EQ(Open()->ListStudies().value().size(), 6u);
  EXPECT_EQ(RawSql(db_.url(), "SELECT * FROM alembic_version").size(), 1u);
}

TEST_F(PostgresStorageTest, AFailedCreateTrialLeavesNoTrialBehind) {
  auto s = Open();
  ASSERT_NE(s, nullptr);
  const int64_t study = s->CreateStudy("s", {StudyDirection::kMinimize}).value();
  ASSERT_TRUE(s->CreateTrial(study).ok());
  // The second "x" breaks trial_params' unique key, in the statement that
  // also wrote the trials row and the first parameter.
  FrozenTrial templ;
  templ.state = TrialState::kComplete;
  templ.values = {1.0};
  auto d = std::make_shared<const Distribution>(FloatDistribution{0.0, 1.0});
  templ.params = {{"x", d, 0.1}, {"x", d, 0.2}};
  Result<FrozenTrial> t = s->CreateTrial(study, &templ);
  EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(t.status().message().find("trial_params"), std::string::npos) << t.status();
  EXPECT_EQ(s->GetStudy(study).value().n_trials, 1);
  EXPECT_EQ(RawSql(db_.url(), "SELECT * FROM trial_params").size(), 0u);
  EXPECT_EQ(s->CreateTrial(study).value().number, 1);
}

TEST_F(PostgresStorageTest, CreateTrialStoresTheWholeTemplate) {
  auto s = Open();
  ASSERT_NE(s, nullptr);
  const int64_t study =
      s->CreateStudy("t", {StudyDirection::kMinimize, StudyDirection::kMaximize}).value();
  FrozenTrial templ;
  templ.state = TrialState::kComplete;
  templ.values = {1.5, std::numeric_limits<double>::infinity()};
  templ.datetime_start = FrozenTrial::Clock::now() - std::chrono::hours(1);
  auto cat = std::make_shared<const Distribution>(CategoricalDistribution{
      {ParamValue("a,b"), ParamValue("{\"q\"}"), ParamValue(std::monostate{})}});
  auto ints = std::make_shared<const Distribution>(IntDistribution{1, 9, false, 2});
  templ.params = {{"z", cat, 1.0}, {"a", ints, 5.0}};
  templ.intermediate_values = {{0, 0.5}, {7, std::numeric_limits<double>::quiet_NaN()}};
  templ.user_attrs = {{"u", "\"NULL\""}, {"v", "[1, \"\\\\\"]"}};
  templ.system_attrs = {{"fixed_params", "{\"a\": 5}"}};
  FrozenTrial made = s->CreateTrial(study, &templ).value();
  FrozenTrial read = s->GetTrial(made.trial_id).value();
  for (const FrozenTrial* t : {&made, &read}) {
    EXPECT_EQ(t->number, 0);
    EXPECT_EQ(t->state, TrialState::kComplete);
    EXPECT_EQ(t->values, templ.values);
    ASSERT_EQ(t->params.size(), 2u);
    EXPECT_EQ(t->params[0].name, "z");
    EXPECT_EQ(std::get<std::string>(t->param("z")), "{\"q\"}");
    EXPECT_EQ(std::get<int64_t>(t->param("a")), 5);
    ASSERT_EQ(t->intermediate_values.size(), 2u);
    EXPECT_EQ(t->intermediate_values[1].first, 7);
    EXPECT_TRUE(std::isnan(t->intermediate_values[1].second));
    EXPECT_EQ(t->user_attrs, templ.user_attrs);
    EXPECT_EQ(t->system_attrs, templ.system_attrs);
  }
  // What CreateTrial returns is what is stored, to the microsecond.
  EXPECT_EQ(made.datetime_start, read.datetime_start);
  EXPECT_EQ(made.datetime_complete, read.datetime_complete);
  EXPECT_LT(std::chrono::abs(*read.datetime_start - *templ.datetime_start),
            std::chrono::microseconds(1));
}

TEST_F(PostgresStorageTest, NumbersContinuePerStudyWhenStudiesInterleave) {
  auto s = Open();
  ASSERT_NE(s, nullptr);
  const int64_t a = s->CreateStudy("a", {StudyDirection::kMinimize}).value();
  const int64_t b = s->CreateStudy("b", {StudyDirection::kMinimize}).value();
  for (int k = 0; k < 5; ++k) {
    EXPECT_EQ(s->CreateTrial(a).value().number, 2 * k);
    EXPECT_EQ(s->CreateTrial(a).value().number, 2 * k + 1);
    EXPECT_EQ(s->CreateTrial(b).value().number, k);
  }
}

TEST_F(PostgresStorageTest, WaitingTrialsEnqueuedElsewhereAreFoundAfterAnEmptyPop) {
  auto a = Open();
  auto b = Open();
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  const int64_t study = a->CreateStudy("q", {StudyDirection::kMinimize}).value();
  FrozenTrial w;
  w.state = TrialState::kWaiting;
  const int64_t early = a->CreateTrial(study, &w).value().trial_id;
  for (int k = 0; k < 5; ++k) ASSERT_TRUE(a->CreateTrial(study).ok());
  EXPECT_EQ(a->PopWaitingTrial(study).value().trial_id, early);
  // Nothing waits now: a remembers where to look from.
  EXPECT_EQ(a->PopWaitingTrial(study).value().trial_id, -1);
  const int64_t late = b->CreateTrial(study, &w).value().trial_id;
  for (int k = 0; k < 3; ++k) ASSERT_TRUE(b->CreateTrial(study).ok());
  const int64_t later = b->CreateTrial(study, &w).value().trial_id;
  FrozenTrial p = a->PopWaitingTrial(study).value();
  EXPECT_EQ(p.trial_id, late);
  EXPECT_EQ(p.state, TrialState::kRunning);
  EXPECT_EQ(a->PopWaitingTrial(study).value().trial_id, later);
  EXPECT_EQ(b->PopWaitingTrial(study).value().trial_id, -1);
  EXPECT_EQ(a->PopWaitingTrial(study).value().trial_id, -1);
}

TEST_F(PostgresStorageTest, ParametersWrittenByOptunaWithOtherJsonSpellingAreUpdatable) {
  auto s = Open();
  ASSERT_NE(s, nullptr);
  const int64_t study = s->CreateStudy("p", {StudyDirection::kMinimize}).value();
  const int64_t id = s->CreateTrial(study).value().trial_id;
  // What Optuna's json.dumps writes (with spaces).
  RawSql(db_.url(),
         "INSERT INTO trial_params (trial_id, param_name, param_value, distribution_json) "
         "VALUES (" +
             std::to_string(id) +
             ", 'x', 0.5, '{\"name\": \"FloatDistribution\", \"attributes\": {\"step\": null, "
             "\"low\": 0.0, \"high\": 1.0, \"log\": false}}')");
  auto same = std::make_shared<const Distribution>(FloatDistribution{0.0, 1.0});
  auto other = std::make_shared<const Distribution>(FloatDistribution{0.0, 2.0});
  EXPECT_EQ(s->SetTrialParam(id, "x", 0.5, other).code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(s->SetTrialParam(id, "x", 0.75, same).ok());
  EXPECT_EQ(std::get<double>(s->GetTrial(id).value().param("x")), 0.75);
}

TEST_F(PostgresStorageTest, OutOfRangeAndTooLongValuesAreInvalidAndWriteNothing) {
  auto s = Open();
  ASSERT_NE(s, nullptr);
  const int64_t study = s->CreateStudy("r", {StudyDirection::kMinimize}).value();
  const int64_t id = s->CreateTrial(study).value().trial_id;
  // Optuna's columns: INTEGER steps, VARCHAR(512) names and keys.
  EXPECT_EQ(s->SetTrialIntermediateValue(id, int64_t{1} << 40, 1.0).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(s->SetTrialUserAttr(id, std::string(513, 'k'), "1").code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(s->CreateStudy(std::string(513, 'n'), {StudyDirection::kMinimize}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(s->SetTrialUserAttr(id, std::string(512, 'k'), "1").ok());
  // NUL cannot be stored in PostgreSQL text: refused, not truncated.
  EXPECT_EQ(s->SetTrialUserAttr(id, std::string("a\0b", 3), "1").code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(s->SetTrialSystemAttr(id, "k", std::string("\"a\0b\"", 5)).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(s->CreateStudy(std::string("a\0b", 3), {StudyDirection::kMinimize}).status().code(),
            StatusCode::kInvalidArgument);
  // NaN is no objective value in Optuna's schema.
  EXPECT_EQ(
      s->SetTrialStateValues(id, TrialState::kComplete, {std::numeric_limits<double>::quiet_NaN()})
          .code(),
      StatusCode::kInvalidArgument);
  FrozenTrial t = s->GetTrial(id).value();
  EXPECT_EQ(t.state, TrialState::kRunning);
  EXPECT_TRUE(t.intermediate_values.empty());
  EXPECT_EQ(t.user_attrs.size(), 1u);
  EXPECT_EQ(s->ListStudies().value().size(), 1u);
}

TEST_F(PostgresStorageTest, UrlsInSqlAlchemysSpellingAndWithParametersWork) {
  const std::string rest = db_.url().substr(std::string("postgresql://").size());
  auto s = PostgresStorage::Open("postgresql+psycopg2://" + rest + "?application_name=ht_probe");
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_TRUE((*s)->CreateStudy("x", {StudyDirection::kMinimize}).ok());
  pqxx::result r = RawSql(db_.url(),
                          "SELECT count(*) FROM pg_stat_activity WHERE application_name = "
                          "'ht_probe' AND datname = current_database()");
  EXPECT_EQ(r[0][0].as<int>(), 1);
}

TEST_F(PostgresStorageTest, OptionsAreValidated) {
  PostgresStorageOptions o;
  EXPECT_TRUE(o.Validate().ok());
  o.max_connections = 0;
  EXPECT_EQ(o.Validate().code(), StatusCode::kInvalidArgument);
  o = {};
  o.max_retries = -1;
  EXPECT_EQ(o.Validate().code(), StatusCode::kInvalidArgument);
  o = {};
  o.connect_timeout_s = -1;
  EXPECT_EQ(o.Validate().code(), StatusCode::kInvalidArgument);
  o = {};
  o.schema_revision = "v3.4.0.a";
  EXPECT_EQ(o.Validate().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(PostgresStorage::Open(db_.url(), o).status().code(), StatusCode::kInvalidArgument);
  // Nothing was created.
  EXPECT_TRUE(RawSql(db_.url(), "SELECT 1 FROM pg_tables WHERE schemaname = 'public'").empty());
}

}  // namespace
}  // namespace hypertune::testing
