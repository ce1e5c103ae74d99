// SqliteStorage refuses what it cannot use, with clear errors, and writes
// nothing when it does.
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "hypertune/core/sqlite_storage.h"
#include "tests/core/storages/sqlite_test_util.h"

namespace hypertune::testing {
namespace {

namespace fs = std::filesystem;

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteBytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// Runs raw SQL on a file, outside SqliteStorage.
void RawSql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  const std::string message = err != nullptr ? err : "";
  sqlite3_free(err);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK) << message;
}

size_t FilesIn(const std::string& dir) {
  return static_cast<size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

TEST(SqliteBadInputTest, UrlsThatAreNotSqliteFilesAreRefused) {
  TempDir dir;
  for (const std::string url : {"postgresql://localhost/db", "sqlite://relative.db",
                                "sqlite:///", "", "SQLITE:///x.db"}) {
    Result<std::shared_ptr<SqliteStorage>> s = SqliteStorage::Open(url);
    EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument) << url;
    EXPECT_NE(s.status().message().find("sqlite"), std::string::npos) << s.status();
  }
}

TEST(SqliteBadInputTest, ADirectoryIsRefusedAndLeftEmpty) {
  TempDir dir;
  const std::string sub = dir.File("adir");
  fs::create_directory(sub);
  Result<std::shared_ptr<SqliteStorage>> s = SqliteStorage::Open("sqlite:///" + sub);
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.status().message().find(sub), std::string::npos) << s.status();
  EXPECT_EQ(FilesIn(sub), 0u);
  EXPECT_EQ(FilesIn(dir.File("")), 1u);
}

TEST(SqliteBadInputTest, ACorruptFileIsRefusedAndUnchanged) {
  TempDir dir;
  const std::string path = dir.File("corrupt.db");
  std::mt19937 gen(42);
  std::string bytes(8192, '\0');
  for (char& c : bytes) c = static_cast<char>(gen() & 0xff);
  WriteBytes(path, bytes);
  Result<std::shared_ptr<SqliteStorage>> s = SqliteStorage::Open("sqlite:///" + path);
  EXPECT_EQ(s.status().code(), StatusCode::kCorruption) << s.status();
  EXPECT_NE(s.status().message().find(path), std::string::npos) << s.status();
  EXPECT_EQ(ReadBytes(path), bytes);
  EXPECT_EQ(FilesIn(dir.File("")), 1u);  // no -wal, -shm or -journal left
}

TEST(SqliteBadInputTest, ASqliteFileThatIsNotOptunasIsRefusedAndUnchanged) {
  TempDir dir;
  const std::string path = dir.File("other.db");
  RawSql(path, "CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('keep me')");
  const std::string before = ReadBytes(path);
  Result<std::shared_ptr<SqliteStorage>> s = SqliteStorage::Open("sqlite:///" + path);
  EXPECT_EQ(s.status().code(), StatusCode::kCorruption) << s.status();
  EXPECT_NE(s.status().message().find("alembic_version"), std::string::npos) << s.status();
  EXPECT_EQ(ReadBytes(path), before);
}

TEST(SqliteBadInputTest, AnUnknownSchemaRevisionIsRefused) {
  TempDir dir;
  const std::string path = dir.File("future.db");
  ASSERT_TRUE(SqliteStorage::Open("sqlite:///" + path).ok());
  RawSql(path, "PRAGMA journal_mode=DELETE; UPDATE alembic_version SET version_num = 'v9.9.9.z'");
  const std::string before = ReadBytes(path);
  Result<std::shared_ptr<SqliteStorage>> s = SqliteStorage::Open("sqlite:///" + path);
  EXPECT_EQ(s.status().code(), StatusCode::kFailedPrecondition) << s.status();
  EXPECT_NE(s.status().message().find("v9.9.9.z"), std::string::npos) << s.status();
  EXPECT_EQ(ReadBytes(path), before);  // not even switched to WAL
  EXPECT_FALSE(fs::exists(path + "-wal"));
}

