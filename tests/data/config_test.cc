#include "data/config.h"

#include <gtest/gtest.h>

#include "core/strings.h"
#include "sys/env.h"
#include "testing/mem_env.h"
#include "testing/paths.h"

namespace cairn::data {
namespace {

using core::Status;
using testing::MemEnv;

ConfigDocument MustParse(std::string_view text) {
  auto doc = ConfigDocument::Parse(text, ".dvc/config");
  EXPECT_TRUE(doc.ok()) << doc.status().ToString();
  return doc.ok() ? *doc : ConfigDocument();
}

std::string MustSerialize(const ConfigDocument& doc) {
  auto text = doc.Serialize();
  EXPECT_TRUE(text.ok()) << text.status().ToString();
  return text.ok() ? *text : "";
}

const ConfigValue& Value(const ConfigDocument& doc, std::string_view section,
                         std::string_view key) {
  static const ConfigValue kMissing = ConfigValue::Str("<missing>");
  const ConfigSection* s = doc.FindSection(section);
  const ConfigValue* v = s ? s->Find(key) : nullptr;
  return v ? *v : kMissing;
}

// --- Reading ---

TEST(ConfigDocumentTest, ReadsSectionsNamedSectionsAndLowercases) {
  ConfigDocument doc = MustParse(
      "# leading comment\n"
      "[Core]\n"
      "    Remote = MyRemote   # inline\n"
      "\n"
      "['remote \"MyRemote\"']\n"
      "    url = ../../remote\n"
      "[remote \"s3r\"]\n"
      "url=s3://bucket/prefix\n");
  ASSERT_EQ(doc.sections().size(), 1u);
  EXPECT_EQ(doc.sections()[0].name, "core");
  EXPECT_EQ(Value(doc, "core", "remote").text, "MyRemote");  // values keep their case
  EXPECT_EQ(Value(doc, "core", "remote").line, 3);
  ASSERT_EQ(doc.named(NamedKind::kRemote).size(), 2u);
  EXPECT_EQ(doc.named(NamedKind::kRemote)[0].name, "myremote");
  EXPECT_EQ(doc.named(NamedKind::kRemote)[1].name, "s3r");
  EXPECT_EQ(doc.named(NamedKind::kRemote)[1].Find("url")->text, "s3://bucket/prefix");
}

TEST(ConfigDocumentTest, ValuesAsConfigobjReadsThem) {
  ConfigDocument doc = MustParse(
      "[cache]\n"
      "    a = b # comment\n"
      "    b = \"b # not a comment\"\n"
      "    c = x, y\n"
      "    d = x,\n"
      "    e = ,\n"
      "    f =\n"
      "    g = http://h#frag\n"
      "    h = 'x,y'\n"
      "    i = x , y , z\n"
      "    j = \"\"\n"
      "    k = '''one\n"
      "two'''\n"
      "    l = \"\"\"x\"\"\"  # c\n");
  EXPECT_EQ(Value(doc, "cache", "a"), ConfigValue::Str("b"));
  EXPECT_EQ(Value(doc, "cache", "b"), ConfigValue::Str("b # not a comment"));
  EXPECT_EQ(Value(doc, "cache", "c"), ConfigValue::List({"x", "y"}));
  EXPECT_EQ(Value(doc, "cache", "d"), ConfigValue::List({"x"}));
  EXPECT_EQ(Value(doc, "cache", "e"), ConfigValue::List({}));
  EXPECT_EQ(Value(doc, "cache", "f"), ConfigValue::Str(""));
  EXPECT_EQ(Value(doc, "cache", "g"), ConfigValue::Str("http://h"));
  EXPECT_EQ(Value(doc, "cache", "h"), ConfigValue::Str("x,y"));
  EXPECT_EQ(Value(doc, "cache", "i"), ConfigValue::List({"x", "y", "z"}));
  EXPECT_EQ(Value(doc, "cache", "j"), ConfigValue::Str(""));
  EXPECT_EQ(Value(doc, "cache", "k"), ConfigValue::Str("one\ntwo"));
  EXPECT_EQ(Value(doc, "cache", "l"), ConfigValue::Str("x"));
  EXPECT_EQ(Value(doc, "cache", "l").line, 14);
  EXPECT_EQ(Value(doc, "cache", "c").Display(), "['x', 'y']");
}

TEST(ConfigDocumentTest, LaterDuplicateAfterLowercasingReplacesInPlace) {
  // configobj sees two sections; DVC's _lower_keys folds them (the later wins, first place).
  ConfigDocument doc = MustParse("[core]\n  a = 1\n[cache]\n  type = copy\n[CORE]\n  b = 2\n");
  ASSERT_EQ(doc.sections().size(), 2u);
  EXPECT_EQ(doc.sections()[0].name, "core");
  EXPECT_EQ(doc.sections()[0].Find("a"), nullptr);
  EXPECT_EQ(Value(doc, "core", "b").text, "2");
}

TEST(ConfigDocumentTest, ErrorsNameFileAndLine) {
  struct Case {
    std::string text;
    std::string message;
  };
  const Case cases[] = {
      {"[core]\n  remote\n", ".dvc/config:2: expected `[section]` or `key = value`, got 'remote'"},
      {"[core]\n[core]\n", ".dvc/config:2: duplicate section [core] (first at line 1)"},
      {"[core]\n a = 1\n a = 2\n",
       ".dvc/config:3: duplicate option 'a' in [core] (first at line 2)"},
      {"[core]\n a = \"x\" y\n",
       ".dvc/config:2: bad value '\"x\" y': unbalanced quotes or a "
       "malformed comma list"},
      {"[core]\n a = ,,\n",
       ".dvc/config:2: bad value ',,': unbalanced quotes or a malformed "
       "comma list"},
      {"a = 1\n", ".dvc/config:1: option 'a' is outside of any [section]"},
      {"[[core]]\n",
       ".dvc/config:1: nested section [[core]]: DVC config sections are one level "
       "deep"},
      {"[core]]\n", ".dvc/config:1: cannot compute the section depth: 1 '[' but 2 ']'"},
      {"[core]\n a = '''x\n", ".dvc/config:2: multi-line value opened with ''' is never closed"},
      {"[remote]\n url = x\n", ".dvc/config:1: section [remote] needs a name: ['remote \"NAME\"']"},
  };
  for (const Case& c : cases) {
    auto doc = ConfigDocument::Parse(c.text, ".dvc/config");
    ASSERT_FALSE(doc.ok()) << c.text;
    EXPECT_TRUE(doc.status().IsInvalidArgument());
    EXPECT_EQ(doc.status().message(), c.message) << c.text;
  }
}

// --- Writing ---

TEST(ConfigDocumentTest, WritesAsConfigobj) {
  ConfigDocument doc;
  ConfigSection& core = doc.GetOrAddSection("core");
  core.Set("remote", ConfigValue::Str("x"));
  core.Set("a", ConfigValue::List({"p", "q"}));
  core.Set("b", ConfigValue::List({"one"}));
  core.Set("c", ConfigValue::List({}));
  core.Set("d", ConfigValue::Str(""));
  core.Set("e", ConfigValue::Str(" lead"));
  core.Set("f", ConfigValue::Str("a,b"));
  core.Set("g", ConfigValue::Str("x#y"));
  core.Set("h", ConfigValue::Str("it's"));
  core.Set("i", ConfigValue::Str("say \"hi\""));
  core.Set("j", ConfigValue::Str("both ' \""));
  core.Set("k", ConfigValue::Str("multi\nline"));
  doc.GetOrAddNamed(NamedKind::kRemote, "r");
  // Bytes from configobj 5.0.8: ConfigObj({...}).write().
  EXPECT_EQ(MustSerialize(doc),
            "[core]\n"
            "    remote = x\n"
            "    a = p, q\n"
            "    b = one,\n"
            "    c = ,\n"
            "    d = \"\"\n"
            "    e = \" lead\"\n"
            "    f = \"a,b\"\n"
            "    g = \"x#y\"\n"
            "    h = it's\n"
            "    i = 'say \"hi\"'\n"
            "    j = '''both ' \"'''\n"
            "    k = '''multi\nline'''\n"
            "['remote \"r\"']\n");
  // ...and reads back the same.
  ConfigDocument again = MustParse(MustSerialize(doc));
  EXPECT_EQ(MustSerialize(again), MustSerialize(doc));
}

TEST(ConfigDocumentTest, EmptyDocumentIsOneNewline) {
  EXPECT_EQ(MustSerialize(ConfigDocument()), "\n");
  EXPECT_EQ(MustSerialize(MustParse("# only a comment\n[core]\n")), "\n");
}

TEST(ConfigDocumentTest, PlainSectionsBeforeNamedOnesNewOnesInSchemaOrder) {
  ConfigDocument doc = MustParse("['remote \"a\"']\n    url = x\n[cache]\n    type = copy\n");
  doc.GetOrAddSection("exp").Set("auto_push", ConfigValue::Str("true"));
  doc.GetOrAddSection("core").Set("remote", ConfigValue::Str("a"));
  EXPECT_EQ(MustSerialize(doc),
            "[cache]\n    type = copy\n[core]\n    remote = a\n[exp]\n    auto_push = true\n"
            "['remote \"a\"']\n    url = x\n");
}

TEST(ConfigDocumentTest, UnquotableValuesFail) {
  ConfigDocument doc;
  doc.GetOrAddSection("core").Set("a", ConfigValue::List({"both ' \""}));
  EXPECT_FALSE(doc.Serialize().ok());
}

// --- Levels, paths and edits ---

class ConfigEditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.SetVar("DVC_SYSTEM_CONFIG_DIR", "/etc-empty");
    env_.SetVar("DVC_GLOBAL_CONFIG_DIR", "/home-empty");
    env_.SetVar("HOME", "/home/u");
    ASSERT_TRUE(env_.CreateDirs("/T/repo/.dvc").ok());
    ASSERT_TRUE(env_.WriteFile("/T/repo/.dvc/config", "").ok());
  }

