// PostgresStorage refuses what it cannot use with clear errors, writes
// nothing when it does, never shows a password, and treats names as data.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "hypertune/core/postgres_storage.h"
#include "tests/core/storages/postgres_test_util.h"

// libpqxx 6.4 leaks the libpq result of a statement run on a connection
// that has just died (exec_prepared and register_prepared make the result,
// then throw broken_connection before owning it). ALostConnectionIsReestablished
// loses connections on purpose; LeakSanitizer (in sanitizer builds) is told
// to ignore those allocations, and only those.
extern "C" __attribute__((used)) const char* __lsan_default_suppressions() {
  return "leak:pqxx::connection_base::exec_prepared\n"
         "leak:pqxx::connection_base::register_prepared\n";
}

namespace hypertune::testing {
namespace {

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A loopback port nothing listens on (bound, then closed).
int ClosedPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// Everything in the database's public schema, and how many rows each table
// holds: equal before and after means nothing was written.
std::string Snapshot(const std::string& url) {
  std::string out;
  pqxx::result objects = RawSql(url,
                                "SELECT c.relname::text, c.relkind::text FROM pg_class c JOIN "
                                "pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = "
                                "'public' ORDER BY 1");
  for (const auto& row : objects) {
    out += row[0].as<std::string>() + "/" + row[1].as<std::string>();
    if (row[1].as<std::string>() == "r")
      out +=
          "=" +
          RawSql(url, "SELECT count(*) FROM " + row[0].as<std::string>())[0][0].as<std::string>();
    out += "\n";
  }
  for (const auto& row : RawSql(url,
                                "SELECT typname::text FROM pg_type t JOIN pg_namespace n "
                                "ON n.oid = t.typnamespace WHERE n.nspname = 'public' AND "
                                "t.typtype = 'e' ORDER BY 1"))
    out += "type " + row[0].as<std::string>() + "\n";
  return out;
}

class PostgresBadInputTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(db_.ok()); }
  TempDatabase db_;
};

TEST_F(PostgresBadInputTest, UrlsThatAreNotPostgresqlAreRefused) {
  for (const std::string& url :
       {std::string("sqlite:///x.db"), std::string(""), std::string("postgres://h/db"),
        std::string("postgresql+asyncpg://u:pw@h/db"), std::string("POSTGRESQL://h/db"),
        std::string("postgresql://h/db?no_such_parameter=1"), std::string("postgresql://[::1/db"),
        std::string("postgresql://h/d\0b", 17)}) {
    Result<std::shared_ptr<PostgresStorage>> s = PostgresStorage::Open(url);
    EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument) << url << ": " << s.status();
    EXPECT_TRUE(Has(s.status().message(), "postgresql")) << s.status();
  }
}

TEST_F(PostgresBadInputTest, AnUnreachableServerIsUnavailableNamingHostAndPort) {
  const int port = ClosedPort();
  const std::string host_port = "127.0.0.1:" + std::to_string(port);
  Result<std::shared_ptr<PostgresStorage>> s =
      PostgresStorage::Open("postgresql://someone:Unreach4ble@" + host_port + "/optuna");
  EXPECT_EQ(s.status().code(), StatusCode::kUnavailable) << s.status();
  EXPECT_TRUE(Has(s.status().message(), host_port)) << s.status();
  EXPECT_TRUE(Has(s.status().message(), "optuna")) << s.status();
  EXPECT_FALSE(Has(s.status().message(), "Unreach4ble")) << s.status();
}

TEST_F(PostgresBadInputTest, AWrongPasswordIsAClearError) {
  const std::string server = db_.server_url();
  const size_t colon = server.find(':', server.find("://") + 3);
  const size_t at = server.rfind('@');
  const std::string url = server.substr(0, colon + 1) + "WrongPassw0rd" + server.substr(at);
  Result<std::shared_ptr<PostgresStorage>> s = PostgresStorage::Open(url);
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument) << s.status();
  EXPECT_TRUE(Has(s.status().message(), "password authentication failed")) << s.status();
  EXPECT_TRUE(Has(s.status().message(), "hypertune_test")) << s.status();
  EXPECT_TRUE(Has(s.status().message(), HostPort(server))) << s.status();
  EXPECT_FALSE(Has(s.status().message(), "WrongPassw0rd")) << s.status();
}

