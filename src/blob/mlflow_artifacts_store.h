// Module-private: MlflowArtifactsStore, a BlobStore over the artifact proxy of an MLflow (or
// cairn) tracking server, over net::HttpClient. Requests (../shared/reference/mlflow-api.md
// section 8), with base = <server>/api/2.0/mlflow-artifacts/artifacts:
//   Check    GET base?path=<root>                    (200 proves the server and credentials)
//   Stat     GET base?path=<parent>, the key's entry
//   List     GET base?path=<dir> per directory: {"files": [{"path", "is_dir", "file_size"}]}
//            with basenames ({} for an empty or missing directory), recursing into directories
//   Get      GET base/<root>/<key>, streamed; after a transient failure the whole file is sent
//            again and the bytes the sink already has are skipped
//   Put      PUT base/<root>/<key> with the bytes (PutFile streams the file)
//   Delete   DELETE base/<root>/<key>
// MLflow answers a GET of a missing file with 500 (cairn with 404): a 500 is only retried when
// the parent's listing still shows the file, so a missing file is kNotFound at once.
//
// Thread-safe: the configuration never changes after construction, and the HttpClient is
// thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "blob/blob.h"
#include "net/net.h"

namespace cairn::blob {

class MlflowArtifactsStore final : public BlobStore {
 public:
  /// `server` is "scheme://host:port[/prefix]" (no userinfo, no trailing '/'); `root` a valid
  /// prefix without a trailing '/' ("" for the proxy's root); `auth` the Authorization header
  /// (or none); `env` gives the sizes of the files PutFile sends, and must outlive the store.
  MlflowArtifactsStore(std::string server, std::string root, net::Headers auth,
                       std::unique_ptr<net::HttpClient> http, net::RetryPolicy retry,
                       sys::Env& env);

  std::string Describe() const override;
  Status Check() override;
  Result<std::optional<BlobInfo>> Stat(std::string_view key) override;
  Result<std::vector<BlobInfo>> List(std::string_view prefix) override;
  Status Get(std::string_view key, const ChunkSink& sink) override;
  Status PutFile(std::string_view key, std::string_view path) override;
  Status Put(std::string_view key, std::string_view data) override;
  Status Delete(std::string_view key) override;

 private:
  struct Entry {
    std::string name;
    bool is_dir = false;
    uint64_t size = 0;
  };

  /// The path below the proxy of `key` (root prepended).
  std::string ProxyPath(std::string_view key) const;
  /// base/<root>/<key>, each segment percent-encoded.
  std::string ObjectUrl(std::string_view key) const;
  /// The request, with the credentials.
  net::Request Build(std::string method, std::string url) const;
  /// Sends with retries under `policy`; a 2xx answer or a status in `also_ok` is returned,
  /// anything else becomes the error naming the request.
  Result<net::Response> Send(const net::Request& request, const net::RetryPolicy& policy,
                             std::initializer_list<int> also_ok = {});
  /// The failure for a non-2xx answer to `request`.
  Status ErrorFor(const net::Request& request, const net::Response& response, int attempts) const;
  /// The entries of directory `dir` (relative to the root, "" for the root).
  Result<std::vector<Entry>> ListDir(std::string_view dir);
  Status ListUnder(const std::string& dir, std::string_view prefix, std::vector<BlobInfo>& out);

  const std::string server_;  // "http://127.0.0.1:5000"
  const std::string base_;    // server_ + "/api/2.0/mlflow-artifacts/artifacts"
  const std::string root_;    // "1/<run>/artifacts", or ""
  const net::Headers auth_;   // never printed
  const std::unique_ptr<net::HttpClient> http_;
  const net::RetryPolicy retry_;
  sys::Env& env_;
};

}  // namespace cairn::blob
