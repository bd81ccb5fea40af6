#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "core/hash.h"
#include "core/json.h"
#include "core/strings.h"
#include "net/net.h"
#include "net/server.h"
#include "sys/temp_dir.h"

namespace cairn::net {
namespace {

using namespace std::chrono_literals;

std::unique_ptr<HttpClient> NewClient() {
  Result<std::unique_ptr<HttpClient>> client = NewCurlHttpClient();
  EXPECT_TRUE(client.ok()) << client.status().ToString();
  return std::move(*client);
}

core::Value ParseBody(const Response& response) {
  Result<core::Value> json = core::ParseJson(response.body, "response");
  EXPECT_TRUE(json.ok()) << json.status().ToString() << " in " << response.body;
  return json.ok() ? std::move(*json) : core::Value();
}

std::string Field(const core::Value& json, std::string_view key) {
  const core::Value* v = json.Find(key);
  return v != nullptr && v->is_string() ? v->AsString() : "<missing " + std::string(key) + ">";
}

// What a handler saw, as JSON: method, path, raw_path, params, query, user, remote_addr.
void Describe(const ServerRequest& request, ServerResponse& response) {
  core::Value out = core::Value::Mapping();
  out.AppendMember("method", core::Value::String(request.method));
  out.AppendMember("path", core::Value::String(request.path));
  out.AppendMember("raw_path", core::Value::String(request.raw_path));
  core::Value params = core::Value::Sequence();
  for (const std::string& p : request.path_params) params.Append(core::Value::String(p));
  out.AppendMember("params", std::move(params));
  core::Value query = core::Value::Sequence();
  for (const auto& [k, v] : request.query) query.Append(core::Value::String(k + "=" + v));
  out.AppendMember("query", std::move(query));
  out.AppendMember("remote_addr", core::Value::String(request.remote_addr));
  out.AppendMember("x_custom",
                   core::Value::String(std::string(request.Header("x-custom").value_or(""))));
  response.SetJson(200, core::ToJson(out));
}

// A plain TCP connection, for requests curl would not send the way a test needs.
class RawConnection {
 public:
  explicit RawConnection(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    timeval tv{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~RawConnection() { ::close(fd_); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return connected_; }

  bool Send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  struct Reply {
    int status = 0;  // 0: no response (EOF, timeout)
    std::string head;
    std::string body;
  };

  // Reads one response whose body has a Content-Length.
  Reply Read() {
    Reply reply;
    size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return reply;
    }
    reply.head = buffer_.substr(0, end + 4);
    buffer_.erase(0, end + 4);
    reply.status = static_cast<int>(core::ParseInt64(reply.head.substr(9, 3)).value_or(0));
    size_t length = 0;
    for (std::string_view line : core::SplitLines(reply.head)) {
      if (core::StartsWithIgnoreCase(line, "content-length:")) {
        length = static_cast<size_t>(core::ParseInt64(core::Trim(line.substr(15))).value_or(0));
      }
    }
    while (buffer_.size() < length) {
      if (!Fill()) return Reply{};
    }
    reply.body = buffer_.substr(0, length);
    buffer_.erase(0, length);
    return reply;
  }

 private:
  bool Fill() {
    char chunk[65536];
    ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  std::string buffer_;
};

class ServerTest : public ::testing::Test {
 protected:
  void Start(Router router, ServerOptions options = {}) {
    options.port = 0;
    Result<std::unique_ptr<HttpServer>> server = HttpServer::Start(options, std::move(router));
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
    ASSERT_NE(server_->port(), 0);
  }

  std::string Url(std::string_view path) const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + std::string(path);
  }

  Response Send(std::string method, std::string_view path, std::string body = "",
                Headers headers = {}) {
    Request request;
    request.method = std::move(method);
    request.url = Url(path);
    request.body = std::move(body);
    request.headers = std::move(headers);
    Result<Response> response = client_->Send(request);
    EXPECT_TRUE(response.ok()) << response.status().ToString();
    return response.ok() ? std::move(*response) : Response{};
  }

  // Declared first, destroyed last: the client closes its connections before the server
  // stops, so the server's workers are not left waiting on idle keep-alive connections.
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<HttpClient> client_ = NewClient();
};

Router HealthRouter() {
  Router router;
  router.Add("GET", "/health",
             [](const ServerRequest&, ServerResponse& response) { response.SetText(200, "OK"); });
  return router;
}

TEST_F(ServerTest, LiteralAndPatternRoutes) {
  Router router = HealthRouter();
  router.Add("GET", "/runs/{id}/metrics/{key}", Describe);
  router.Add("DELETE", "/artifacts/{path...}", Describe);
  Start(std::move(router));

  Response health = Send("GET", "/health");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "OK");
  EXPECT_EQ(health.Header("content-type"), "text/plain; charset=utf-8");

