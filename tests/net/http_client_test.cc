#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <thread>

#include "core/hash.h"
#include "net/fake_http_server.h"
#include "net/net.h"
#include "sys/temp_dir.h"

namespace cairn::net {
namespace {

using namespace std::chrono_literals;
using testing::FakeHttpServer;
using Reply = FakeHttpServer::Reply;
using Received = FakeHttpServer::Received;

std::unique_ptr<HttpClient> NewClient(ClientOptions options = {}) {
  Result<std::unique_ptr<HttpClient>> client = NewCurlHttpClient(options);
  EXPECT_TRUE(client.ok()) << client.status().ToString();
  return std::move(*client);
}

Request Get(std::string url) {
  Request request;
  request.url = std::move(url);
  return request;
}

// A port on 127.0.0.1 that nothing listens on (bound, then closed).
int ClosedPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// Echoes what it received: method, target, the length and SHA-256 of the body.
Reply Echo(const Received& r) {
  Reply reply;
  reply.headers = {{"X-Method", r.method}, {"X-Target", r.target}, {"Content-Type", "text/plain"}};
  reply.body = std::to_string(r.body.size()) + " " + core::Sha256Hex(r.body);
  return reply;
}

TEST(HttpClientTest, GetCollectsStatusHeadersAndBody) {
  FakeHttpServer server([](const Received& r) {
    Reply reply;
    reply.status = 203;
    reply.headers = {{"X-Answer", "  forty two  "}, {"X-Target", r.target}};
    reply.body = "hello";
    return reply;
  });
  auto client = NewClient();
  Result<Response> response = client->Send(Get(server.Url("/a/b%20c?x=1&y=")));
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 203);
  EXPECT_TRUE(response->ok());
  EXPECT_EQ(response->body, "hello");
  EXPECT_EQ(response->Header("x-answer"), "forty two");
  EXPECT_EQ(response->Header("X-ANSWER"), "forty two");  // names ignore case
  EXPECT_EQ(response->Header("x-target"), "/a/b%20c?x=1&y=");
  EXPECT_FALSE(response->Header("x-missing").has_value());
}

TEST(HttpClientTest, PathIsSentAsIsWithoutFoldingDotSegments) {
  FakeHttpServer server(Echo);
  auto client = NewClient();
  Result<Response> response = client->Send(Get(server.Url("/a/./b/../c")));
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->Header("x-target"), "/a/./b/../c");
}

TEST(HttpClientTest, HttpErrorStatusIsAResponseNotAFailure) {
  FakeHttpServer server([](const Received&) {
    Reply reply;
    reply.status = 404;
    reply.body = "<Error><Code>NoSuchKey</Code></Error>";
    return reply;
  });
  auto client = NewClient();
  Result<Response> response = client->Send(Get(server.Url()));
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 404);
  EXPECT_FALSE(response->ok());
  EXPECT_EQ(response->body, "<Error><Code>NoSuchKey</Code></Error>");
}

TEST(HttpClientTest, HeadHasNoBodyButKeepsContentLength) {
  FakeHttpServer server([](const Received& r) {
    Reply reply;
    reply.body = r.method == "HEAD" ? std::string(1234, 'x') : "";
    return reply;
  });
  auto client = NewClient();
  Request request = Get(server.Url());
  request.method = "HEAD";
  Result<Response> response = client->Send(request);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->Header("content-length"), "1234");
  EXPECT_EQ(response->body, "");
  EXPECT_EQ(server.requests().at(0).method, "HEAD");
}

TEST(HttpClientTest, SendsMethodHeadersAndStringBody) {
  FakeHttpServer server(Echo);
  auto client = NewClient();
  for (std::string method : {"PUT", "POST", "PATCH", "DELETE"}) {
    Request request = Get(server.Url("/obj"));
    request.method = method;
    request.headers = {{"X-Custom", "v 1"}, {"X-Empty", ""}, {"Host", "example.test:99"}};
    request.body = method == "DELETE" ? "" : "payload for " + method;
    Result<Response> response = client->Send(request);
    ASSERT_TRUE(response.ok()) << method << ": " << response.status().ToString();
    EXPECT_EQ(response->Header("x-method"), method);
    EXPECT_EQ(response->body,
              std::to_string(request.body.size()) + " " + core::Sha256Hex(request.body));
    Received received = server.requests().back();
    EXPECT_EQ(received.Header("x-custom"), "v 1");
    EXPECT_TRUE(received.headers.count("x-empty")) << "an empty value is still sent";
    EXPECT_EQ(received.Header("host"), "example.test:99") << "a given Host replaces curl's";
    EXPECT_FALSE(received.headers.count("expect")) << "no 100-continue round trip";
  }
}

