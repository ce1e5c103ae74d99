#include "hypertune/core/open_storage.h"

#include <gtest/gtest.h>

#include "hypertune/core/in_memory_storage.h"
#include "hypertune/core/journal_storage.h"
#include "hypertune/core/sqlite_storage.h"
#include "tests/core/storages/sqlite_test_util.h"

namespace hypertune::testing {
namespace {

TEST(OpenStorageTest, PicksTheBackEndByScheme) {
  TempDir dir;
  auto sqlite = OpenStorage(dir.Url("a.db"));
  ASSERT_TRUE(sqlite.ok()) << sqlite.status();
  EXPECT_NE(dynamic_cast<SqliteStorage*>(sqlite->get()), nullptr);
  auto journal = OpenStorage("journal:///" + dir.File("a.log"));
  ASSERT_TRUE(journal.ok()) << journal.status();
  EXPECT_NE(dynamic_cast<JournalStorage*>(journal->get()), nullptr);
  auto memory = OpenStorage("");
  ASSERT_TRUE(memory.ok());
  EXPECT_NE(dynamic_cast<InMemoryStorage*>(memory->get()), nullptr);
  // A study written through one handle is seen through another.
  ASSERT_TRUE((*sqlite)->CreateStudy("s", {StudyDirection::kMinimize}).ok());
  EXPECT_TRUE(OpenStorage(dir.Url("a.db")).value()->GetStudyId("s").ok());
}

TEST(OpenStorageTest, UnknownSchemeListsTheKnownOnesAndHidesThePassword) {
  Result<std::shared_ptr<Storage>> s = OpenStorage("mysql://ana:s3cret@db:3306/x");
  ASSERT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.status().message().find("sqlite:///"), std::string::npos) << s.status();
  EXPECT_NE(s.status().message().find("mysql://ana:***@db:3306/x"), std::string::npos)
      << s.status();
  EXPECT_EQ(s.status().message().find("s3cret"), std::string::npos) << s.status();
}

TEST(OpenStorageTest, PostgresErrorsComeFromThePostgresBackEnd) {
  // Port 1 on loopback: nothing listens there.
  Result<std::shared_ptr<Storage>> s =
      OpenStorage("postgresql://ana:s3cret@127.0.0.1:1/db?connect_timeout=2");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message().find("s3cret"), std::string::npos) << s.status();
}

TEST(RedactUrlTest, ReplacesOnlyThePassword) {
  EXPECT_EQ(RedactUrl("postgresql://u:p@h:5432/db"), "postgresql://u:***@h:5432/db");
  EXPECT_EQ(RedactUrl("postgresql://u:p:q@h/db"), "postgresql://u:***@h/db");
  EXPECT_EQ(RedactUrl("postgresql://u@h/db"), "postgresql://u@h/db");
  EXPECT_EQ(RedactUrl("sqlite:///a:b@c.db"), "sqlite:///a:b@c.db");
  EXPECT_EQ(RedactUrl("no url"), "no url");
}

}  // namespace
}  // namespace hypertune::testing