  Response metric = Send("GET", "/runs/r1/metrics/loss", "", {{"X-Custom", "v"}});
  ASSERT_EQ(metric.status, 200) << metric.body;
  EXPECT_EQ(metric.Header("content-type"), "application/json");
  core::Value seen = ParseBody(metric);
  EXPECT_EQ(Field(seen, "method"), "GET");
  EXPECT_EQ(Field(seen, "remote_addr"), "127.0.0.1");
  EXPECT_EQ(Field(seen, "x_custom"), "v") << "header names arrive lowercased";
  ASSERT_EQ(seen.Find("params")->size(), 2u);
  EXPECT_EQ(seen.Find("params")->items()[1].AsString(), "loss");

  Response artifact = Send("DELETE", "/artifacts/dir/file.txt");
  ASSERT_EQ(artifact.status, 200) << artifact.body;
  EXPECT_EQ(ParseBody(artifact).Find("params")->items()[0].AsString(), "dir/file.txt");
}

TEST_F(ServerTest, ParamsAreDecodedWhileRawPathKeepsTheEncodedDots) {
  Router router;
  router.Add("GET", "/files/{path...}", Describe);
  router.Add("GET", "/items/{id}", Describe);
  Start(std::move(router));

  Response response = Send("GET", "/files/x/%2e%2e/secret%20file");
  ASSERT_EQ(response.status, 200) << response.body;
  core::Value seen = ParseBody(response);
  EXPECT_EQ(Field(seen, "raw_path"), "/files/x/%2e%2e/secret%20file");
  EXPECT_EQ(Field(seen, "path"), "/files/x/../secret file");
  EXPECT_EQ(seen.Find("params")->items()[0].AsString(), "x/../secret file");

  Response slash = Send("GET", "/items/a%2Fb");
  ASSERT_EQ(slash.status, 200) << slash.body;
  EXPECT_EQ(ParseBody(slash).Find("params")->items()[0].AsString(), "a/b");
}

TEST_F(ServerTest, QueryParametersKeepOrderAndRepeats) {
  Router router;
  router.Add("GET", "/q", Describe);
  Start(std::move(router));
  Response response = Send("GET", "/q?tag=a&x=1+2&tag=b&amp=%26%3D&flag&&empty=");
  ASSERT_EQ(response.status, 200) << response.body;
  std::vector<std::string> query;
  core::Value seen = ParseBody(response);
  for (const core::Value& v : seen.Find("query")->items()) {
    query.push_back(v.AsString());
  }
  EXPECT_EQ(query,
            (std::vector<std::string>{"tag=a", "x=1 2", "tag=b", "amp=&=", "flag=", "empty="}));
}

TEST_F(ServerTest, JsonBodyRoundTrip) {
  Router router;
  router.Add("POST", "/echo", [](const ServerRequest& request, ServerResponse& response) {
    Result<core::Value> json = core::ParseJson(request.body, "request body");
    if (!json.ok()) return response.SetError(json.status());
    json->Set("content_type",
              core::Value::String(std::string(request.Header("content-type").value_or(""))));
    response.SetJson(201, core::ToJson(*json));
  });
  Start(std::move(router));

  std::string body =
      R"({"name":"exp \"1\"","tags":[{"key":"k","value":"é"}],"n":12345678901234567890})";
  Response response = Send("POST", "/echo", body, {{"Content-Type", "application/json"}});
  ASSERT_EQ(response.status, 201) << response.body;
  EXPECT_EQ(response.body,
            R"({"name":"exp \"1\"","tags":[{"key":"k","value":"é"}],"n":12345678901234567890,)"
            R"("content_type":"application/json"})");

  Response bad = Send("POST", "/echo", "{nope", {{"Content-Type", "application/json"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(Field(ParseBody(bad), "error_code"), "INVALID_PARAMETER_VALUE");
}

TEST_F(ServerTest, UnknownPathIs404JsonAndWrongMethodIs405) {
  Start(HealthRouter());
  Response missing = Send("GET", "/x");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.Header("content-type"), "application/json");
  EXPECT_EQ(missing.body, R"({"error_code":"ENDPOINT_NOT_FOUND","message":"No route for GET /x"})");
  EXPECT_FALSE(missing.Header("x-cairn-answered").has_value()) << "the internal marker is removed";

  Response wrong = Send("POST", "/health", "{}");
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.Header("allow"), "GET");
  EXPECT_EQ(Field(ParseBody(wrong), "error_code"), "ENDPOINT_NOT_FOUND");

  for (std::string method : {"PUT", "PATCH", "DELETE", "OPTIONS"}) {
    EXPECT_EQ(Send(method, "/health").status, 405) << method;
  }
  Response head = Send("HEAD", "/health");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.body, "");
  EXPECT_EQ(head.Header("content-length"), "2");
}