  Config Load(bool validate = false, std::string cwd = "/T/repo") {
    auto config = Config::Load(env_, DefaultConfigPaths(env_, "/T/repo"),
                               Config::Options{validate, std::move(cwd)});
    EXPECT_TRUE(config.ok()) << config.status().ToString();
    return std::move(config).value();
  }

  std::string Read(std::string_view path) { return env_.ReadFile(path).value_or("<absent>"); }

  MemEnv env_;
};

TEST_F(ConfigEditTest, DefaultPaths) {
  ConfigPaths paths = DefaultConfigPaths(env_, "/T/repo");
  EXPECT_EQ(paths.file(ConfigLevel::kSystem), "/etc-empty/config");
  EXPECT_EQ(paths.file(ConfigLevel::kGlobal), "/home-empty/config");
  EXPECT_EQ(paths.file(ConfigLevel::kRepo), "/T/repo/.dvc/config");
  EXPECT_EQ(paths.file(ConfigLevel::kLocal), "/T/repo/.dvc/config.local");
  MemEnv bare;
  bare.SetVar("HOME", "/home/u");
  paths = DefaultConfigPaths(bare, "");
  EXPECT_EQ(paths.file(ConfigLevel::kSystem), "/etc/xdg/dvc/config");
  EXPECT_EQ(paths.file(ConfigLevel::kGlobal), "/home/u/.config/dvc/config");
  EXPECT_EQ(paths.file(ConfigLevel::kRepo), "");
  bare.SetVar("XDG_CONFIG_HOME", "/xdg");
  bare.SetVar("XDG_CONFIG_DIRS", "/sys1:/sys2");
  paths = DefaultConfigPaths(bare, "");
  EXPECT_EQ(paths.file(ConfigLevel::kSystem), "/sys1/dvc/config");
  EXPECT_EQ(paths.file(ConfigLevel::kGlobal), "/xdg/dvc/config");
}

