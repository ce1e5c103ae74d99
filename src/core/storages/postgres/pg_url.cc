#include "src/core/storages/postgres/pg_url.h"

#include <libpq-fe.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

namespace hypertune::pg_internal {
namespace {

constexpr std::string_view kScheme = "postgresql://";
constexpr std::string_view kSqlAlchemyScheme = "postgresql+psycopg2://";
// Shorter secrets are not redacted: replacing every "ab" in a message would
// garble it, and no message of ours contains the password anyway.
constexpr size_t kMinSecretSize = 3;

std::string Quote(std::string_view v) {
  std::string out = "'";
  for (char c : v) {
    if (c == '\'' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  for (size_t k = 0; k < s.size(); ++k) {
    if (s[k] == '%' && k + 2 < s.size() && HexValue(s[k + 1]) >= 0 && HexValue(s[k + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(s[k + 1]) * 16 + HexValue(s[k + 2])));
      k += 2;
    } else {
      out.push_back(s[k]);
    }
  }
  return out;
}

// The raw (still percent-encoded) passwords of a URL: in the user info and
// in password= query parameters.
std::vector<std::string> RawPasswords(std::string_view url) {
  std::vector<std::string> out;
  const size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return out;
  const std::string_view rest = url.substr(scheme + 3);
  const size_t at = rest.rfind('@');
  if (at != std::string_view::npos) {
    const std::string_view userinfo = rest.substr(0, at);
    const size_t colon = userinfo.find(':');
    if (colon != std::string_view::npos) out.emplace_back(userinfo.substr(colon + 1));
  }
  for (size_t pos = rest.find("password="); pos != std::string_view::npos;
       pos = rest.find("password=", pos + 1)) {
    const size_t begin = pos + 9;
    const size_t end = rest.find('&', begin);
    out.emplace_back(rest.substr(begin, end == std::string_view::npos ? end : end - begin));
  }
  return out;
}

struct OptionsDeleter {
  void operator()(PQconninfoOption* o) const { PQconninfoFree(o); }
};

}  // namespace

std::string HidePassword(std::string_view url) {
  std::string out(url);
  for (const std::string& raw : RawPasswords(url)) {
    if (raw.empty()) continue;
    out = Redact(std::move(out), {raw});
  }
  // Redact skips short secrets; here every password goes, whatever its size.
  const size_t scheme = out.find("://");
  if (scheme != std::string::npos) {
    const size_t at = out.rfind('@');
    if (at != std::string::npos && at > scheme) {
      const size_t colon = out.find(':', scheme + 3);
      if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  for (size_t pos = out.find("password="); pos != std::string::npos;
       pos = out.find("password=", pos + 1)) {
    const size_t begin = pos + 9;
    const size_t end = std::min(out.find('&', begin), out.size());
    out.replace(begin, end - begin, "***");
  }
  return out;
}

std::string Redact(std::string text, const std::vector<std::string>& secrets) {
  for (const std::string& s : secrets) {
    if (s.size() < kMinSecretSize) continue;
    for (size_t pos = text.find(s); pos != std::string::npos; pos = text.find(s, pos + 3))
      text.replace(pos, s.size(), "***");
  }
  return text;
}

Result<PgTarget> ParsePostgresUrl(std::string_view url, int connect_timeout_s) {
  const auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("storage URL '" + HidePassword(url) + "' " + why);
  };
  std::string libpq_url;
  if (url.starts_with(kScheme)) {
    libpq_url = std::string(url);
  } else if (url.starts_with(kSqlAlchemyScheme)) {
    libpq_url = std::string(kScheme) + std::string(url.substr(kSqlAlchemyScheme.size()));
  } else {
    return bad("is not postgresql://user:password@host:port/dbname");
  }
  if (libpq_url.find('\0') != std::string::npos) return bad("contains a NUL byte");
  std::vector<std::string> secrets;
  for (const std::string& raw : RawPasswords(url)) {
    secrets.push_back(raw);
    secrets.push_back(PercentDecode(raw));
  }
  char* err = nullptr;
  std::unique_ptr<PQconninfoOption, OptionsDeleter> opts(PQconninfoParse(libpq_url.c_str(), &err));
  if (opts == nullptr) {
    std::string why = err != nullptr ? err : "cannot be parsed";
    PQfreemem(err);
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    return bad("is malformed: " + Redact(why, secrets));
  }
  PgTarget t;
  bool has_timeout = false, has_app_name = false;
  std::string host, hostaddr, port;
  for (const PQconninfoOption* o = opts.get(); o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    const std::string_view key = o->keyword;
    const std::string val = o->val;
    if (o->dispchar != nullptr && std::string_view(o->dispchar).find('*') != std::string_view::npos)
      secrets.push_back(val);
    if (key == "connect_timeout") has_timeout = true;
    if (key == "application_name" || key == "fallback_application_name") has_app_name = true;
    if (key == "host") host = val;
    if (key == "hostaddr") hostaddr = val;
    if (key == "port") port = val;
    if (key == "dbname") t.dbname = val;
    if (key == "user") t.user = val;
    if (!t.conninfo.empty()) t.conninfo += ' ';
    t.conninfo += std::string(key) + "=" + Quote(val);
  }
  if (!has_timeout) t.conninfo += " connect_timeout=" + Quote(std::to_string(connect_timeout_s));
  if (!has_app_name) t.conninfo += " fallback_application_name='hypertune'";
  // libpq's own defaults, for messages only.
  const auto env = [](const char* name, const char* fallback) {
    const char* v = std::getenv(name);
    return std::string(v != nullptr && *v != '\0' ? v : fallback);
  };
  if (host.empty()) host = !hostaddr.empty() ? hostaddr : env("PGHOST", "localhost");
  if (port.empty()) port = env("PGPORT", "5432");
  if (t.user.empty()) t.user = env("PGUSER", "(default user)");
  if (t.dbname.empty()) t.dbname = env("PGDATABASE", t.user.c_str());
  t.host_port = host.find(':') != std::string::npos && host.find(',') == std::string::npos
                    ? "[" + host + "]:" + port
                    : host + ":" + port;
  std::erase_if(secrets, [](const std::string& s) { return s.empty(); });
  std::sort(secrets.begin(), secrets.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  secrets.erase(std::unique(secrets.begin(), secrets.end()), secrets.end());
  t.secrets = std::move(secrets);
  return t;
}

}  // namespace hypertune::pg_internal