TEST_F(ServerTest, TooLargeBodyIs413AndTheServerGoesOn) {
  Router router = HealthRouter();
  router.Add("PUT", "/upload", [](const ServerRequest& request, ServerResponse& response) {
    response.SetText(200, std::to_string(request.body.size()));
  });
  std::vector<int> logged;
  std::mutex mu;
  ServerOptions options;
  options.max_body_bytes = 1000;
  options.on_response = [&](const ServerRequest&, const ServerResponse& response,
                            std::chrono::microseconds) {
    std::lock_guard lock(mu);
    logged.push_back(response.status);
  };
  Start(std::move(router), options);

  EXPECT_EQ(Send("PUT", "/upload", std::string(1000, 'x')).body, "1000");
  Response big = Send("PUT", "/upload", std::string(2000, 'x'));
  EXPECT_EQ(big.status, 413);
  core::Value error = ParseBody(big);
  EXPECT_EQ(Field(error, "error_code"), "BAD_REQUEST");
  EXPECT_NE(Field(error, "message").find("1000 bytes"), std::string::npos) << big.body;
  EXPECT_EQ(Send("GET", "/health").status, 200);

  // A client that asks first ("Expect: 100-continue") is refused before it sends the body.
  RawConnection raw(server_->port());
  ASSERT_TRUE(raw.connected());
  raw.Send(
      "PUT /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n");
  RawConnection::Reply reply = raw.Read();
  EXPECT_EQ(reply.status, 413) << reply.head;
  EXPECT_NE(reply.body.find("BAD_REQUEST"), std::string::npos) << reply.body;

  std::lock_guard lock(mu);
  EXPECT_EQ(logged, (std::vector<int>{200, 413, 200, 413})) << "httplib's answers are logged too";
}

TEST_F(ServerTest, MalformedRequestGets400Json) {
  Start(HealthRouter());
  RawConnection raw(server_->port());
  ASSERT_TRUE(raw.connected());
  raw.Send("NONSENSE\r\n\r\n");
  RawConnection::Reply reply = raw.Read();
  EXPECT_EQ(reply.status, 400) << reply.head;
  EXPECT_NE(reply.body.find("\"error_code\":\"BAD_REQUEST\""), std::string::npos) << reply.body;
}