TEST(HttpClientTest, EmptyPutAndPostSendContentLengthZero) {
  FakeHttpServer server(Echo);
  auto client = NewClient();
  for (std::string method : {"PUT", "POST"}) {
    Request request = Get(server.Url());
    request.method = method;
    ASSERT_TRUE(client->Send(request).ok());
    EXPECT_EQ(server.requests().back().Header("content-length"), "0") << method;
  }
}

TEST(HttpClientTest, StreamsABodyFromAFileRange) {
  Result<sys::TempDir> dir = sys::TempDir::Create();
  ASSERT_TRUE(dir.ok());
  std::string path = dir->Path("data.bin");
  std::string content;
  for (int i = 0; i < 300'000; ++i) content += static_cast<char>('a' + i % 26);
  std::ofstream(path, std::ios::binary) << content;

  FakeHttpServer server(Echo);
  auto client = NewClient();
  for (auto [offset, length] : std::vector<std::pair<uint64_t, uint64_t>>{
           {0, content.size()}, {1000, 5}, {77'777, 200'000}, {content.size(), 0}}) {
    Request request = Get(server.Url("/part"));
    request.method = "PUT";
    request.body_file = FileRange{path, offset, length};
    Result<Response> response = client->Send(request);
    ASSERT_TRUE(response.ok()) << response.status().ToString();
    std::string expected = content.substr(offset, length);
    EXPECT_EQ(response->body, std::to_string(length) + " " + core::Sha256Hex(expected))
        << "offset " << offset;
  }
}

TEST(HttpClientTest, AFileRangeBeyondTheFileIsRejectedBeforeSending) {
  Result<sys::TempDir> dir = sys::TempDir::Create();
  ASSERT_TRUE(dir.ok());
  std::string path = dir->Path("small");
  std::ofstream(path) << "0123456789";
  FakeHttpServer server(Echo);
  auto client = NewClient();
  Request request = Get(server.Url());
  request.method = "PUT";
  request.body_file = FileRange{path, 5, 10};
  Result<Response> response = client->Send(request);
  ASSERT_FALSE(response.ok());
  EXPECT_TRUE(response.status().IsInvalidArgument());
  EXPECT_NE(response.status().message().find(path), std::string::npos);
  EXPECT_EQ(server.requests().size(), 0u);

  request.body_file = FileRange{dir->Path("missing"), 0, 1};
  response = client->Send(request);
  ASSERT_FALSE(response.ok());
  EXPECT_TRUE(response.status().IsNotFound());
}

TEST(HttpClientTest, SinkReceivesASuccessfulBodyInOrder) {
  std::string big;
  for (int i = 0; i < 1'000'000; ++i) big += static_cast<char>(i * 7);
  FakeHttpServer server([&](const Received&) {
    Reply reply;
    reply.body = big;
    reply.headers = {{"ETag", "\"abc\""}};
    return reply;
  });
  auto client = NewClient();
  Request request = Get(server.Url());
  std::string got;
  int chunks = 0;
  std::vector<std::string> events;
  request.on_headers = [&](const Response& head) {
    events.push_back("headers " + std::to_string(head.status) + " " +
                     std::string(head.Header("etag").value_or("")));
    return Status::Ok();
  };
  request.sink = [&](std::string_view chunk) {
    if (chunks++ == 0) events.push_back("body");
    got.append(chunk);
    return Status::Ok();
  };
  Result<Response> response = client->Send(request);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->body, "") << "the body went to the sink";
  EXPECT_EQ(got, big);
  EXPECT_GT(chunks, 1);
  EXPECT_EQ(events, (std::vector<std::string>{"headers 200 \"abc\"", "body"}));
}

