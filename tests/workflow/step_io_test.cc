// step_io: file commands, workflow commands and shell command lines, as GitHub's runner reads
// and builds them.
#include "workflow/step_io.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace cairn::workflow {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

struct FileCase {
  const char* name;
  std::string content;
  Pairs expected;
};

TEST(ParseFileCommand, ReadsLinesAndHeredocsAsGitHubDoes) {
  const std::vector<FileCase> cases = {
      {"empty file", "", {}},
      {"one pair", "a=1\n", {{"a", "1"}}},
      {"no final newline", "a=1", {{"a", "1"}}},
      {"split at first =", "a=b=c\n", {{"a", "b=c"}}},
      {"empty value", "a=\n", {{"a", ""}}},
      {"empty lines skipped", "\n\na=1\n\nb=2\n", {{"a", "1"}, {"b", "2"}}},
      {"crlf", "a=1\r\nb=2\r\n", {{"a", "1"}, {"b", "2"}}},
      {"= before << is a pair", "a=x<<y\n", {{"a", "x<<y"}}},
      {"heredoc", "m<<EOF\nline1\nline2\nEOF\n", {{"m", "line1\nline2"}}},
      {"heredoc crlf", "m<<EOF\r\nline1\r\nline2\r\nEOF\r\n", {{"m", "line1\r\nline2"}}},
      {"heredoc delimiter ends file", "m<<EOF\nv\nEOF", {{"m", "v"}}},
      {"heredoc empty value", "m<<EOF\nEOF\n", {{"m", ""}}},
      {"heredoc keeps empty lines", "m<<EOF\n\nx\n\nEOF\n", {{"m", "\nx\n"}}},
      {"<< before = is a heredoc", "m<<a=b\nv\na=b\n", {{"m", "v"}}},
      {"delimiter must match the whole line", "m<<EOF\nEOF2\n EOF\nEOF\n", {{"m", "EOF2\n EOF"}}},
      {"heredoc then pair", "m<<X\n1\nX\nn=2\n", {{"m", "1"}, {"n", "2"}}},
  };
  for (const FileCase& c : cases) {
    core::Result<Pairs> got = ParseFileCommand(c.content, "GITHUB_OUTPUT");
    ASSERT_TRUE(got.ok()) << c.name << ": " << got.status().ToString();
    EXPECT_EQ(*got, c.expected) << c.name;
  }
}

TEST(ParseFileCommand, RejectsWhatGitHubRejects) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"=value\n", "name must not be empty"},
      {"<<EOF\nx\nEOF\n", "must not be empty"},
      {"name<<\nx\n\n", "must not be empty"},
      {"just text\n", "expected NAME=VALUE or NAME<<DELIMITER"},
      {"m<<EOF\nx\ny\n", "no line 'EOF'"},
      {"m<<EOF\nx", "without a newline"},
  };
  for (const auto& [content, message] : cases) {
    core::Result<Pairs> got = ParseFileCommand(content, "GITHUB_ENV");
    ASSERT_FALSE(got.ok()) << content;
    EXPECT_NE(got.status().message().find("GITHUB_ENV"), std::string::npos) << content;
    EXPECT_NE(got.status().message().find(message), std::string::npos)
        << content << " -> " << got.status().ToString();
  }
}

TEST(ParsePathFile, OneDirectoryPerLine) {
  EXPECT_EQ(ParsePathFile("/a\n\n/b\r\n/c"), (std::vector<std::string>{"/a", "/b", "/c"}));
  EXPECT_TRUE(ParsePathFile("").empty());
}

TEST(ParseWorkflowCommand, NamePropertiesAndEscapes) {
  std::optional<WorkflowCommand> c =
      ParseWorkflowCommand("  ::ERROR file=a%2Cb.py,line=3,title=T%3A x::bad%25%0Anext%0D");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->name, "error");
  EXPECT_EQ(c->properties["file"], "a,b.py");
  EXPECT_EQ(c->properties["line"], "3");
  EXPECT_EQ(c->properties["title"], "T: x");
  EXPECT_EQ(c->message, "bad%\nnext\r");

  EXPECT_FALSE(ParseWorkflowCommand("no command"));
  EXPECT_FALSE(ParseWorkflowCommand("::missing-end"));
  EXPECT_FALSE(ParseWorkflowCommand("::::x"));
  // %3A stays escaped in messages.
  EXPECT_EQ(ParseWorkflowCommand("::debug::a%3Ab")->message, "a%3Ab");
  EXPECT_EQ(ParseWorkflowCommand("::set-output name=x::")->message, "");
  // The legacy form, anywhere in the line.
  std::optional<WorkflowCommand> legacy =
      ParseWorkflowCommand("log: ##[warning file=a%3Bb.py;line=2]odd %5Dthing");
  ASSERT_TRUE(legacy);
  EXPECT_EQ(legacy->name, "warning");
  EXPECT_EQ(legacy->properties["file"], "a;b.py");
  EXPECT_EQ(legacy->properties["line"], "2");
  EXPECT_EQ(legacy->message, "odd ]thing");
  EXPECT_FALSE(ParseWorkflowCommand("##[not-a-command]x"));
  EXPECT_FALSE(ParseWorkflowCommand("##[unterminated"));
}