TEST_F(ServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  Start(HealthRouter());
  RawConnection raw(server_->port());
  ASSERT_TRUE(raw.connected());
  for (int i = 0; i < 30; ++i) {
    ASSERT_TRUE(raw.Send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")) << "request " << i;
    RawConnection::Reply reply = raw.Read();
    ASSERT_EQ(reply.status, 200) << "request " << i << " on the same connection";
    EXPECT_EQ(reply.body, "OK");
    EXPECT_EQ(reply.head.find("Connection: close"), std::string::npos) << "request " << i;
  }
  // And the curl client reuses its connection across many requests.
  for (int i = 0; i < 50; ++i) {
    Response response = Send("GET", "/health");
    ASSERT_EQ(response.status, 200);
    EXPECT_NE(response.Header("connection"), "close") << "request " << i;
  }
}

TEST_F(ServerTest, AThrowingHandlerGets500AndTheServerKeepsServing) {
  Router router = HealthRouter();
  router.Add("GET", "/boom",
             [](const ServerRequest&, ServerResponse&) { throw std::runtime_error("kaboom"); });
  router.Add("GET", "/int", [](const ServerRequest&, ServerResponse&) { throw 42; });
  router.Add("GET", "/status",
             [](const ServerRequest&, ServerResponse& response) { response.status = 42; });
  Start(std::move(router));
  Response bad_status = Send("GET", "/status");
  EXPECT_EQ(bad_status.status, 500);
  EXPECT_NE(bad_status.body.find("the handler set HTTP status 42"), std::string::npos)
      << bad_status.body;
  for (int i = 0; i < 3; ++i) {
    Response boom = Send("GET", "/boom");
    EXPECT_EQ(boom.status, 500);
    core::Value error = ParseBody(boom);
    EXPECT_EQ(Field(error, "error_code"), "INTERNAL_ERROR");
    EXPECT_NE(Field(error, "message").find("kaboom"), std::string::npos) << boom.body;
    EXPECT_EQ(Send("GET", "/int").status, 500);
    EXPECT_EQ(Send("GET", "/health").status, 200);
  }
}

TEST_F(ServerTest, ServesEightThreadsAtOnce) {
  Router router;
  router.Add("GET", "/n/{n}", [](const ServerRequest& request, ServerResponse& response) {
    std::this_thread::sleep_for(1ms);
    response.SetText(200, request.path_params[0]);
  });
  Start(std::move(router));
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 40; ++i) {
        std::string n = std::to_string(t * 1000 + i);
        Request request;
        request.url = Url("/n/" + n);
        Result<Response> response = client_->Send(request);
        if (response.ok() && response->status == 200 && response->body == n) ++good;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(good.load(), 8 * 40);
}

TEST_F(ServerTest, StreamsABodyFile) {
  Result<sys::TempDir> dir = sys::TempDir::Create();
  ASSERT_TRUE(dir.ok());
  std::string path = dir->Path("big.bin");
  std::string content;
  content.reserve(5 << 20);
  for (int i = 0; i < (5 << 20); ++i) content += static_cast<char>((i * 31) ^ (i >> 9));
  std::ofstream(path, std::ios::binary) << content;

  std::vector<std::pair<std::string, int>> logged;
  std::mutex mu;
  ServerOptions options;
  options.on_response = [&](const ServerRequest& request, const ServerResponse& response,
                            std::chrono::microseconds) {
    std::lock_guard lock(mu);
    logged.emplace_back(request.method + " " + request.path, response.status);
  };
  Router router;
  router.Add("GET", "/file/{name}", [&](const ServerRequest& request, ServerResponse& response) {
    response.content_type = "application/octet-stream";
    response.headers.emplace_back("X-Name", request.path_params[0]);
    response.body_file = dir->Path(request.path_params[0]);
  });
  Start(std::move(router), options);

  Response response = Send("GET", "/file/big.bin");
  ASSERT_EQ(response.status, 200) << response.body.substr(0, 200);
  EXPECT_EQ(response.body.size(), content.size());
  EXPECT_EQ(core::Sha256Hex(response.body), core::Sha256Hex(content));
  EXPECT_EQ(response.Header("content-type"), "application/octet-stream");
  EXPECT_EQ(response.Header("x-name"), "big.bin");

  Response head = Send("HEAD", "/file/big.bin");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.Header("content-length"), std::to_string(content.size()));
  EXPECT_EQ(head.body, "");

  Response missing = Send("GET", "/file/missing.bin");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(Field(ParseBody(missing), "error_code"), "RESOURCE_DOES_NOT_EXIST");

  // Range requests are not applied by the server: the whole file comes back.
  Response ranged = Send("GET", "/file/big.bin", "", {{"Range", "bytes=0-9"}});
  EXPECT_EQ(ranged.status, 200);
  EXPECT_EQ(ranged.body.size(), content.size());

  client_.reset();  // closes the connection, so the last transfer is surely finished
  server_->Stop();
  server_->Wait();
  std::lock_guard lock(mu);
  EXPECT_EQ(logged, (std::vector<std::pair<std::string, int>>{{"GET /file/big.bin", 200},
                                                              {"HEAD /file/big.bin", 200},
                                                              {"GET /file/missing.bin", 404},
                                                              {"GET /file/big.bin", 200}}));
}

