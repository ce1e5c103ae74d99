// OpenStorage: a storage from its URL, whatever the back-end.
//
//   auto storage = hypertune::OpenStorage("sqlite:///hypertune.db").value();
//
//   sqlite:///relative.db, sqlite:////absolute.db    SqliteStorage
//   postgresql://user:password@host:port/db           PostgresStorage
//     (also postgresql+psycopg2://, as Optuna URLs)    (when built with it)
//   journal:///relative.log, journal:////absolute.log JournalStorage
//   memory:// (or an empty URL)                       a new InMemoryStorage
//
// Each back-end's options take their defaults. An unknown scheme is
// InvalidArgument listing the schemes this build has; the URL in messages has
// its password redacted.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "hypertune/core/status.h"
#include "hypertune/core/storage.h"

namespace hypertune {

Result<std::shared_ptr<Storage>> OpenStorage(std::string_view url);

// The URL with the password of its user-info part replaced by "***".
std::string RedactUrl(std::string_view url);

}  // namespace hypertune