TEST(SqliteBadInputTest, ReadOnlyOpensReadButRefuseWrites) {
  TempDir dir;
  const std::string path = dir.File("ro.db");
  const std::string url = "sqlite:///" + path;
  {
    auto s = SqliteStorage::Open(url).value();
    const int64_t study = s->CreateStudy("s", {StudyDirection::kMinimize}).value();
    ASSERT_TRUE(s->CreateTrial(study).ok());
  }
  const std::string before = ReadBytes(path);
  SqliteStorageOptions ro;
  ro.read_only = true;
  auto s = SqliteStorage::Open(url, ro).value();
  const int64_t study = s->GetStudyId("s").value();
  EXPECT_EQ(s->GetStudy(study).value().n_trials, 1);
  Result<FrozenTrial> t = s->CreateTrial(study);
  EXPECT_EQ(t.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(t.status().message().find("read-only"), std::string::npos) << t.status();
  EXPECT_EQ(s->CreateStudy("t", {StudyDirection::kMinimize}).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReadBytes(path), before);
  // A missing file is not created.
  EXPECT_EQ(SqliteStorage::Open("sqlite:///" + dir.File("missing.db"), ro).status().code(),
            StatusCode::kNotFound);
  EXPECT_FALSE(fs::exists(dir.File("missing.db")));
}

TEST(SqliteBadInputTest, AFileWithoutWritePermissionIsNotWritten) {
  if (::geteuid() == 0) GTEST_SKIP() << "root ignores file modes; ReadOnlyOpens... covers this";
  TempDir dir;
  const std::string path = dir.File("perm.db");
  const std::string url = "sqlite:///" + path;
  {
    auto s = SqliteStorage::Open(url).value();
    ASSERT_TRUE(s->CreateStudy("s", {StudyDirection::kMinimize}).ok());
  }
  ::chmod(path.c_str(), 0444);
  const std::string before = ReadBytes(path);
  Result<std::shared_ptr<SqliteStorage>> s = SqliteStorage::Open(url);
  if (s.ok()) {
    EXPECT_FALSE((*s)->CreateStudy("t", {StudyDirection::kMinimize}).ok());
  }
  EXPECT_EQ(ReadBytes(path), before);
}

TEST(SqliteBadInputTest, UnknownStudiesAndTrialsAreNotFoundAndWriteNothing) {
  TempDir dir;
  const std::string path = dir.File("s.db");
  auto s = SqliteStorage::Open("sqlite:///" + path).value();
  const int64_t study = s->CreateStudy("s", {StudyDirection::kMinimize}).value();
  ASSERT_TRUE(s->CreateTrial(study).ok());
  const std::string db_before = ReadBytes(path);
  const std::string wal_before = ReadBytes(path + "-wal");
  const int64_t missing = study + 1000;
  Result<int64_t> by_name = s->GetStudyId("nope");
  EXPECT_EQ(by_name.status().code(), StatusCode::kNotFound);
  EXPECT_NE(by_name.status().message().find("'nope'"), std::string::npos) << by_name.status();
  EXPECT_EQ(s->GetStudy(missing).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(s->DeleteStudy(missing).code(), StatusCode::kNotFound);
  EXPECT_EQ(s->SetStudyUserAttr(missing, "k", "1").code(), StatusCode::kNotFound);
  EXPECT_EQ(s->CreateTrial(missing).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(s->PopWaitingTrial(missing).status().code(), StatusCode::kNotFound);
  TrialCursor cursor;
  std::vector<FrozenTrial> out;
  EXPECT_EQ(s->ReadTrialUpdates(missing, cursor, out).code(), StatusCode::kNotFound);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(s->SetTrialUserAttr(424242, "k", "1").code(), StatusCode::kNotFound);
  EXPECT_EQ(s->SetTrialStateValues(424242, TrialState::kFail, {}).code(),
            StatusCode::kNotFound);
  EXPECT_EQ(ReadBytes(path), db_before);
  EXPECT_EQ(ReadBytes(path + "-wal"), wal_before);
  EXPECT_EQ(s->ListStudies().value().size(), 1u);
}

TEST(SqliteBadInputTest, AFileLockedTooLongIsUnavailableAndLaterUsable) {
  TempDir dir;
  const std::string path = dir.File("busy.db");
  SqliteStorageOptions quick;
  quick.busy_timeout_ms = 20;
  quick.max_retries = 2;
  auto s = SqliteStorage::Open("sqlite:///" + path, quick).value();
  // Another connection holds the write lock.
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  Result<int64_t> id = s->CreateStudy("s", {StudyDirection::kMinimize});
  EXPECT_EQ(id.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(id.status().message().find("locked"), std::string::npos) << id.status();
  EXPECT_NE(id.status().message().find(path), std::string::npos) << id.status();
  // Reads still work while another connection writes (WAL).
  EXPECT_TRUE(s->ListStudies().value().empty());
  ASSERT_EQ(sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(other);
  EXPECT_TRUE(s->CreateStudy("s", {StudyDirection::kMinimize}).ok());
  EXPECT_EQ(s->ListStudies().value().size(), 1u);
}

}  // namespace
}  // namespace hypertune::testing