TEST_F(ConfigEditTest, LevelsMergeLaterWins) {
  ASSERT_TRUE(env_.CreateDirs("/etc-empty").ok());
  ASSERT_TRUE(env_.WriteFile("/etc-empty/config",
                             "[core]\n    remote = sys\n"
                             "    autostage = true\n")
                  .ok());
  ASSERT_TRUE(env_.WriteFile("/T/repo/.dvc/config",
                             "[core]\n    remote = Repo\n"
                             "['remote \"repo\"']\n    url = /r\n")
                  .ok());
  ASSERT_TRUE(
      env_.WriteFile("/T/repo/.dvc/config.local", "['remote \"repo\"']\n    jobs = 4\n").ok());
  Config config = Load(/*validate=*/true);
  EXPECT_EQ(config.default_remote(), "repo");  // lowercased, from the repo level
  EXPECT_EQ(config.Get("core", "autostage")->text, "true");
  auto remote = config.Remote("REPO");
  ASSERT_TRUE(remote.ok());
  EXPECT_EQ(remote->url, "/r");
  ASSERT_NE(remote->Find("jobs"), nullptr);
  EXPECT_EQ(remote->Find("jobs")->text, "4");
  EXPECT_EQ(config.Remote("nope").status().message(), "remote 'nope' doesn't exist.");
}