TEST_F(PostgresBadInputTest, AnUnknownDatabaseIsNotFound) {
  Result<std::shared_ptr<PostgresStorage>> s =
      PostgresStorage::Open(WithDatabase(db_.server_url(), "no_such_database_here"));
  EXPECT_EQ(s.status().code(), StatusCode::kNotFound) << s.status();
  EXPECT_TRUE(Has(s.status().message(), "no_such_database_here")) << s.status();
}

TEST_F(PostgresBadInputTest, AnUnsupportedRevisionIsRefusedAndNothingIsWritten) {
  ASSERT_TRUE(PostgresStorage::Open(db_.url()).ok());
  for (const std::string revision : {"v9.9.9.z", "v3.4.0.a", "v3.0.0.c"}) {
    RawSql(db_.url(), "UPDATE alembic_version SET version_num = '" + revision + "'");
    const std::string before = Snapshot(db_.url());
    for (const std::string_view asked : {kOptunaSchemaV300d, kOptunaSchemaV320a}) {
      PostgresStorageOptions opts;
      opts.schema_revision = std::string(asked);
      Result<std::shared_ptr<PostgresStorage>> s = PostgresStorage::Open(db_.url(), opts);
      EXPECT_EQ(s.status().code(), StatusCode::kFailedPrecondition) << s.status();
      EXPECT_TRUE(Has(s.status().message(), revision)) << s.status();
      EXPECT_TRUE(Has(s.status().message(), db_.name())) << s.status();
    }
    EXPECT_EQ(Snapshot(db_.url()), before);
  }
}

TEST_F(PostgresBadInputTest, OptunaTablesWithoutAlembicVersionAreRefusedAndUntouched) {
  RawSql(db_.url(), "CREATE TABLE trials (trial_id integer, note text)");
  RawSql(db_.url(), "INSERT INTO trials VALUES (1, 'keep me')");
  const std::string before = Snapshot(db_.url());
  Result<std::shared_ptr<PostgresStorage>> s = PostgresStorage::Open(db_.url());
  EXPECT_EQ(s.status().code(), StatusCode::kCorruption) << s.status();
  EXPECT_TRUE(Has(s.status().message(), "alembic_version")) << s.status();
  EXPECT_EQ(Snapshot(db_.url()), before);
}

TEST_F(PostgresBadInputTest, OtherTablesAreLeftAloneBesideANewSchema) {
  RawSql(db_.url(), "CREATE TABLE notes (body text)");
  RawSql(db_.url(), "INSERT INTO notes VALUES ('keep me')");
  auto s = PostgresStorage::Open(db_.url());
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(RawSql(db_.url(), "SELECT body FROM notes")[0][0].as<std::string>(), "keep me");
}

