// DVC's configuration: `.dvc/config`, `.dvc/config.local` and the global and system files
// (docs/formats/dvc-config.md). Owns the configobj-compatible reader and writer
// (ConfigDocument), DVC's schema of known sections and options, the merge of the four levels,
// and the edits behind `remote add|modify|remove|rename|default|list` and `config`.
//
// The reader accepts what configobj 5.0.8 (the version DVC 3.64 runs on Debian 12) accepts:
// `[section]` and `['remote "name"']` / `[remote "name"]` headers, `key = value` lines, `#`
// comments, quoted values, comma lists, `'''`/`"""` multi-line values. Section and option
// names are lowercased as DVC does on load. The writer reproduces configobj's bytes: plain
// sections first (in the order DVC keeps them), then `remote`, `machine` and `db` sections,
// 4-space indented `key = value`, quoting only where configobj quotes; comments are dropped,
// as DVC drops them whenever it rewrites a file.
//
// Paths: relative values of path options (remote `url`, `cache.dir`, ...) are relative to the
// directory of the file that holds them. A relative path given to an edit is relative to the
// caller's working directory and is stored relative to the file's directory; `scheme://`
// values, absolute paths and `~` paths are kept as given.
//
// A Config is a value: it holds the parsed levels, not open files. It is not synchronized.
// Edits write through sys::Env::WriteFile (atomic, durable) and then update the object.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "sys/env.h"

namespace cairn::data {

/// A value as configobj reads it: a string, or a list of strings (`a, b`, `a,`, `,`).
struct ConfigValue {
  bool is_list = false;
  std::string text;                // when !is_list
  std::vector<std::string> items;  // when is_list
  int line = 0;                    // where it was read; 0 when set by an edit

  static ConfigValue Str(std::string s);
  static ConfigValue List(std::vector<std::string> items);
  /// As DVC prints it (Python's str()): the string, or a list's repr "['a', 'b']".
  std::string Display() const;
  friend bool operator==(const ConfigValue& a, const ConfigValue& b) {
    return a.is_list == b.is_list && a.text == b.text && a.items == b.items;
  }
};

struct ConfigOption {
  std::string key;  // lowercased when read from a file
  ConfigValue value;
};

/// One section: `[core]`, or the body of `['remote "name"']`.
struct ConfigSection {
  /// "core", "cache"...; for a named section the name between the double quotes.
  std::string name;
  /// Line of the header; 0 for a section created by an edit (see ConfigDocument::Serialize).
  int line = 0;
  std::vector<ConfigOption> options;  // in the order read or added

  const ConfigValue* Find(std::string_view key) const;
  /// Replaces the value of `key` in place, or appends it.
  void Set(std::string_view key, ConfigValue value);
  /// Removes `key`; false when it was absent.
  bool Erase(std::string_view key);
};

/// The three kinds of named sections, written `['<kind> "<name>"']`.
enum class NamedKind { kRemote, kMachine, kDb };
/// "remote", "machine", "db".
std::string_view NamedKindName(NamedKind kind);

/// One config file as DVC holds it between reading and writing it.
class ConfigDocument {
 public:
  /// Parses configobj text. An empty text is an empty document. Errors are InvalidArgument
  /// "<filename>:<line>: <what is wrong>" (configobj's errors: a line that is neither a section
  /// nor `key = value`, a duplicate section or option, a bad quote, nested `[[sections]]`).
  static core::Result<ConfigDocument> Parse(std::string_view text, std::string_view filename);

  /// The bytes DVC (configobj) writes for this document: plain sections (the ones read, in
  /// file order, then those added by edits in DVC's schema order; empty ones left out), then
  /// every remote, machine and db section (empty ones kept). "\n" when there is nothing.
  /// Fails (InvalidArgument) on a value configobj cannot quote (both quote kinds in a list
  /// item or a name, a newline in a name).
  core::Result<std::string> Serialize() const;

  const std::string& filename() const { return filename_; }
  void set_filename(std::string filename) { filename_ = std::move(filename); }

  /// Plain sections (`[core]`, `[cache]`, ...), as read and then as added.
  const std::vector<ConfigSection>& sections() const { return sections_; }
  /// Named sections of one kind, in the order read and then added.
  const std::vector<ConfigSection>& named(NamedKind kind) const {
    return named_[static_cast<int>(kind)];
  }