TEST(HttpClientTest, SinkFailureStopsTheTransferAndIsReturned) {
  FakeHttpServer server([](const Received&) {
    Reply reply;
    reply.body = std::string(4 << 20, 'z');
    return reply;
  });
  auto client = NewClient();
  Request request = Get(server.Url());
  size_t received = 0;
  request.sink = [&](std::string_view chunk) {
    received += chunk.size();
    return received > 100'000 ? Status::IoError("disk full") : Status::Ok();
  };
  Result<Response> response = client->Send(request);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status(), Status::IoError("disk full"));
  EXPECT_LT(received, size_t{4 << 20});

  request.sink = [](std::string_view) -> Status { throw std::runtime_error("boom"); };
  response = client->Send(request);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), core::Code::kInternalError);
  EXPECT_NE(response.status().message().find("boom"), std::string::npos);

  request.sink = [](std::string_view) { return Status::Ok(); };
  request.on_headers = [](const Response&) { return Status::Cancelled("not wanted"); };
  response = client->Send(request);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status(), Status::Cancelled("not wanted"));
}

TEST(HttpClientTest, ErrorBodyIsCollectedEvenWithASink) {
  FakeHttpServer server([](const Received&) {
    Reply reply;
    reply.status = 503;
    reply.body = "<Error><Code>SlowDown</Code></Error>" + std::string(2 * kMaxErrorBodyBytes, ' ');
    return reply;
  });
  auto client = NewClient();
  Request request = Get(server.Url());
  bool sink_called = false;
  request.sink = [&](std::string_view) {
    sink_called = true;
    return Status::Ok();
  };
  request.on_headers = [&](const Response&) {
    sink_called = true;
    return Status::Ok();
  };
  Result<Response> response = client->Send(request);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 503);
  EXPECT_FALSE(sink_called);
  EXPECT_TRUE(response->body.starts_with("<Error><Code>SlowDown</Code></Error>"));
  EXPECT_EQ(response->body.size(), kMaxErrorBodyBytes) << "capped";
}

TEST(HttpClientTest, SequentialRequestsReuseOneConnection) {
  FakeHttpServer server(Echo);
  auto client = NewClient();
  for (int i = 0; i < 20; ++i) {
    Request request = Get(server.Url("/" + std::to_string(i)));
    if (i % 2 == 1) {
      request.method = "PUT";
      request.body = "x";
    }
    Result<Response> response = client->Send(request);
    ASSERT_TRUE(response.ok()) << response.status().ToString();
  }
  EXPECT_EQ(server.connections(), 1);
}

TEST(HttpClientTest, AClosedConnectionIsReplacedTransparently) {
  std::atomic<int> n{0};  // connections are served on different threads
  FakeHttpServer server([&](const Received& r) {
    Reply reply = Echo(r);
    reply.close = ++n % 2 == 0;  // every other answer closes the connection
    return reply;
  });
  auto client = NewClient();
  for (int i = 0; i < 6; ++i) {
    Request request = Get(server.Url());
    request.method = "PUT";
    request.body = "body " + std::to_string(i);
    Result<Response> response = client->Send(request);
    ASSERT_TRUE(response.ok()) << i << ": " << response.status().ToString();
  }
  EXPECT_EQ(server.connections(), 3);
}

TEST(HttpClientTest, ParallelRequestsFromManyThreads) {
  FakeHttpServer server(Echo);
  auto client = NewClient();
  constexpr int kThreads = 8;
  constexpr int kPerThread = 25;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        Request request = Get(server.Url("/t" + std::to_string(t)));
        request.method = "PUT";
        request.body = std::string(static_cast<size_t>(t * 1000 + i), 'p');
        Result<Response> response = client->Send(request);
        if (!response.ok() || response->body != std::to_string(request.body.size()) + " " +
                                                    core::Sha256Hex(request.body)) {
          ++failures;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(server.requests().size(), size_t{kThreads * kPerThread});
  EXPECT_LE(server.connections(), kThreads + 2) << "connections are pooled, not one per request";
}

TEST(HttpClientTest, ConnectionRefusedIsTemporarilyUnavailableNamingHostPort) {
  int port = ClosedPort();
  auto client = NewClient();
  auto start = std::chrono::steady_clock::now();
  Result<Response> response =
      client->Send(Get("http://127.0.0.1:" + std::to_string(port) + "/b/k?secret=s3cr3t"));
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), core::Code::kTemporarilyUnavailable);
  std::string message = response.status().message();
  EXPECT_NE(message.find("cannot connect to 127.0.0.1:" + std::to_string(port)), std::string::npos)
      << message;
  EXPECT_NE(message.find("GET http://127.0.0.1:" + std::to_string(port) + "/b/k"),
            std::string::npos)
      << message;
  EXPECT_EQ(message.find("s3cr3t"), std::string::npos) << "the query is not shown: " << message;
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST(HttpClientTest, UnknownHostIsTemporarilyUnavailable) {
  ClientOptions options;
  options.connect_timeout = 5s;
  auto client = NewClient(options);
  Result<Response> response = client->Send(Get("http://no-such-host.invalid:8080/x"));
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), core::Code::kTemporarilyUnavailable);
  EXPECT_NE(response.status().message().find("no-such-host.invalid:8080"), std::string::npos)
      << response.status().message();
}

