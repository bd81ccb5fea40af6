// `cairn server`: MLflow's tracking server (tracking, registry, artifact proxy) with MLflow's
// flag names, until SIGINT or SIGTERM; and `cairn server add-user`, which adds a user to the
// htpasswd file that --auth-file reads.
//
// `add-user` is an action word of `server`, not a CLI11 subcommand: a command with
// subcommands would read the value of `--port 5000` as a command word.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <pthread.h>
#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/command.h"
#include "net/server.h"
#include "server/server.h"

namespace cairn::cli {
namespace {

struct ServerOptions {
  server::ServerConfig config;
  std::vector<std::string> action;  // empty, or {"add-user", USER}
  bool password_stdin = false;
};

// "http://127.0.0.1:5000", brackets around an IPv6 host.
std::string ListenUrl(std::string_view host, uint16_t port) {
  if (host.find(':') != std::string_view::npos) return fmt::format("http://[{}]:{}", host, port);
  return fmt::format("http://{}:{}", host, port);
}

core::Status Serve(Context& ctx, const server::ServerConfig& config) {
  // Block the stop signals in every thread (the server's threads inherit the mask), and take
  // them synchronously here.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  sigset_t previous;
  pthread_sigmask(SIG_BLOCK, &stop_signals, &previous);

  core::Result<std::unique_ptr<server::Server>> started = server::StartServer(config);
  if (!started.ok()) {
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    return started.status();
  }
  std::unique_ptr<server::Server> running = std::move(*started);
  fmt::print(ctx.err, "cairn server listening on {}\n", ListenUrl(config.host, running->port()));
  std::fflush(ctx.err);

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  running->Stop();
  running->Wait();
  running.reset();
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  return core::Status::Ok();
}

// The password: a line from the terminal (not echoed), or everything on stdin without its
// final newline.
core::Result<std::string> ReadPassword(Context& ctx) {
  std::string password;
  if (::isatty(STDIN_FILENO)) {
    fmt::print(ctx.err, "Password: ");
    std::fflush(ctx.err);
    termios saved{};
    bool restore = ::tcgetattr(STDIN_FILENO, &saved) == 0;
    if (restore) {
      termios quiet = saved;
      quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
      ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
    std::getline(std::cin, password);
    if (restore) ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    fmt::print(ctx.err, "\n");
  } else {
    char buffer[4096];
    size_t n;
    while ((n = std::fread(buffer, 1, sizeof(buffer), stdin)) > 0) password.append(buffer, n);
    if (password.ends_with('\n')) password.pop_back();
    if (password.ends_with('\r')) password.pop_back();
  }
  if (password.empty()) {
    return UsageError("empty password",
                      "give the password on stdin: echo \"$PW\" | cairn server "
                      "add-user --auth-file FILE USER");
  }
  return password;
}

core::Status AddUser(Context& ctx, const ServerOptions& opts) {
  if (opts.action.size() != 2) {
    return UsageError("add-user takes one user name",
                      "cairn server add-user --auth-file FILE USER < password");
  }
  if (opts.config.auth_file.empty()) {
    return UsageError("add-user needs --auth-file FILE (the htpasswd file to write)");
  }
  core::Result<std::string> password = ReadPassword(ctx);
  if (!password.ok()) return password.status();
  CAIRN_RETURN_IF_ERROR(net::HtpasswdSetUser(opts.config.auth_file, opts.action[1], *password));
  fmt::print(ctx.err, "user '{}' saved in {}\n", opts.action[1], opts.config.auth_file);
  return core::Status::Ok();
}

core::Status RunServer(Context& ctx, const ServerOptions& opts) {
  if (opts.action.empty()) return Serve(ctx, opts.config);
  if (opts.action.front() == "add-user") return AddUser(ctx, opts);
  return UsageError(fmt::format("unknown action '{}' for 'cairn server'", opts.action.front()),
                    "the only action is add-user; run 'cairn server' alone to serve");
}

}  // namespace

void RegisterServerCommands(CLI::App& app, Context& ctx) {
  auto opts = std::make_shared<ServerOptions>();
  server::ServerConfig& config = opts->config;
  CLI::App* cmd = app.add_subcommand(
      "server",
      "Serve MLflow's tracking and registry API and artifact proxy (mlflow server's flags).\n"
      "`cairn server add-user --auth-file FILE USER` adds a user (password on stdin)");
  cmd->add_option("action", opts->action, "add-user USER: add or replace a user in --auth-file");
  cmd->add_option("--backend-store-uri", config.backend_store_uri,
                  "Where runs and experiments live")
      ->capture_default_str();
  cmd->add_option("--registry-store-uri", config.registry_store_uri,
                  "Where registered models live (default: the backend store)");
  cmd->add_option("--default-artifact-root", config.default_artifact_root,
                  "Root of new experiments' artifacts (default: mlflow-artifacts: when serving "
                  "artifacts, else ./mlruns)");
  cmd->add_option("--artifacts-destination", config.artifacts_destination,
                  "Where the artifact proxy keeps files (a directory or s3://bucket/prefix)")
      ->capture_default_str();
  server::ServerConfig* serve = &config;
  cmd->add_flag_callback(
      "--serve-artifacts", [serve] { serve->serve_artifacts = true; },
      "Serve the artifact proxy under /api/2.0/mlflow-artifacts (the default)");
  cmd->add_flag_callback(
      "--no-serve-artifacts", [serve] { serve->serve_artifacts = false; },
      "Do not: clients then write artifacts to --default-artifact-root themselves");
  cmd->add_option("--host", config.host, "The address to listen on")->capture_default_str();
  cmd->add_option("-p,--port", config.port, "The port to listen on (0: any free one)")
      ->capture_default_str();
  cmd->add_option("-w,--workers", config.workers, "Worker threads")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--auth-file", config.auth_file,
                  "An htpasswd file (bcrypt): require basic authentication by its users")
      ->envname("CAIRN_AUTH_FILE");
  cmd->add_flag("--durable", config.durable,
                "SQLite: make every commit survive a power loss (slower)");
  cmd->add_flag("--password-stdin", opts->password_stdin,
                "add-user: read the password from stdin (the default)");
  cmd->callback([&ctx, opts] { ctx.status = RunServer(ctx, *opts); });
}

}  // namespace cairn::cli