  const ConfigSection* FindSection(std::string_view name) const;
  ConfigSection* FindSection(std::string_view name);
  /// The plain section `name`, created (empty, line 0) when absent.
  ConfigSection& GetOrAddSection(std::string_view name);
  const ConfigSection* FindNamed(NamedKind kind, std::string_view name) const;
  ConfigSection* FindNamed(NamedKind kind, std::string_view name);
  /// The named section, appended (empty) when absent.
  ConfigSection& GetOrAddNamed(NamedKind kind, std::string_view name);
  /// Removes a named section; false when absent.
  bool EraseNamed(NamedKind kind, std::string_view name);
  /// Renames a named section, moving it to the end (as DVC's dict re-insertion does).
  bool RenameNamed(NamedKind kind, std::string_view from, std::string_view to);

 private:
  std::string filename_;
  std::vector<ConfigSection> sections_;
  std::array<std::vector<ConfigSection>, 3> named_;
};

/// The four levels, in the order they shadow each other (later wins).
enum class ConfigLevel { kSystem = 0, kGlobal = 1, kRepo = 2, kLocal = 3 };
inline constexpr int kConfigLevelCount = 4;
/// "system", "global", "repo", "local".
std::string_view ConfigLevelName(ConfigLevel level);

/// Where the four files are; an empty path means the level does not exist (no repo).
struct ConfigPaths {
  std::array<std::string, kConfigLevelCount> files;
  /// The repository root (for `--show-origin`, which prints repo files relative to it).
  std::string root;

  const std::string& file(ConfigLevel level) const { return files[static_cast<int>(level)]; }
};

/// DVC's locations: system `$DVC_SYSTEM_CONFIG_DIR/config`, else the first of
/// `$XDG_CONFIG_DIRS` (default /etc/xdg) + `/dvc/config`; global `$DVC_GLOBAL_CONFIG_DIR/config`,
/// else `${XDG_CONFIG_HOME:-$HOME/.config}/dvc/config`; repo `<root>/.dvc/config`; local
/// `<root>/.dvc/config.local`. `root` is absolute, or empty outside a repository.
ConfigPaths DefaultConfigPaths(const sys::Env& env, std::string_view root);

/// One line of `config --list`.
struct ConfigListEntry {
  std::string origin;  // the file as `--show-origin` prints it (repo files relative to root)
  std::string name;    // "core.remote", "remote.myremote.url"
  std::string value;   // as DVC prints it: local paths absolute, lists as Python lists
  /// "<name>=<value>", or with `show_origin` "<origin>\t<name>=<value>".
  std::string Format(bool show_origin) const;
};

/// One line of `remote list`.
struct RemoteListEntry {
  std::string name;
  std::string url;  // resolved: a local path is absolute
  bool is_default = false;
};

/// A remote of the merged configuration: url resolved, options merged across levels.
struct RemoteConfig {
  std::string name;
  std::string url;                    // a local path is absolute; `scheme://` as written
  std::vector<ConfigOption> options;  // every option but url, merged across levels
  const ConfigValue* Find(std::string_view key) const;
};

/// A name `config` accepts: "section.option", "remote.NAME.option" or "db.NAME.option"
/// (DVC's NAME_REGEX; section and option are lowercased).
struct ConfigName {
  std::optional<NamedKind> kind;  // kRemote or kDb for the three-part form
  std::string section;            // the plain section, or the remote/db name
  std::string option;
};
core::Result<ConfigName> ParseConfigName(std::string_view name);

/// The keys DVC's schema accepts, for docs and messages: "core: remote, autostage, ...".
std::vector<std::string> KnownConfigKeys();

class Config {
 public:
  struct Options {
    /// Check the merged configuration against DVC's schema (DVC does, except in `config` and
    /// `remote` commands, which load unchecked and check each edit instead).
    bool validate = true;
    /// Absolute; relative paths given to edits are relative to it.
    std::string cwd;
  };

  /// Reads every level whose file exists (a missing file is an empty level).
  static core::Result<Config> Load(sys::Env& env, ConfigPaths paths, Options options);

  const ConfigPaths& paths() const { return paths_; }
  /// The level as read (or as last written by an edit).
  const ConfigDocument& level(ConfigLevel level) const { return levels_[static_cast<int>(level)]; }
  bool has_level(ConfigLevel level) const { return !paths_.file(level).empty(); }

  // --- The merged view (what commands use) ---