TEST_F(ConfigEditTest, RelativePathsResolveAgainstTheirFile) {
  ASSERT_TRUE(env_.WriteFile("/T/repo/.dvc/config",
                             "[cache]\n    dir = ../cache2\n"
                             "['remote \"l\"']\n    url = ../../remote\n"
                             "    keyfile = ~/k\n"
                             "['remote \"s\"']\n    url = s3://b/p\n")
                  .ok());
  Config config = Load();
  EXPECT_EQ(config.ResolvedPath("cache", "dir"), "/T/repo/cache2");
  EXPECT_EQ(config.Remote("l")->url, "/T/remote");
  EXPECT_EQ(config.Remote("l")->Find("keyfile")->text, "/home/u/k");
  EXPECT_EQ(config.Remote("s")->url, "s3://b/p");
}

TEST_F(ConfigEditTest, RemoteAddStoresUrlRelativeToTheConfigFile) {
  Config config = Load(false, "/T/repo/sub");
  ASSERT_TRUE(config.AddRemote(ConfigLevel::kRepo, "r", "../../remote", false, false).ok());
  // ../../remote from /T/repo/sub is /T/remote; from /T/repo/.dvc that is ../../remote.
  EXPECT_EQ(Read("/T/repo/.dvc/config"), "['remote \"r\"']\n    url = ../../remote\n");
  ASSERT_TRUE(config.ModifyRemote(ConfigLevel::kRepo, "r", "url", "data").ok());
  EXPECT_EQ(Read("/T/repo/.dvc/config"), "['remote \"r\"']\n    url = ../sub/data\n");
  ASSERT_TRUE(config.ModifyRemote(ConfigLevel::kRepo, "r", "url", "/abs/./x").ok());
  EXPECT_EQ(Read("/T/repo/.dvc/config"), "['remote \"r\"']\n    url = /abs/./x\n");
  ASSERT_TRUE(config.ModifyRemote(ConfigLevel::kRepo, "r", "url", "~/x").ok());
  EXPECT_EQ(Read("/T/repo/.dvc/config"), "['remote \"r\"']\n    url = ~/x\n");
  ASSERT_TRUE(config.SetOption(ConfigLevel::kRepo, "cache.dir", "../c").ok());
  EXPECT_EQ(Read("/T/repo/.dvc/config"),
            "[cache]\n    dir = ../c\n['remote \"r\"']\n    url = ~/x\n");
}

TEST_F(ConfigEditTest, AnEditNormalizesPathsAlreadyInTheFile) {
  ASSERT_TRUE(env_.WriteFile("/T/repo/.dvc/config",
                             "# dropped, as DVC drops it\n"
                             "['remote \"a\"']\n    url = ./x/../y/\n")
                  .ok());
  Config config = Load();
  ASSERT_TRUE(config.SetOption(ConfigLevel::kRepo, "core.autostage", "true").ok());
  EXPECT_EQ(Read("/T/repo/.dvc/config"),
            "[core]\n    autostage = true\n['remote \"a\"']\n    url = y\n");
}

TEST_F(ConfigEditTest, RemoteAddRefusesAnExistingNameUnlessForced) {
  Config config = Load();
  ASSERT_TRUE(config.AddRemote(ConfigLevel::kRepo, "r", "s3://a/b", false, false).ok());
  ASSERT_TRUE(config.ModifyRemote(ConfigLevel::kRepo, "r", "region", "eu").ok());
  Status st = config.AddRemote(ConfigLevel::kRepo, "R", "s3://c/d", false, false);
  EXPECT_TRUE(st.IsAlreadyExists());
  EXPECT_EQ(st.message(), "remote 'r' already exists. Use `-f|--force` to overwrite it.");
  ASSERT_TRUE(config.AddRemote(ConfigLevel::kRepo, "R", "s3://c/d", false, true).ok());
  EXPECT_EQ(Read("/T/repo/.dvc/config"), "['remote \"r\"']\n    url = s3://c/d\n");
}

