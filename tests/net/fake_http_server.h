// FakeHttpServer: a small HTTP/1.1 server on 127.0.0.1 for the HTTP client's tests (and the
// S3 store's tests of retries and resumed downloads). Each request is answered by a handler
// returning a scripted Reply, which can also delay the answer, cut the body short or close the
// connection, so the client's error paths can be reached on purpose.
//
// One thread accepts, one thread per connection serves requests (keep-alive). Requests must
// carry their body with Content-Length (the client always does). Header-only: tests/<m>/ only
// compiles *_test.cc files.
//
// Thread-safe: the handler runs on connection threads; accessors may be called from any thread.
// The destructor closes every connection and joins every thread.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/strings.h"

namespace cairn::testing {

class FakeHttpServer {
 public:
  struct Received {
    std::string method;
    std::string target;                          // path and query, as sent
    std::map<std::string, std::string> headers;  // names lowercased
    std::string body;
    int connection = 0;  // which accepted connection (1-based) carried it

    std::string Header(const std::string& name) const {
      auto it = headers.find(name);
      return it == headers.end() ? "" : it->second;
    }
  };

  struct Reply {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    /// Wait this long before answering.
    std::chrono::milliseconds delay{0};
    /// Send the headers (with the full Content-Length) but only this many body bytes, then
    /// close: a connection cut mid-body. Negative means send it all.
    long cut_body_at = -1;
    /// Close the connection after answering.
    bool close = false;
  };

  using Handler = std::function<Reply(const Received&)>;

  explicit FakeHttpServer(Handler handler) : handler_(std::move(handler)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listen_fd_, 64) != 0) {
      std::abort();
    }
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { AcceptLoop(); });
  }

  ~FakeHttpServer() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
      for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
    }
    stop_cv_.notify_all();
    ::shutdown(listen_fd_, SHUT_RDWR);
    acceptor_.join();
    ::close(listen_fd_);
    std::vector<std::thread> threads;
    {
      std::lock_guard lock(mu_);
      threads.swap(threads_);
    }
    for (std::thread& t : threads) t.join();
  }

  FakeHttpServer(const FakeHttpServer&) = delete;
  FakeHttpServer& operator=(const FakeHttpServer&) = delete;

  int port() const { return port_; }
  /// "http://127.0.0.1:<port><path>".
  std::string Url(std::string_view path = "/") const {
    return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
  }
  /// Connections accepted so far.
  int connections() const { return accepted_.load(); }
  /// Every request received so far, in order.
  std::vector<Received> requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  void AcceptLoop() {
    for (;;) {
      int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        return;  // shut down
      }
      int id = ++accepted_;
      int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      std::lock_guard lock(mu_);
      if (stopping_) {
        ::close(fd);
        return;
      }
      open_fds_.push_back(fd);
      threads_.emplace_back([this, fd, id] { Serve(fd, id); });
    }
  }

  static bool SendAll(int fd, std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Reads until `buffer` holds `n` bytes; false on EOF or error.
  static bool ReadAtLeast(int fd, std::string& buffer, size_t n) {
    char chunk[65536];
    while (buffer.size() < n) {
      ssize_t got = ::recv(fd, chunk, sizeof chunk, 0);
      if (got <= 0) return false;
      buffer.append(chunk, static_cast<size_t>(got));
    }
    return true;
  }

  void Serve(int fd, int id) {
    std::string buffer;
    for (;;) {
      size_t head_end;
      while ((head_end = buffer.find("\r\n\r\n")) == std::string::npos) {
        if (!ReadAtLeast(fd, buffer, buffer.size() + 1)) return Close(fd);
      }
      Received request;
      request.connection = id;
      std::vector<std::string_view> lines =
          core::SplitLines(std::string_view(buffer).substr(0, head_end));
      if (lines.empty()) return Close(fd);
      std::vector<std::string_view> words = core::Split(lines[0], ' ');
      if (words.size() < 3) return Close(fd);
      request.method = std::string(words[0]);
      request.target = std::string(words[1]);
      for (size_t i = 1; i < lines.size(); ++i) {
        size_t colon = lines[i].find(':');
        if (colon == std::string_view::npos) continue;
        request.headers[core::ToLower(lines[i].substr(0, colon))] =
            std::string(core::Trim(lines[i].substr(colon + 1)));
      }
      size_t length =
          static_cast<size_t>(core::ParseInt64(request.Header("content-length")).value_or(0));
      if (!ReadAtLeast(fd, buffer, head_end + 4 + length)) return Close(fd);
      request.body = buffer.substr(head_end + 4, length);
      buffer.erase(0, head_end + 4 + length);
      {
        std::lock_guard lock(mu_);
        requests_.push_back(request);
      }

      Reply reply = handler_(request);
      if (reply.delay.count() > 0) {
        std::unique_lock lock(mu_);
        if (stop_cv_.wait_for(lock, reply.delay, [this] { return stopping_; })) {
          lock.unlock();
          return Close(fd);
        }
      }
      std::string head = "HTTP/1.1 " + std::to_string(reply.status) + " Fake\r\n";
      bool has_length = false;
      for (const auto& [name, value] : reply.headers) {
        head += name + ": " + value + "\r\n";
        if (core::EqualsIgnoreCase(name, "content-length")) has_length = true;
      }
      if (!has_length) head += "Content-Length: " + std::to_string(reply.body.size()) + "\r\n";
      bool close = reply.close || reply.cut_body_at >= 0 ||
                   core::EqualsIgnoreCase(request.Header("connection"), "close");
      if (close) head += "Connection: close\r\n";
      head += "\r\n";
      std::string_view body = reply.body;
      if (request.method == "HEAD") body = {};
      if (reply.cut_body_at >= 0) body = body.substr(0, static_cast<size_t>(reply.cut_body_at));
      head += body;  // one write: no Nagle wait between the head and the body
      if (!SendAll(fd, head) || close) return Close(fd);
    }
  }

  void Close(int fd) {
    std::lock_guard lock(mu_);
    std::erase(open_fds_, fd);
    ::close(fd);
  }

  Handler handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<int> accepted_{0};
  std::thread acceptor_;

  mutable std::mutex mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;             // guarded by mu_
  std::vector<int> open_fds_;         // guarded by mu_
  std::vector<std::thread> threads_;  // guarded by mu_
  std::vector<Received> requests_;    // guarded by mu_
};

}  // namespace cairn::testing