TEST_F(PostgresBadInputTest, ReadOnlyOpensReadButRefuseWrites) {
  PostgresStorageOptions ro;
  ro.read_only = true;
  // An empty database is not given a schema.
  Result<std::shared_ptr<PostgresStorage>> empty = PostgresStorage::Open(db_.url(), ro);
  EXPECT_EQ(empty.status().code(), StatusCode::kFailedPrecondition) << empty.status();
  EXPECT_TRUE(Snapshot(db_.url()).empty());
  int64_t trial_id = -1;
  {
    auto s = PostgresStorage::Open(db_.url()).value();
    const int64_t study = s->CreateStudy("s", {StudyDirection::kMinimize}).value();
    trial_id = s->CreateTrial(study).value().trial_id;
  }
  const std::string before = Snapshot(db_.url());
  auto s = PostgresStorage::Open(db_.url(), ro).value();
  const int64_t study = s->GetStudyId("s").value();
  EXPECT_EQ(s->GetStudy(study).value().n_trials, 1);
  EXPECT_EQ(s->GetTrial(trial_id).value().state, TrialState::kRunning);
  Result<FrozenTrial> t = s->CreateTrial(study);
  EXPECT_EQ(t.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Has(t.status().message(), "read-only")) << t.status();
  EXPECT_EQ(s->CreateStudy("t", {StudyDirection::kMinimize}).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(s->SetTrialStateValues(trial_id, TrialState::kFail, {}).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(s->RecordHeartbeat(trial_id).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s->PopWaitingTrial(study).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Snapshot(db_.url()), before);
}

TEST_F(PostgresBadInputTest, UnknownStudiesAndTrialsAreNotFoundAndWriteNothing) {
  auto s = PostgresStorage::Open(db_.url()).value();
  const int64_t study = s->CreateStudy("s", {StudyDirection::kMinimize}).value();
  ASSERT_TRUE(s->CreateTrial(study).ok());
  const std::string before = Snapshot(db_.url());
  const int64_t missing = study + 1000;
  Result<int64_t> by_name = s->GetStudyId("nope");
  EXPECT_EQ(by_name.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(Has(by_name.status().message(), "'nope'")) << by_name.status();
  EXPECT_EQ(s->GetStudy(missing).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(s->DeleteStudy(missing).code(), StatusCode::kNotFound);
  EXPECT_EQ(s->SetStudyUserAttr(missing, "k", "1").code(), StatusCode::kNotFound);
  EXPECT_EQ(s->SetStudySystemAttr(missing, "k", "1").code(), StatusCode::kNotFound);
  EXPECT_EQ(s->CreateTrial(missing).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(s->PopWaitingTrial(missing).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(s->GetStaleTrialIds(missing, 1.0).status().code(), StatusCode::kNotFound);
  TrialCursor cursor;
  std::vector<FrozenTrial> out;
  EXPECT_EQ(s->ReadTrialUpdates(missing, cursor, out).code(), StatusCode::kNotFound);
  EXPECT_TRUE(out.empty());
  auto d = std::make_shared<const Distribution>(FloatDistribution{0.0, 1.0});
  EXPECT_EQ(s->SetTrialParam(424242, "x", 0.5, d).code(), StatusCode::kNotFound);
  EXPECT_EQ(s->SetTrialIntermediateValue(424242, 0, 1.0).code(), StatusCode::kNotFound);
  EXPECT_EQ(s->SetTrialUserAttr(424242, "k", "1").code(), StatusCode::kNotFound);
  EXPECT_EQ(s->SetTrialSystemAttr(424242, "k", "1").code(), StatusCode::kNotFound);
  EXPECT_EQ(s->SetTrialStateValues(424242, TrialState::kFail, {}).code(), StatusCode::kNotFound);
  EXPECT_EQ(s->RecordHeartbeat(424242).code(), StatusCode::kNotFound);
  EXPECT_EQ(s->GetTrial(424242).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Snapshot(db_.url()), before);
  EXPECT_EQ(s->ListStudies().value().size(), 1u);
}

TEST_F(PostgresBadInputTest, HostileNamesAndValuesAreData) {
  auto s = PostgresStorage::Open(db_.url()).value();
  const std::string evil = "x'); DROP TABLE studies; --";
  const std::vector<std::string> odd = {
      evil, "\"quoted\"", "back\\slash", "{brace,comma}",   "NULL",
      "",   "ünïcødé ✓",  "$1",          "a'b\"c\\d{e}f,g", std::string(300, '\'')};
  const int64_t study = s->CreateStudy(evil, {StudyDirection::kMinimize}).value();
  EXPECT_EQ(s->GetStudyId(evil).value(), study);
  EXPECT_EQ(s->GetStudy(study).value().name, evil);
  FrozenTrial templ;
  templ.state = TrialState::kWaiting;
  for (const std::string& v : odd) {
    templ.user_attrs[v] = "\"" + v + "\"";
    templ.system_attrs[v + "!"] = v;
  }
  auto cat = std::make_shared<const Distribution>(
      CategoricalDistribution{{ParamValue(evil), ParamValue("NULL"), ParamValue("{a,b}")}});
  templ.params = {{evil, cat, 2.0}, {"{a,b}", cat, 0.0}};
  const int64_t waiting = s->CreateTrial(study, &templ).value().trial_id;
  const int64_t id = s->CreateTrial(study).value().trial_id;
  for (const std::string& v : odd) {
    ASSERT_TRUE(s->SetTrialUserAttr(id, v, v).ok()) << v;
    ASSERT_TRUE(s->SetStudyUserAttr(study, v, v).ok()) << v;
    if (!v.empty()) {
      ASSERT_TRUE(s->SetTrialParam(id, v, 1.0, cat).ok()) << v;
    }
  }
  FrozenTrial w = s->GetTrial(waiting).value();
  EXPECT_EQ(w.user_attrs, templ.user_attrs);
  EXPECT_EQ(w.system_attrs, templ.system_attrs);
  EXPECT_EQ(std::get<std::string>(w.param(evil)), "{a,b}");
  EXPECT_EQ(std::get<std::string>(w.param("{a,b}")), evil);
  FrozenTrial t = s->GetTrial(id).value();
  StudySummary sum = s->GetStudy(study).value();
  for (const std::string& v : odd) {
    EXPECT_EQ(t.user_attrs.at(v), v);
    EXPECT_EQ(sum.user_attrs.at(v), v);
    if (!v.empty()) {
      EXPECT_EQ(std::get<std::string>(t.param(v)), "NULL");
    }
  }
  EXPECT_EQ(s->ListStudies().value().size(), 1u);
  EXPECT_EQ(RawSql(db_.url(), "SELECT count(*) FROM studies")[0][0].as<int>(), 1);
}

TEST_F(PostgresBadInputTest, ALostConnectionIsReestablished) {
  PostgresStorageOptions one;
  one.max_connections = 1;
  auto s = PostgresStorage::Open(db_.url() + "?application_name=ht_lost", one).value();
  const int64_t study = s->CreateStudy("s", {StudyDirection::kMinimize}).value();
  FrozenTrial w;
  w.state = TrialState::kWaiting;
  const int64_t waiting = s->CreateTrial(study, &w).value().trial_id;
  // The server ends the storage's connection (as on a restart or failover).
  const auto terminate = [&](bool wait) {
    RawSql(db_.url(),
           "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = "
           "'ht_lost'");
    for (int k = 0; wait && k < 100; ++k) {
      if (RawSql(db_.url(),
                 "SELECT count(*) FROM pg_stat_activity WHERE application_name = "
                 "'ht_lost'")[0][0]
              .as<int>() == 0)
        break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  };
  // A transaction lost before COMMIT is run again on a new connection.
  terminate(false);
  Result<FrozenTrial> t = s->CreateTrial(study);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->number, 1);
  // A connection the server has closed is noticed before it is used, so that
  // a write that must not run twice is not lost with it.
  terminate(true);
  Result<FrozenTrial> popped = s->PopWaitingTrial(study);
  ASSERT_TRUE(popped.ok()) << popped.status();
  EXPECT_EQ(popped->trial_id, waiting);
  terminate(true);
  EXPECT_TRUE(s->SetTrialStateValues(waiting, TrialState::kComplete, {1.0}).ok());
  EXPECT_EQ(s->GetStudy(study).value().n_trials, 2);
}

// A role whose password has characters that URLs must percent-encode; the
// tests below look for that password in every message they provoke.
class PostgresSecretTest : public PostgresBadInputTest {
 protected:
  static constexpr const char* kSecret = "S3cr3t:p@ss/w%rd?x=1";
  static constexpr const char* kEncoded = "S3cr3t%3Ap%40ss%2Fw%25rd%3Fx%3D1";

  void SetUp() override {
    PostgresBadInputTest::SetUp();
    static std::atomic<int> counter{0};
    role_ = "ht_secret_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
    pqxx::connection c(db_.url());
    pqxx::nontransaction t(c);
    t.exec("CREATE ROLE " + role_ + " LOGIN PASSWORD " + t.quote(kSecret));
  }
  void TearDown() override {
    RawSql(db_.server_url(), "DROP DATABASE IF EXISTS " + db_.name() + " WITH (FORCE)");
    RawSql(db_.server_url(), "DROP ROLE IF EXISTS " + role_);
  }
  std::string Url(const std::string& password, const std::string& db) const {
    return "postgresql://" + role_ + ":" + password + "@" + HostPort(db_.server_url()) + "/" + db;
  }
  void ExpectNoSecret(const Status& s, const std::string& what) {
    EXPECT_FALSE(s.ok()) << what;
    EXPECT_FALSE(Has(s.message(), kSecret)) << what << ": " << s;
    EXPECT_FALSE(Has(s.message(), kEncoded)) << what << ": " << s;
    EXPECT_FALSE(Has(s.message(), "S3cr3t")) << what << ": " << s;
    ++checked_;
  }
  std::string role_;
  int checked_ = 0;
};

TEST_F(PostgresSecretTest, ThePasswordNeverAppearsInAnyMessage) {
  const std::string host_port = HostPort(db_.server_url());
  // Failing opens: permission (the role may not create the schema), unknown
  // database, closed port, wrong password, malformed URLs.
  ExpectNoSecret(PostgresStorage::Open(Url(kEncoded, db_.name())).status(), "no privilege");
  ExpectNoSecret(PostgresStorage::Open(Url(kEncoded, "nodb")).status(), "unknown database");
  ExpectNoSecret(PostgresStorage::Open("postgresql://" + role_ + ":" + kEncoded +
                                       "@127.0.0.1:" + std::to_string(ClosedPort()) + "/x")
                     .status(),
                 "closed port");
  ExpectNoSecret(PostgresStorage::Open(Url(std::string(kEncoded) + "x", db_.name())).status(),
                 "wrong password");
  ExpectNoSecret(PostgresStorage::Open(Url(kSecret, db_.name())).status(), "unencoded");
  ExpectNoSecret(PostgresStorage::Open(Url(std::string(kEncoded) + "%zz", db_.name())).status(),
                 "bad percent-encoding");
  ExpectNoSecret(PostgresStorage::Open("postgresql://" + host_port + "/" + db_.name() +
                                       "?user=" + role_ + "&password=" + kEncoded + "&bogus=1")
                     .status(),
                 "password parameter");
  ExpectNoSecret(PostgresStorage::Open("postgresql+psycopg2://" + role_ + ":" + kEncoded +
                                       "@/x?host=/nonexistent/dir")
                     .status(),
                 "socket directory");

  // Failing operations on an open storage.
  ASSERT_TRUE(PostgresStorage::Open(db_.url()).ok());  // the schema, by its owner
  RawSql(db_.url(), "GRANT SELECT ON ALL TABLES IN SCHEMA public TO " + role_);
  auto s = PostgresStorage::Open(Url(kEncoded, db_.name()));
  ASSERT_TRUE(s.ok()) << s.status();
  ExpectNoSecret((*s)->CreateStudy("s", {StudyDirection::kMinimize}).status(), "no INSERT");
  ExpectNoSecret((*s)->GetStudy(77).status(), "unknown study");
  ExpectNoSecret((*s)->GetTrial(77).status(), "unknown trial");
  ExpectNoSecret((*s)->RecordHeartbeat(77), "heartbeat");
  EXPECT_TRUE(Has((*s)->where(), db_.name()));
  EXPECT_FALSE(Has((*s)->where(), "S3cr3t"));
  EXPECT_EQ(checked_, 12);
}

}  // namespace
}  // namespace hypertune::testing