// Records what a CommandProcessor does.
class RecordingSink : public CommandSink {
 public:
  void Emit(LineKind kind, std::string_view line) override {
    lines.emplace_back(kind, std::string(line));
  }
  void AddMask(std::string_view v) override { masks.emplace_back(v); }
  void SetOutput(std::string_view n, std::string_view v) override { outputs.emplace_back(n, v); }
  void SaveState(std::string_view n, std::string_view v) override { state.emplace_back(n, v); }
  void ExportEnv(std::string_view n, std::string_view v) override { env.emplace_back(n, v); }
  void AddPath(std::string_view d) override { paths.emplace_back(d); }

  std::vector<std::string> Of(LineKind kind) const {
    std::vector<std::string> out;
    for (const auto& [k, l] : lines) {
      if (k == kind) out.push_back(l);
    }
    return out;
  }

  std::vector<std::pair<LineKind, std::string>> lines;
  std::vector<std::string> masks;
  Pairs outputs, state, env;
  std::vector<std::string> paths;
};

TEST(CommandProcessor, HandlesEachCommand) {
  RecordingSink sink;
  CommandProcessor p;
  for (const char* line : {
           "plain output",
           "::add-mask::s3cret",
           "::error file=train.py,line=3,col=5,title=Bad::loss is NaN",
           "::warning::careful%0Asecond line",
           "::notice title=Note::fyi",
           "::debug::details",
           "::group::Install",
           "::endgroup::",
           "::unknown-command::stays output",
           "::add-matcher::matcher.json",
       }) {
    p.ProcessLine(line, sink);
  }
  EXPECT_EQ(sink.masks, std::vector<std::string>{"s3cret"});
  EXPECT_EQ(sink.Of(LineKind::kOutput),
            (std::vector<std::string>{"plain output", "::unknown-command::stays output"}));
  EXPECT_EQ(sink.Of(LineKind::kAnnotation),
            (std::vector<std::string>{"Error: train.py:3:5: Bad: loss is NaN", "Warning: careful",
                                      "second line", "Notice: Note: fyi"}));
  EXPECT_EQ(sink.Of(LineKind::kDebug), std::vector<std::string>{"details"});
  EXPECT_EQ(sink.Of(LineKind::kCommand),
            (std::vector<std::string>{"##[group]Install", "##[endgroup]"}));
  EXPECT_EQ(p.failure(), "");
}

TEST(CommandProcessor, EmptyMaskWarns) {
  RecordingSink sink;
  CommandProcessor p;
  p.ProcessLine("::add-mask::", sink);
  EXPECT_TRUE(sink.masks.empty());
  ASSERT_EQ(sink.lines.size(), 1u);
  EXPECT_EQ(sink.lines[0].first, LineKind::kAnnotation);
}

TEST(CommandProcessor, StopCommandsUntilToken) {
  RecordingSink sink;
  CommandProcessor p;
  p.ProcessLine("::stop-commands::tok123", sink);
  p.ProcessLine("::add-mask::not-a-mask", sink);
  p.ProcessLine("::error::not an error", sink);
  p.ProcessLine("::tok123::", sink);
  p.ProcessLine("::add-mask::now-a-mask", sink);
  EXPECT_EQ(sink.masks, std::vector<std::string>{"now-a-mask"});
  EXPECT_EQ(sink.Of(LineKind::kOutput),
            (std::vector<std::string>{"::add-mask::not-a-mask", "::error::not an error"}));
  EXPECT_TRUE(sink.Of(LineKind::kAnnotation).empty());

  RecordingSink bad_sink;
  CommandProcessor bad;
  bad.ProcessLine("::stop-commands::error", bad_sink);
  EXPECT_NE(bad.failure(), "");
}

TEST(CommandProcessor, EchoShowsCommandsButNeverMasks) {
  RecordingSink sink;
  CommandProcessor p;
  p.ProcessLine("::echo::on", sink);
  p.ProcessLine("::debug::x", sink);
  p.ProcessLine("::add-mask::hidden", sink);
  p.ProcessLine("::echo::off", sink);
  p.ProcessLine("::debug::y", sink);
  EXPECT_EQ(sink.Of(LineKind::kCommand), (std::vector<std::string>{"::debug::x", "::echo::off"}));
}