TEST_F(ConfigEditTest, RemoteModifyNeedsTheRemoteAtOrBelowTheLevel) {
  Config config = Load();
  EXPECT_EQ(config.ModifyRemote(ConfigLevel::kLocal, "x", "jobs", "2").message(),
            "remote 'x' doesn't exist.");
  ASSERT_TRUE(config.AddRemote(ConfigLevel::kRepo, "x", "s3://b", false, false).ok());
  ASSERT_TRUE(config.ModifyRemote(ConfigLevel::kLocal, "x", "jobs", "2").ok());
  EXPECT_EQ(Read("/T/repo/.dvc/config.local"), "['remote \"x\"']\n    jobs = 2\n");
  // --unset leaves the (now empty) section, as DVC does.
  ASSERT_TRUE(config.ModifyRemote(ConfigLevel::kLocal, "x", "jobs", std::nullopt).ok());
  EXPECT_EQ(Read("/T/repo/.dvc/config.local"), "['remote \"x\"']\n");
}

TEST_F(ConfigEditTest, ValidationRefusesUnknownOptionsAndBadValues) {
  Config config = Load();
  ASSERT_TRUE(config.AddRemote(ConfigLevel::kRepo, "s", "s3://b/p", false, false).ok());
  Status st = config.ModifyRemote(ConfigLevel::kRepo, "s", "bogus", "1");
  ASSERT_FALSE(st.ok());
  EXPECT_TRUE(
      core::StartsWithIgnoreCase(st.message(),
                                 "/T/repo/.dvc/config: unknown option 'bogus' in remote 's' (s3); "
                                 "s3 remotes accept: region, profile,"))
      << st.message();
  EXPECT_EQ(config.SetOption(ConfigLevel::kRepo, "core.autostage", "yes").message(),
            "/T/repo/.dvc/config: core.autostage: expected true or false, got 'yes'");
  EXPECT_EQ(config.SetOption(ConfigLevel::kRepo, "cache.type", "reflink,bogus").message(),
            "/T/repo/.dvc/config: cache.type: unsupported cache type(s): bogus (expected "
            "reflink, symlink, hardlink, copy)");
  EXPECT_TRUE(core::StartsWithIgnoreCase(
      config.SetOption(ConfigLevel::kRepo, "nosuch.key", "1").message(),
      "/T/repo/.dvc/config: unknown config section [nosuch]; DVC knows: core, cache, state,"));
  EXPECT_TRUE(core::StartsWithIgnoreCase(
      config.SetOption(ConfigLevel::kRepo, "core.nosuch", "1").message(),
      "/T/repo/.dvc/config: unknown option 'nosuch' in [core]; [core] accepts: remote,"));
  EXPECT_EQ(config.AddRemote(ConfigLevel::kRepo, "f", "ftp://h/p", false, false).message(),
            "/T/repo/.dvc/config: remote.f.url: unsupported URL type ftp:// (DVC supports "
            "azure, gdrive, gs, hdfs, http, https, oss, s3, ssh, webdav, webdavs, webhdfs, "
            "remote, and local paths)");
  // Nothing was written by the failed edits.
  EXPECT_EQ(Read("/T/repo/.dvc/config"), "['remote \"s\"']\n    url = s3://b/p\n");
  // A remote:// remote accepts anything; feature accepts anything.
  EXPECT_TRUE(config.AddRemote(ConfigLevel::kRepo, "v", "remote://s/sub", false, false).ok());
  EXPECT_TRUE(config.ModifyRemote(ConfigLevel::kRepo, "v", "anything", "1").ok());
  EXPECT_TRUE(config.SetOption(ConfigLevel::kRepo, "feature.whatever", "1").ok());
}

TEST_F(ConfigEditTest, LoadValidatesWithFileAndLine) {
  ASSERT_TRUE(
      env_.WriteFile("/T/repo/.dvc/config", "[core]\n    remote = a\n    no_scm = maybe\n").ok());
  auto config = Config::Load(env_, DefaultConfigPaths(env_, "/T/repo"), {true, "/T/repo"});
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(),
            "/T/repo/.dvc/config:3: core.no_scm: expected true or false, got 'maybe'");
  ASSERT_TRUE(env_.WriteFile("/T/repo/.dvc/config", "['remote \"a\"']\n    jobs = 2\n").ok());
  config = Config::Load(env_, DefaultConfigPaths(env_, "/T/repo"), {true, "/T/repo"});
  EXPECT_EQ(config.status().message(),
            "/T/repo/.dvc/config:1: remote 'a' has no url (expected 'url')");
  // Without validation (DVC's `config` and `remote` commands) it loads.
  EXPECT_TRUE(Config::Load(env_, DefaultConfigPaths(env_, "/T/repo"), {false, "/T/repo"}).ok());
}

