#include "hypertune/core/open_storage.h"

#include "hypertune/core/in_memory_storage.h"
#include "hypertune/core/journal_storage.h"
#include "hypertune/core/sqlite_storage.h"
#ifdef HYPERTUNE_WITH_POSTGRES
#include "hypertune/core/postgres_storage.h"
#endif

namespace hypertune {
namespace {

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

template <class T>
Result<std::shared_ptr<Storage>> Upcast(Result<std::shared_ptr<T>> r) {
  if (!r.ok()) return r.status();
  return std::shared_ptr<Storage>(std::move(r).value());
}

}  // namespace

std::string RedactUrl(std::string_view url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url);
  const size_t authority = scheme_end + 3;
  const size_t slash = url.find('/', authority);
  const std::string_view host_part = url.substr(authority, slash - authority);
  const size_t at = host_part.rfind('@');
  if (at == std::string_view::npos) return std::string(url);
  const size_t colon = host_part.substr(0, at).find(':');
  if (colon == std::string_view::npos) return std::string(url);
  std::string out(url.substr(0, authority + colon + 1));
  out += "***";
  out += url.substr(authority + at);
  return out;
}

Result<std::shared_ptr<Storage>> OpenStorage(std::string_view url) {
  if (url.empty() || url == "memory://") return std::shared_ptr<Storage>(std::make_shared<InMemoryStorage>());
  if (StartsWith(url, "sqlite:")) return Upcast(SqliteStorage::Open(url));
  if (StartsWith(url, "journal:")) return Upcast(JournalStorage::Open(url));
  if (StartsWith(url, "postgresql:") || StartsWith(url, "postgresql+") ||
      StartsWith(url, "postgres:")) {
#ifdef HYPERTUNE_WITH_POSTGRES
    return Upcast(PostgresStorage::Open(url));
#else
    return Status::Unimplemented("storage URL '" + RedactUrl(url) +
                                 "': this build has no PostgreSQL storage (configure with "
                                 "-DHYPERTUNE_WITH_POSTGRES=ON and libpqxx-dev)");
#endif
  }
  std::string schemes = "sqlite:///, journal:///, memory://";
#ifdef HYPERTUNE_WITH_POSTGRES
  schemes += ", postgresql://";
#endif
  return Status::InvalidArgument("storage URL '" + RedactUrl(url) +
                                 "': unknown scheme (this build has " + schemes + ")");
}

}  // namespace hypertune