TEST(CommandProcessor, DeprecatedAndUnsecureCommands) {
  RecordingSink sink;
  CommandProcessor p;
  p.ProcessLine("::set-output name=result::42", sink);
  p.ProcessLine("::save-state name=pid::7", sink);
  EXPECT_EQ(sink.outputs, (Pairs{{"result", "42"}}));
  EXPECT_EQ(sink.state, (Pairs{{"pid", "7"}}));
  EXPECT_EQ(sink.Of(LineKind::kAnnotation).size(), 2u);
  EXPECT_EQ(p.failure(), "");

  p.ProcessLine("::set-env name=A::1", sink);
  p.ProcessLine("::add-path::/opt/x", sink);
  EXPECT_TRUE(sink.env.empty());
  EXPECT_TRUE(sink.paths.empty());
  EXPECT_NE(p.failure().find("ACTIONS_ALLOW_UNSECURE_COMMANDS"), std::string::npos);

  RecordingSink allowed_sink;
  CommandProcessor allowed(/*allow_unsecure=*/true);
  allowed.ProcessLine("::set-env name=A::1", allowed_sink);
  allowed.ProcessLine("::add-path::/opt/x", allowed_sink);
  EXPECT_EQ(allowed_sink.env, (Pairs{{"A", "1"}}));
  EXPECT_EQ(allowed_sink.paths, std::vector<std::string>{"/opt/x"});
  EXPECT_EQ(allowed.failure(), "");
}

struct ShellCase {
  const char* shell;
  std::vector<std::string> args;  // argv after the resolved program
  const char* extension;
};

TEST(BuildShellCommand, GitHubsCommandLines) {
  const std::string path = "/usr/local/bin:/usr/bin:/bin";
  const std::vector<ShellCase> cases = {
      {"", {"-e", "/t/s"}, ".sh"},
      {"bash", {"--noprofile", "--norc", "-e", "-o", "pipefail", "/t/s"}, ".sh"},
      {"sh", {"-e", "/t/s"}, ".sh"},
      {"bash -x {0}", {"-x", "/t/s"}, ".sh"},
      {"sh -c 'echo hi; . {0}'", {"-c", "echo hi; . /t/s"}, ".sh"},
  };
  for (const ShellCase& c : cases) {
    core::Result<ShellCommand> got = BuildShellCommand(c.shell, path, "/t/s");
    ASSERT_TRUE(got.ok()) << c.shell << ": " << got.status().ToString();
    ASSERT_FALSE(got->argv.empty());
    EXPECT_EQ(std::vector<std::string>(got->argv.begin() + 1, got->argv.end()), c.args) << c.shell;
    EXPECT_EQ(got->extension, c.extension) << c.shell;
  }
  core::Result<ShellCommand> none = BuildShellCommand("", path, "/t/s");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->argv[0].ends_with("/bash"));
  EXPECT_TRUE(none->display.ends_with("/bash -e {0}")) << none->display;
  core::Result<ShellCommand> bash = BuildShellCommand("bash", path, "/t/s");
  EXPECT_TRUE(bash->display.ends_with("/bash --noprofile --norc -e -o pipefail {0}"));
}

TEST(BuildShellCommand, NoBashFallsBackToSh) {
  // A PATH with sh but no bash: make one.
  char dir_template[] = "/tmp/cairn-shell-XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  std::string dir = dir_template;
  std::string sh = FindOnPath("sh", "/usr/bin:/bin");
  ASSERT_FALSE(sh.empty());
  ASSERT_EQ(symlink(sh.c_str(), (dir + "/sh").c_str()), 0);
  core::Result<ShellCommand> got = BuildShellCommand("", dir, "/t/s");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->argv, (std::vector<std::string>{dir + "/sh", "-e", "/t/s"}));
  unlink((dir + "/sh").c_str());
  rmdir(dir.c_str());
}

TEST(BuildShellCommand, Errors) {
  core::Result<ShellCommand> no_placeholder = BuildShellCommand("perl -w", "/usr/bin:/bin", "/s");
  ASSERT_FALSE(no_placeholder.ok());
  EXPECT_NE(no_placeholder.status().message().find("{0}"), std::string::npos);
  core::Result<ShellCommand> missing =
      BuildShellCommand("no-such-shell-x {0}", "/usr/bin:/bin", "/s");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("not found on PATH"), std::string::npos);
  EXPECT_FALSE(BuildShellCommand("sh -c 'x {0}", "/usr/bin:/bin", "/s").ok());
}

TEST(ScriptExtension, ByShell) {
  EXPECT_EQ(ScriptExtension(""), ".sh");
  EXPECT_EQ(ScriptExtension("bash"), ".sh");
  EXPECT_EQ(ScriptExtension("python"), ".py");
  EXPECT_EQ(ScriptExtension("python {0}"), ".py");
  EXPECT_EQ(ScriptExtension("pwsh"), ".ps1");
  EXPECT_EQ(ScriptExtension("perl {0}"), "");
}

}  // namespace
}  // namespace cairn::workflow