TEST_F(ConfigEditTest, RemoveRenameAndDefault) {
  Config config = Load();
  ASSERT_TRUE(config.AddRemote(ConfigLevel::kRepo, "a", "s3://a", true, false).ok());
  ASSERT_TRUE(config.AddRemote(ConfigLevel::kRepo, "b", "s3://b", false, false).ok());
  ASSERT_TRUE(config.SetDefaultRemote(ConfigLevel::kLocal, "a").ok());
  EXPECT_EQ(*config.GetDefaultRemote(std::nullopt), "a");
  EXPECT_EQ(config.SetDefaultRemote(ConfigLevel::kRepo, "zz").message(),
            "default remote must be present in remote list.");

  ASSERT_TRUE(config.RenameRemote(ConfigLevel::kRepo, "a", "c").ok());
  EXPECT_EQ(Read("/T/repo/.dvc/config"),
            "[core]\n    remote = c\n['remote \"b\"']\n    url = s3://b\n"
            "['remote \"c\"']\n    url = s3://a\n");
  EXPECT_EQ(Read("/T/repo/.dvc/config.local"), "[core]\n    remote = c\n");
  EXPECT_EQ(config.RenameRemote(ConfigLevel::kRepo, "b", "c").message(),
            "Rename failed. Remote name 'c' already exists.");

  ASSERT_TRUE(config.RemoveRemote(ConfigLevel::kRepo, "c").ok());
  EXPECT_EQ(Read("/T/repo/.dvc/config"), "['remote \"b\"']\n    url = s3://b\n");
  EXPECT_EQ(Read("/T/repo/.dvc/config.local"), "\n");
  EXPECT_EQ(config.GetDefaultRemote(std::nullopt).status().message(), "No default remote set");
  EXPECT_EQ(config.RemoveRemote(ConfigLevel::kRepo, "c").message(), "remote 'c' doesn't exist.");

  ASSERT_TRUE(config.SetDefaultRemote(ConfigLevel::kRepo, "B").ok());
  EXPECT_EQ(config.default_remote(), "b");
  ASSERT_TRUE(config.SetDefaultRemote(ConfigLevel::kRepo, std::nullopt).ok());
  EXPECT_EQ(config.default_remote(), "");
  auto listed = config.ListRemotes(std::nullopt);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].name, "b");
  EXPECT_EQ(listed[0].url, "s3://b");
  EXPECT_FALSE(listed[0].is_default);
}

TEST_F(ConfigEditTest, GetAndUnsetOption) {
  Config config = Load();
  ASSERT_TRUE(config.SetOption(ConfigLevel::kRepo, "cache.type", "copy").ok());
  ASSERT_TRUE(config.SetOption(ConfigLevel::kLocal, "Cache.Type", "symlink").ok());
  auto got = config.GetOption(std::nullopt, "cache.type");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->Format(true), ".dvc/config.local\tcache.type=symlink");
  got = config.GetOption(ConfigLevel::kRepo, "cache.type");
  EXPECT_EQ((*got)->value, "copy");
  EXPECT_FALSE(config.GetOption(std::nullopt, "cache.dir")->has_value());  // DVC prints nothing
  EXPECT_EQ(config.GetOption(ConfigLevel::kRepo, "cache.dir").status().message(),
            "option 'dir' doesn't exist in section 'cache'");
  EXPECT_EQ(config.GetOption(ConfigLevel::kRepo, "foo.bar").status().message(),
            "section 'foo' doesn't exist");
  EXPECT_EQ(config.GetOption(ConfigLevel::kRepo, "remote.x.url").status().message(),
            "remote 'x' doesn't exist");
  EXPECT_EQ(config.UnsetOption(ConfigLevel::kRepo, "core.remote").message(),
            "option 'remote' doesn't exist in section 'core'");
  ASSERT_TRUE(config.UnsetOption(ConfigLevel::kLocal, "cache.type").ok());
  EXPECT_EQ(Read("/T/repo/.dvc/config.local"), "\n");
  EXPECT_FALSE(ParseConfigName("a.b.c").ok());
  EXPECT_FALSE(ParseConfigName("nodot").ok());
}

TEST_F(ConfigEditTest, UnchangedLevelIsNotRewritten) {
  Config config = Load();
  ASSERT_TRUE(config.SetDefaultRemote(ConfigLevel::kLocal, std::nullopt).ok());
  EXPECT_FALSE(env_.Exists("/T/repo/.dvc/config.local"));
}

