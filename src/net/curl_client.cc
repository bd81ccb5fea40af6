// CurlHttpClient: HttpClient over libcurl's easy interface.
//
// Each Send() leases a curl easy handle from the client's pool (creating one when all are in
// use) and returns it afterwards, with its connection cache, so later requests reuse the
// connections (keep-alive). The handles share one DNS cache and one TLS session cache (a
// curl share object, locked by the client). Options are reset on every lease, so no request
// inherits another's settings.
#include <curl/curl.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <mutex>

#include "core/strings.h"
#include "net/net.h"

namespace cairn::net {
namespace {

Status ErrnoStatus(std::string_view op, std::string_view path, int err) {
  std::string message = fmt::format("{} '{}': {}", op, path, std::strerror(err));
  switch (err) {
    case ENOENT:
      return Status::NotFound(std::move(message));
    case EACCES:
    case EPERM:
      return Status::PermissionDenied(std::move(message));
    default:
      return Status::IoError(std::move(message));
  }
}

// curl_global_init is not thread-safe in every libcurl, so it runs once, before any handle.
Status GlobalInit() {
  static std::once_flag once;
  static CURLcode code = CURLE_OK;
  std::call_once(once, [] { code = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (code != CURLE_OK) {
    return Status::Internal(fmt::format("cannot initialize libcurl: {}", curl_easy_strerror(code)));
  }
  return Status::Ok();
}

// A file descriptor closed on scope exit.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void reset(int fd) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

// The state of one Send(), shared with curl's callbacks.
struct Transfer {
  explicit Transfer(const Request& r) : request(r) {}

  const Request& request;
  Response response;

  // The request body: `memory_body`, or bytes [file_offset, file_offset + body_size) of fd.
  std::string_view memory_body;
  int fd = -1;
  uint64_t file_offset = 0;
  uint64_t body_size = 0;
  uint64_t body_pos = 0;  // next byte to send, relative to the body's start
  Status body_error;      // why the read callback aborted

  Status sink_error;  // why the write callback aborted
};

bool IsSuccess(int status) { return status >= 200 && status < 300; }

// Runs a caller's callback from inside curl's C code, which no exception may cross.
template <typename F>
Status Guarded(F&& f, std::string_view what) {
  try {
    return f();
  } catch (const std::exception& e) {
    return Status::Internal(fmt::format("the request's {} threw: {}", what, e.what()));
  } catch (...) {
    return Status::Internal(fmt::format("the request's {} threw", what));
  }
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t len = size * count;
  std::string_view line = core::TrimRight(std::string_view(data, len));
  if (line.starts_with("HTTP/")) {
    // A new response starts (after a 100 Continue or a redirect): forget the previous one.
    t->response.headers.clear();
    t->response.body.clear();
    std::vector<std::string_view> words = core::Split(line, ' ');
    if (words.size() >= 2) {
      t->response.status = static_cast<int>(core::ParseInt64(words[1]).value_or(0));
    }
    return len;
  }
  if (line.empty()) {  // the end of a header block
    if (t->request.on_headers && IsSuccess(t->response.status)) {
      Status status = Guarded([&] { return t->request.on_headers(t->response); }, "on_headers");
      if (!status.ok()) {
        t->sink_error = std::move(status);
        return 0;  // any count but len stops the transfer
      }
    }
    return len;
  }
  size_t colon = line.find(':');
  if (colon != std::string_view::npos && colon > 0) {
    t->response.headers.emplace_back(core::ToLower(core::Trim(line.substr(0, colon))),
                                     std::string(core::Trim(line.substr(colon + 1))));
  }
  return len;
}

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t len = size * count;
  if (len == 0) return 0;
  std::string_view chunk(data, len);
  if (t->request.sink && IsSuccess(t->response.status)) {
    Status status = Guarded([&] { return t->request.sink(chunk); }, "sink");
    if (!status.ok()) {
      t->sink_error = std::move(status);
      return 0;  // any count but len stops the transfer
    }
    return len;
  }
  if (t->request.sink) {
    size_t room = kMaxErrorBodyBytes - std::min(kMaxErrorBodyBytes, t->response.body.size());
    t->response.body.append(chunk.substr(0, room));
  } else {
    t->response.body.append(chunk);
  }
  return len;
}

size_t OnRead(char* buf, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  uint64_t want = std::min<uint64_t>(size * count, t->body_size - t->body_pos);
  if (want == 0) return 0;
  if (t->fd < 0) {
    std::memcpy(buf, t->memory_body.data() + t->body_pos, want);
    t->body_pos += want;
    return want;
  }
  ssize_t got;
  do {
    got = ::pread(t->fd, buf, want, static_cast<off_t>(t->file_offset + t->body_pos));
  } while (got < 0 && errno == EINTR);
  const std::string& path = t->request.body_file->path;
  if (got < 0) {
    t->body_error = ErrnoStatus("read", path, errno);
    return CURL_READFUNC_ABORT;
  }
  if (got == 0) {
    t->body_error = Status::IoError(
        fmt::format("'{}' shrank while it was being sent: it ended {} bytes into the {} byte "
                    "range at offset {}",
                    path, t->body_pos, t->body_size, t->file_offset));
    return CURL_READFUNC_ABORT;
  }
  t->body_pos += static_cast<uint64_t>(got);
  return static_cast<size_t>(got);
}

// curl rewinds the body when it must send it again (e.g. on a reused connection that the
// server had closed).
int OnSeek(void* user, curl_off_t offset, int origin) {
  auto* t = static_cast<Transfer*>(user);
  if (origin != SEEK_SET || offset < 0 || static_cast<uint64_t>(offset) > t->body_size) {
    return CURL_SEEKFUNC_CANTSEEK;
  }
  t->body_pos = static_cast<uint64_t>(offset);
  return CURL_SEEKFUNC_OK;
}

// Frees a curl_slist on scope exit.
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;

bool HasCrLf(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

// The Status for a transfer that ended without a response.
Status TransferError(CURLcode code, const char* errbuf, const Request& request, Transfer& t) {
  if (!t.sink_error.ok()) return t.sink_error;
  if (!t.body_error.ok()) return t.body_error;
  std::string cause = errbuf[0] != '\0' ? std::string(core::TrimRight(errbuf))
                                        : std::string(curl_easy_strerror(code));
  std::string what = fmt::format("{} {}", request.method, RedactUrl(request.url));
  std::string host = HostPort(request.url);
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return Status::Unavailable(
          fmt::format("cannot resolve the host of {} ({}): {}", host, what, cause));
    case CURLE_COULDNT_CONNECT:
      return Status::Unavailable(fmt::format("cannot connect to {} ({}): {}", host, what, cause));
    case CURLE_OPERATION_TIMEDOUT:
      return Status::Unavailable(
          fmt::format("timed out talking to {} ({}): {}", host, what, cause));
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
      return Status::Unavailable(
          fmt::format("the connection to {} failed ({}): {}", host, what, cause));
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
      return Status::IoError(fmt::format(
          "cannot verify the TLS certificate of {} ({}): {}\nhint: install the CA that signed "
          "it (or point ca_bundle at it); turn off verification only for a test server",
          host, what, cause));
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return Status::InvalidArgument(fmt::format("bad URL ({}): {}", what, cause));
    case CURLE_TOO_MANY_REDIRECTS:
      return Status::IoError(fmt::format("too many redirects ({}): {}", what, cause));
    default:
      return Status::IoError(fmt::format("{} failed: {}", what, cause));
  }
}

class CurlHttpClient final : public HttpClient {
 public:
  explicit CurlHttpClient(const ClientOptions& options) : options_(options) {}

  ~CurlHttpClient() override {
    for (CURL* easy : idle_) curl_easy_cleanup(easy);
    if (share_ != nullptr) curl_share_cleanup(share_);
  }

  CurlHttpClient(const CurlHttpClient&) = delete;
  CurlHttpClient& operator=(const CurlHttpClient&) = delete;

  Status Init() {
    share_ = curl_share_init();
    if (share_ == nullptr) return Status::Internal("curl_share_init failed");
    CURLSHcode rc = CURLSHE_OK;
    for (auto [option, value] :
         {std::pair<CURLSHoption, long>{CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS},
          std::pair<CURLSHoption, long>{CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION}}) {
      if (rc == CURLSHE_OK) rc = curl_share_setopt(share_, option, value);
    }
    if (rc == CURLSHE_OK) rc = curl_share_setopt(share_, CURLSHOPT_LOCKFUNC, &Lock);
    if (rc == CURLSHE_OK) rc = curl_share_setopt(share_, CURLSHOPT_UNLOCKFUNC, &Unlock);
    if (rc == CURLSHE_OK) rc = curl_share_setopt(share_, CURLSHOPT_USERDATA, this);
    if (rc != CURLSHE_OK) {
      return Status::Internal(fmt::format("curl_share_setopt: {}", curl_share_strerror(rc)));
    }
    return Status::Ok();
  }

  Result<Response> Send(const Request& request) override;

 private:
  // Returns a handle to the pool when a request is done with it.
  class Lease {
   public:
    Lease(CurlHttpClient* client, CURL* easy) : client_(client), easy_(easy) {}
    ~Lease() { client_->Release(easy_); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    CURL* get() const { return easy_; }

   private:
    CurlHttpClient* client_;
    CURL* easy_;
  };

  static void Lock(CURL*, curl_lock_data data, curl_lock_access, void* user) {
    static_cast<CurlHttpClient*>(user)->share_locks_[LockIndex(data)].lock();
  }
  static void Unlock(CURL*, curl_lock_data data, void* user) {
    static_cast<CurlHttpClient*>(user)->share_locks_[LockIndex(data)].unlock();
  }
  static size_t LockIndex(curl_lock_data data) {
    auto index = static_cast<size_t>(data);
    return index < kLocks ? index : 0;
  }

  CURL* Acquire() {
    {
      std::lock_guard lock(mu_);
      if (!idle_.empty()) {
        CURL* easy = idle_.back();
        idle_.pop_back();
        return easy;
      }
    }
    return curl_easy_init();
  }

  void Release(CURL* easy) {
    {
      std::lock_guard lock(mu_);
      if (idle_.size() < options_.max_idle_handles) {
        idle_.push_back(easy);
        return;
      }
    }
    curl_easy_cleanup(easy);
  }

  static constexpr size_t kLocks = CURL_LOCK_DATA_LAST;

  const ClientOptions options_;
  CURLSH* share_ = nullptr;
  std::array<std::mutex, kLocks> share_locks_;  // one per kind of shared data
  std::mutex mu_;
  std::vector<CURL*> idle_;  // guarded by mu_: handles not in use, with their connections
};

Result<Response> CurlHttpClient::Send(const Request& request) {
  std::string_view scheme = std::string_view(request.url).substr(0, request.url.find("://"));
  if (request.url.find("://") == std::string::npos ||
      !(core::EqualsIgnoreCase(scheme, "http") || core::EqualsIgnoreCase(scheme, "https"))) {
    return Status::InvalidArgument(
        fmt::format("'{}' is not an http:// or https:// URL", RedactUrl(request.url)));
  }
  if (request.method.empty() || HasCrLf(request.method) ||
      request.method.find(' ') != std::string::npos) {
    return Status::InvalidArgument(fmt::format("bad HTTP method '{}'", request.method));
  }

  Transfer transfer(request);
  Fd file;
  if (request.body_file) {
    const FileRange& range = *request.body_file;
    int fd;
    do {
      fd = ::open(range.path.c_str(), O_RDONLY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) return ErrnoStatus("open", range.path, errno);
    file.reset(fd);
    struct stat st;
    if (::fstat(file.get(), &st) != 0) return ErrnoStatus("stat", range.path, errno);
    auto size = static_cast<uint64_t>(st.st_size);
    if (range.offset > size || range.length > size - range.offset) {
      return Status::InvalidArgument(
          fmt::format("'{}' holds {} bytes: it has no bytes [{}, {}) to send", range.path, size,
                      range.offset, range.offset + range.length));
    }
    transfer.fd = file.get();
    transfer.file_offset = range.offset;
    transfer.body_size = range.length;
  } else {
    transfer.memory_body = request.body;
    transfer.body_size = request.body.size();
  }

  SlistPtr headers;
  auto append = [&headers](const std::string& line) {
    curl_slist* list = curl_slist_append(headers.get(), line.c_str());
    if (list == nullptr) return false;
    (void)headers.release();  // `list` is the same list, grown (or a new one)
    headers.reset(list);
    return true;
  };
  for (const auto& [name, value] : request.headers) {
    if (name.empty() || HasCrLf(name) || HasCrLf(value) ||
        name.find_first_of(": \t") != std::string::npos) {
      return Status::InvalidArgument(fmt::format("bad header field '{}' for {} {}", name,
                                                 request.method, RedactUrl(request.url)));
    }
    // "Name;" is curl's way to send a field with an empty value ("Name:" would remove it).
    if (!append(value.empty() ? name + ";" : name + ": " + value)) {
      return Status::Internal("out of memory building the header list");
    }
  }
  // No "Expect: 100-continue" round trip before a body.
  if (!append("Expect:")) return Status::Internal("out of memory building the header list");

  CAIRN_RETURN_IF_ERROR(GlobalInit());
  CURL* easy = Acquire();
  if (easy == nullptr) return Status::Internal("curl_easy_init failed");
  Lease lease(this, easy);
  curl_easy_reset(easy);

  char errbuf[CURL_ERROR_SIZE];
  errbuf[0] = '\0';
  CURLcode rc = CURLE_OK;
  auto set = [&](CURLoption option, auto value) {
    if (rc == CURLE_OK) rc = curl_easy_setopt(easy, option, value);
  };
  std::chrono::milliseconds timeout = request.timeout.value_or(options_.timeout);
  set(CURLOPT_URL, request.url.c_str());
  set(CURLOPT_PROTOCOLS_STR, "http,https");
  set(CURLOPT_NOSIGNAL, 1L);
  set(CURLOPT_ERRORBUFFER, errbuf);
  set(CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
  set(CURLOPT_PATH_AS_IS, 1L);
  set(CURLOPT_TCP_KEEPALIVE, 1L);
  set(CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
  set(CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  set(CURLOPT_LOW_SPEED_LIMIT, static_cast<long>(options_.low_speed_limit));
  set(CURLOPT_LOW_SPEED_TIME, static_cast<long>(options_.low_speed_time.count()));
  set(CURLOPT_SSL_VERIFYPEER, options_.verify_tls ? 1L : 0L);
  set(CURLOPT_SSL_VERIFYHOST, options_.verify_tls ? 2L : 0L);
  if (!options_.ca_bundle.empty()) set(CURLOPT_CAINFO, options_.ca_bundle.c_str());
  set(CURLOPT_USERAGENT, options_.user_agent.c_str());
  if (options_.follow_redirects) {
    set(CURLOPT_FOLLOWLOCATION, 1L);
    set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    set(CURLOPT_MAXREDIRS, 10L);
  }
  set(CURLOPT_SHARE, share_);
  set(CURLOPT_HEADERFUNCTION, &OnHeader);
  set(CURLOPT_HEADERDATA, &transfer);
  set(CURLOPT_WRITEFUNCTION, &OnBody);
  set(CURLOPT_WRITEDATA, &transfer);
  set(CURLOPT_HTTPHEADER, headers.get());

  const std::string& method = request.method;
  bool has_body = transfer.body_size > 0 || request.body_file.has_value();
  if (method == "HEAD") {
    set(CURLOPT_NOBODY, 1L);
  } else if (method == "GET" && !has_body) {
    set(CURLOPT_HTTPGET, 1L);
  } else if (has_body || method == "PUT" || method == "POST" || method == "PATCH") {
    set(CURLOPT_UPLOAD, 1L);
    set(CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(transfer.body_size));
    set(CURLOPT_READFUNCTION, &OnRead);
    set(CURLOPT_READDATA, &transfer);
    set(CURLOPT_SEEKFUNCTION, &OnSeek);
    set(CURLOPT_SEEKDATA, &transfer);
    set(CURLOPT_CUSTOMREQUEST, method.c_str());
  } else {
    set(CURLOPT_CUSTOMREQUEST, method.c_str());
  }
  if (rc != CURLE_OK) {
    return Status::Internal(fmt::format("cannot set up {} {}: {}", method, RedactUrl(request.url),
                                        curl_easy_strerror(rc)));
  }

  rc = curl_easy_perform(easy);
  // Nothing of this request may outlive it in the pooled handle.
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, nullptr);
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, nullptr);
  if (rc != CURLE_OK) return TransferError(rc, errbuf, request, transfer);
  long status = 0;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  transfer.response.status = static_cast<int>(status);
  return std::move(transfer.response);
}

}  // namespace

Result<std::unique_ptr<HttpClient>> NewCurlHttpClient(const ClientOptions& options) {
  CAIRN_RETURN_IF_ERROR(GlobalInit());
  auto client = std::make_unique<CurlHttpClient>(options);
  CAIRN_RETURN_IF_ERROR(client->Init());
  return std::unique_ptr<HttpClient>(std::move(client));
}

}  // namespace cairn::net