TEST(HttpClientTest, TimeoutIsTemporarilyUnavailable) {
  FakeHttpServer server([](const Received&) {
    Reply reply;
    reply.delay = 3s;
    return reply;
  });
  auto client = NewClient();
  Request request = Get(server.Url("/slow"));
  request.timeout = 200ms;
  auto start = std::chrono::steady_clock::now();
  Result<Response> response = client->Send(request);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), core::Code::kTemporarilyUnavailable);
  EXPECT_NE(response.status().message().find("timed out"), std::string::npos)
      << response.status().message();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST(HttpClientTest, StalledTransferFailsAfterTheLowSpeedTime) {
  FakeHttpServer server([](const Received&) {
    Reply reply;
    reply.delay = 4s;
    return reply;
  });
  ClientOptions options;
  options.low_speed_time = 1s;
  auto client = NewClient(options);
  auto start = std::chrono::steady_clock::now();
  Result<Response> response = client->Send(Get(server.Url()));
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), core::Code::kTemporarilyUnavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3500ms);
}

TEST(HttpClientTest, BodyCutShortIsTemporarilyUnavailable) {
  FakeHttpServer server([](const Received&) {
    Reply reply;
    reply.body = std::string(10000, 'b');
    reply.cut_body_at = 100;
    return reply;
  });
  auto client = NewClient();
  Result<Response> response = client->Send(Get(server.Url()));
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), core::Code::kTemporarilyUnavailable)
      << response.status().ToString();
}

TEST(HttpClientTest, RejectsBadRequestsBeforeSending) {
  auto client = NewClient();
  Result<Response> response = client->Send(Get("ftp://example.com/x"));
  EXPECT_TRUE(response.status().IsInvalidArgument()) << response.status().ToString();
  response = client->Send(Get("file:///etc/passwd"));
  EXPECT_TRUE(response.status().IsInvalidArgument()) << response.status().ToString();
  response = client->Send(Get("not a url"));
  EXPECT_TRUE(response.status().IsInvalidArgument()) << response.status().ToString();

  FakeHttpServer server(Echo);
  Request request = Get(server.Url());
  request.headers = {{"X-Bad", "a\r\nX-Injected: 1"}};
  response = client->Send(request);
  EXPECT_TRUE(response.status().IsInvalidArgument()) << response.status().ToString();
  request.headers = {{"Bad Name", "v"}};
  response = client->Send(request);
  EXPECT_TRUE(response.status().IsInvalidArgument()) << response.status().ToString();
  EXPECT_EQ(server.requests().size(), 0u);
}

TEST(UrlTest, RedactUrlDropsUserinfoQueryAndFragment) {
  EXPECT_EQ(RedactUrl("https://user:pa55@host:8443/a/b?token=x#frag"), "https://host:8443/a/b");
  EXPECT_EQ(RedactUrl("http://host"), "http://host");
  EXPECT_EQ(RedactUrl("http://host?x=1"), "http://host");
  EXPECT_EQ(RedactUrl("http://[::1]:5000/p"), "http://[::1]:5000/p");
}

TEST(UrlTest, HostPortAddsTheDefaultPort) {
  EXPECT_EQ(HostPort("http://example.com/x"), "example.com:80");
  EXPECT_EQ(HostPort("https://example.com"), "example.com:443");
  EXPECT_EQ(HostPort("HTTPS://u:p@example.com:8443/x"), "example.com:8443");
  EXPECT_EQ(HostPort("http://[::1]/x"), "[::1]:80");
  EXPECT_EQ(HostPort("http://[::1]:9000/x"), "[::1]:9000");
}

}  // namespace
}  // namespace cairn::net