TEST_F(ConfigEditTest, OutsideARepoOnlySystemAndGlobal) {
  auto config = Config::Load(env_, DefaultConfigPaths(env_, ""), {true, "/"});
  ASSERT_TRUE(config.ok());
  EXPECT_FALSE(config->AddRemote(ConfigLevel::kRepo, "a", "s3://a", false, false).ok());
  ASSERT_TRUE(config->AddRemote(ConfigLevel::kGlobal, "a", "s3://a", false, false).ok());
  EXPECT_EQ(Read("/home-empty/config"), "['remote \"a\"']\n    url = s3://a\n");
}

TEST(ConfigSchemaTest, KnownKeysAreListed) {
  std::vector<std::string> keys = KnownConfigKeys();
  ASSERT_FALSE(keys.empty());
  EXPECT_EQ(keys[0].rfind("core: remote, checksum_jobs", 0), 0u) << keys[0];
}

// --- The fixture: real DVC 3.64.0's files after `config/input/commands.txt` ---

TEST(ConfigFixtureTest, CommandSequenceIsByteExact) {
  CAIRN_SHARED_DIR_OR_SKIP(shared);
  auto posix = sys::NewPosixEnv();
  const std::string dir = shared + "/conformance/dvc/config";
  auto expected = [&](std::string_view name) {
    auto text = posix->ReadFile(dir + "/expected/" + std::string(name));
    EXPECT_TRUE(text.ok()) << name;
    return text.value_or("");
  };

  MemEnv env;
  env.SetVar("DVC_SYSTEM_CONFIG_DIR", "/empty-system");
  env.SetVar("DVC_GLOBAL_CONFIG_DIR", "/empty-global");
  ASSERT_TRUE(env.CreateDirs("/T/repo/.dvc").ok());
  ASSERT_TRUE(env.WriteFile("/T/repo/.dvc/config", "").ok());  // what `dvc init` leaves
  auto load = [&] {
    return Config::Load(env, DefaultConfigPaths(env, "/T/repo"),
                        Config::Options{/*validate=*/false, "/T/repo"});
  };

  // The six commands of input/commands.txt, each in a fresh process as DVC runs them.
  auto commands = posix->ReadFile(dir + "/input/commands.txt");
  ASSERT_TRUE(commands.ok());
  EXPECT_EQ(core::SplitLines(*commands).size(), 6u);
  {
    auto c = load();
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE(c->AddRemote(ConfigLevel::kRepo, "myremote", "../remote", true, false).ok());
  }
  {
    auto c = load();
    ASSERT_TRUE(c->AddRemote(ConfigLevel::kRepo, "s3r", "s3://bucket/prefix", false, false).ok());
  }
  {
    auto c = load();
    ASSERT_TRUE(
        c->ModifyRemote(ConfigLevel::kRepo, "s3r", "endpointurl", "http://127.0.0.1:9000").ok());
  }
  {
    auto c = load();
    ASSERT_TRUE(c->ModifyRemote(ConfigLevel::kLocal, "s3r", "access_key_id", "X").ok());
  }
  {
    auto c = load();
    ASSERT_TRUE(c->ModifyRemote(ConfigLevel::kLocal, "s3r", "secret_access_key", "Y").ok());
  }
  {
    auto c = load();
    ASSERT_TRUE(c->SetOption(ConfigLevel::kRepo, "cache.type", "copy").ok());
  }
  EXPECT_EQ(env.ReadFile("/T/repo/.dvc/config").value_or(""), expected("config"));
  EXPECT_EQ(env.ReadFile("/T/repo/.dvc/config.local").value_or(""), expected("config.local"));

  // `config --list` and `config --list --show-origin`, with {ROOT} = /T.
  auto c = Config::Load(env, DefaultConfigPaths(env, "/T/repo"), {true, "/T/repo"});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  std::string list, list_origin;
  for (const ConfigListEntry& e : c->List(std::nullopt)) {
    list += e.Format(false) + "\n";
    list_origin += e.Format(true) + "\n";
  }
  EXPECT_EQ(list, core::ReplaceAll(expected("cmd/config-list.stdout"), "{ROOT}", "/T"));
  EXPECT_EQ(list_origin,
            core::ReplaceAll(expected("cmd/config-list-show-origin.stdout"), "{ROOT}", "/T"));
}

}  // namespace
}  // namespace cairn::data