  /// The value of `section.key` from the highest level that sets it, or nullptr. Path
  /// options are returned as written; use ResolvedPath for them.
  const ConfigValue* Get(std::string_view section, std::string_view key) const;
  /// A path option resolved against the directory of the file that holds it.
  std::optional<std::string> ResolvedPath(std::string_view section, std::string_view key) const;
  /// `core.remote`, lowercased, or "" when none.
  std::string default_remote() const;
  /// The remote `name` (lowercase), merged across levels. NotFound "remote 'x' doesn't exist."
  core::Result<RemoteConfig> Remote(std::string_view name) const;

  // --- Listings ---

  /// `config --list` for one level (nullopt: every level in order), DVC's order: remotes,
  /// machines, dbs, then plain sections.
  std::vector<ConfigListEntry> List(std::optional<ConfigLevel> level) const;
  /// `remote list`: one level, or nullopt for the merged view.
  std::vector<RemoteListEntry> ListRemotes(std::optional<ConfigLevel> level) const;
  /// `config NAME`: from one level, or from the highest level that has it (nullopt; then
  /// nullopt when no level has it: DVC prints nothing and exits 0). With a level: NotFound
  /// "section 'x' doesn't exist" / "option 'y' doesn't exist in section 'x'".
  core::Result<std::optional<ConfigListEntry>> GetOption(std::optional<ConfigLevel> level,
                                                         std::string_view name) const;
  /// `remote default` without a name; NotFound "No default remote set".
  core::Result<std::string> GetDefaultRemote(std::optional<ConfigLevel> level) const;

  // --- Edits: each one validates, writes the level's file atomically, then updates `this`.
  // A level that would not change is not rewritten. Names of remotes are lowercased. ---

  /// `remote add [-d] [-f] NAME URL`. AlreadyExists "remote 'x' already exists. Use
  /// `-f|--force` to overwrite it." when `name` is in that level and not `force`.
  core::Status AddRemote(ConfigLevel level, std::string_view name, std::string_view url,
                         bool make_default, bool force);
  /// `remote modify [-u] NAME OPTION [VALUE]` (`value` nullopt: unset).
  core::Status ModifyRemote(ConfigLevel level, std::string_view name, std::string_view option,
                            std::optional<std::string_view> value);
  /// `remote remove NAME`: also clears `core.remote` where it names it, in `level` and above.
  core::Status RemoveRemote(ConfigLevel level, std::string_view name);
  /// `remote rename NAME NEW`: also renames `core.remote` references in `level` and above.
  core::Status RenameRemote(ConfigLevel level, std::string_view name, std::string_view new_name);
  /// `remote default NAME` / `remote default --unset` (`name` nullopt).
  core::Status SetDefaultRemote(ConfigLevel level, std::optional<std::string_view> name);
  /// `config NAME VALUE`.
  core::Status SetOption(ConfigLevel level, std::string_view name, std::string_view value);
  /// `config --unset NAME`.
  core::Status UnsetOption(ConfigLevel level, std::string_view name);

 private:
  Config(sys::Env& env, ConfigPaths paths, Options options)
      : env_(&env), paths_(std::move(paths)), options_(std::move(options)) {}

  ConfigDocument& mutable_level(ConfigLevel level) { return levels_[static_cast<int>(level)]; }
  const ConfigDocument& level_ref(ConfigLevel level) const {
    return levels_[static_cast<int>(level)];
  }
  core::Status CheckLevel(ConfigLevel level) const;
  /// Turns relative path options given by the user (relative to cwd) or read from the file
  /// into paths relative to the file's directory, as DVC's _save_paths does.
  void SavePaths(ConfigDocument& doc, ConfigLevel level) const;
  /// Validates the merge of the levels below `level` with `doc`, then writes and keeps it.
  core::Status Commit(ConfigLevel level, ConfigDocument doc);
  /// A value as DVC shows it after loading: path options resolved against the file's dir.
  std::string DisplayValue(ConfigLevel level, std::string_view section_kind, std::string_view key,
                           const ConfigValue& value) const;
  /// The origin `--show-origin` prints for a level.
  std::string Origin(ConfigLevel level) const;

  sys::Env* env_;
  ConfigPaths paths_;
  Options options_;
  std::array<ConfigDocument, kConfigLevelCount> levels_;
};

/// Checks merged levels against DVC's schema: every section and option known, values of the
/// right kind (booleans true/false, integers, choices, cache types), every remote with a
/// `url` of a supported scheme. Errors name the file and line of the offending option.
core::Status ValidateConfig(const std::vector<const ConfigDocument*>& levels);

}  // namespace cairn::data