TEST_F(ServerTest, StopThenWaitReturnsAndThePortIsClosed) {
  ServerOptions options;
  options.keep_alive_timeout = 1s;
  Start(HealthRouter(), options);
  uint16_t port = server_->port();
  EXPECT_EQ(Send("GET", "/health").status, 200);  // the client keeps the connection open

  auto start = std::chrono::steady_clock::now();
  std::thread stopper([&] {
    std::this_thread::sleep_for(50ms);
    server_->Stop();
    server_->Stop();  // idempotent
  });
  server_->Wait();
  stopper.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s)
      << "an idle keep-alive connection delays the stop by keep_alive_timeout at most";
  server_->Wait();  // returns at once once stopped

  RawConnection raw(port);
  EXPECT_FALSE(raw.connected()) << "nothing listens on " << port << " any more";
  Request request;
  request.url = Url("/health");
  Result<Response> response = NewClient()->Send(request);
  EXPECT_FALSE(response.ok());
}

TEST_F(ServerTest, BindingAPortInUseIsAnIoError) {
  Start(HealthRouter());
  ServerOptions options;
  options.port = server_->port();
  Result<std::unique_ptr<HttpServer>> second = HttpServer::Start(options, HealthRouter());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), core::Code::kIoError);
  EXPECT_NE(second.status().message().find("127.0.0.1:" + std::to_string(server_->port())),
            std::string::npos)
      << second.status().ToString();
  EXPECT_EQ(Send("GET", "/health").status, 200) << "the first server is unharmed";
}

TEST_F(ServerTest, AuthenticatorRunsBeforeTheRouter) {
  Router router;
  router.Add("GET", "/who", [](const ServerRequest& request, ServerResponse& response) {
    response.SetText(200, request.user);
  });
  ServerOptions options;
  options.authenticate = [](ServerRequest& request, ServerResponse& response) {
    if (request.Header("x-user")) {
      request.user = std::string(*request.Header("x-user"));
      return true;
    }
    response.SetError(Status::Unauthenticated("who are you?"));
    return false;
  };
  Start(std::move(router), options);
  EXPECT_EQ(Send("GET", "/who", "", {{"X-User", "ada"}}).body, "ada");
  Response refused = Send("GET", "/who");
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(Field(ParseBody(refused), "error_code"), "UNAUTHENTICATED");
  EXPECT_EQ(Send("GET", "/nope").status, 401) << "even before a 404";
}

}  // namespace
}  // namespace cairn::net
