// trigger_match: evaluating the filters of one event trigger against an Event, collecting a
// human-readable reason for every rule checked.
#include "workflow/trigger_match.h"

#include <algorithm>
#include <string>
#include <vector>

namespace cairn::workflow {
namespace {

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

std::string PatternsText(const FilterPatterns& f) {
  std::string out;
  for (const PatternList::Entry& e : f.patterns.entries()) {
    out += (out.empty() ? "" : ", ") + e.text;
  }
  return out;
}

std::string ChangedText(const std::vector<std::string>& paths) {
  if (paths.empty()) return "none";
  std::string out;
  const size_t shown = std::min<size_t>(paths.size(), 5);
  for (size_t i = 0; i < shown; ++i) out += (i == 0 ? "" : ", ") + paths[i];
  if (paths.size() > shown) out += ", and " + std::to_string(paths.size() - shown) + " more";
  return out;
}

class Checker {
 public:
  Checker(std::string event, TriggerDecision& d) : event_(std::move(event)), d_(d) {}

  void Pass(const std::string& why) { d_.reasons.push_back(event_ + ": " + why); }
  void Fail(const std::string& why) {
    d_.runs = false;
    d_.reasons.push_back(event_ + ": " + why);
  }

  // `what` is "branch", "base branch" or "tag"; `key` "branches" or "tags".
  void RefFilter(const std::optional<FilterPatterns>& include,
                 const std::optional<FilterPatterns>& ignore, std::string_view what,
                 std::string_view key, const std::string& name) {
    const std::string subject = std::string(what) + " " + Quote(name);
    if (include) {
      PatternMatch m = include->patterns.Match(name);
      if (m.matched) {
        Pass(subject + " matches " + Quote(include->patterns.entries()[m.index].text));
      } else if (m.index >= 0) {
        Fail(subject + " is excluded by " + Quote(include->patterns.entries()[m.index].text));
      } else {
        Fail(subject + " matches none of " + std::string(key) + " (" + PatternsText(*include) +
             ")");
      }
      if (!m.matched) return;
    }
    // GitHub's reader accepts both lists on one event: the name must then pass both.
    if (ignore) {
      PatternMatch m = ignore->patterns.Match(name);
      if (m.matched) {
        Fail(subject + " is ignored by " + std::string(key) + "-ignore pattern " +
             Quote(ignore->patterns.entries()[m.index].text));
      } else {
        Pass(subject + " matches no " + std::string(key) + "-ignore pattern (" +
             PatternsText(*ignore) + ")");
      }
    }
  }

  void PathFilter(const std::optional<FilterPatterns>& include,
                  const std::optional<FilterPatterns>& ignore, const Event& e) {
    if (!include && !ignore) return;
    if (!e.changed_paths_known) {
      Pass("paths filters not evaluated: changed paths " +
           (e.changed_paths_from.empty() ? std::string("unknown") : e.changed_paths_from));
      return;
    }
    const std::vector<std::string>& paths = e.changed_paths;
    if (include) {
      bool matched = false;
      for (const std::string& p : paths) {
        PatternMatch m = include->patterns.Match(p);
        if (m.matched) {
          Pass("changed path " + Quote(p) + " matches paths pattern " +
               Quote(include->patterns.entries()[m.index].text) + " (changes from " +
               e.changed_paths_from + ")");
          matched = true;
          break;
        }
      }
      if (!matched) {
        Fail("no changed path matches paths (" + PatternsText(*include) +
             ") (changed: " + ChangedText(paths) + "; from " + e.changed_paths_from + ")");
        return;
      }
    }
    // With both lists (GitHub's reader accepts them), some path must also escape paths-ignore.
    if (!ignore) return;
    for (const std::string& p : paths) {
      if (!ignore->patterns.Match(p).matched) {
        Pass("changed path " + Quote(p) + " is not ignored by paths-ignore (" +
             PatternsText(*ignore) + ")");
        return;
      }
    }
    Fail("every changed path is ignored by paths-ignore (" + PatternsText(*ignore) +
         ") (changed: " + ChangedText(paths) + "; from " + e.changed_paths_from + ")");
  }

 private:
  std::string event_;
  TriggerDecision& d_;
};

void MatchPush(const PushTrigger& push, const Event& e, Checker& c) {
  const bool has_branch_filter = push.branches || push.branches_ignore;
  const bool has_tag_filter = push.tags || push.tags_ignore;
  const std::string name = e.RefName();
  if (e.IsTag()) {
    if (has_tag_filter) {
      c.RefFilter(push.tags, push.tags_ignore, "tag", "tags", name);
    } else if (has_branch_filter) {
      c.Fail("tag " + Quote(name) + " does not trigger: only branch filters are given");
    } else {
      c.Pass("tag " + Quote(name) + ": no branch or tag filter");
    }
    if (push.paths || push.paths_ignore) c.Pass("paths filters are not evaluated for tag pushes");
    return;
  }
  if (has_branch_filter) {
    c.RefFilter(push.branches, push.branches_ignore, "branch", "branches", name);
  } else if (has_tag_filter) {
    c.Fail("branch " + Quote(name) + " does not trigger: only tag filters are given");
  } else {
    c.Pass("branch " + Quote(name) + ": no branch or tag filter");
  }
  c.PathFilter(push.paths, push.paths_ignore, e);
}

void MatchPullRequest(const PullRequestTrigger& pr, const Event& e, Checker& c) {
  const std::vector<std::string> types = pr.EffectiveTypes();
  std::string list;
  for (const std::string& t : types) list += (list.empty() ? "" : ", ") + t;
  const std::string action = e.action.empty() ? "synchronize" : e.action;
  if (std::find(types.begin(), types.end(), action) != types.end()) {
    c.Pass("activity " + Quote(action) + " is in types (" + list + ")" +
           (pr.types.empty() ? " (the default)" : ""));
  } else {
    c.Fail("activity " + Quote(action) + " is not in types (" + list + ")" +
           (pr.types.empty() ? " (the default)" : ""));
  }
  if (pr.branches || pr.branches_ignore) {
    c.RefFilter(pr.branches, pr.branches_ignore, "base branch", "branches", e.base_ref);
  }
  c.PathFilter(pr.paths, pr.paths_ignore, e);
}

}  // namespace

TriggerDecision Match(const Triggers& triggers, const Event& event) {
  TriggerDecision d;
  const EventTrigger* t = triggers.Find(event.name);
  if (t == nullptr) {
    std::string names;
    for (const EventTrigger& e : triggers.events) names += (names.empty() ? "" : ", ") + e.name;
    d.reasons.push_back(event.name + ": not among the workflow's triggers (on: " + names + ")");
    return d;
  }
  d.runs = true;
  Checker c(event.name, d);
  if (t->push) {
    MatchPush(*t->push, event, c);
  } else if (t->pull_request) {
    MatchPullRequest(*t->pull_request, event, c);
  } else if (event.name == "schedule") {
    c.Pass("the workflow has a schedule (" + std::to_string(t->schedule.size()) + " cron entr" +
           (t->schedule.size() == 1 ? "y" : "ies") + ")");
  } else {
    // Other events: `types` when both the trigger and the event say something.
    const core::Value* types = t->config.Find("types");
    if (types != nullptr && !event.action.empty()) {
      bool found = false;
      std::string list;
      auto consider = [&](const core::Value& v) {
        if (!v.is_string()) return;
        list += (list.empty() ? "" : ", ") + v.AsString();
        if (v.AsString() == event.action) found = true;
      };
      if (types->is_sequence()) {
        for (const core::Value& v : types->items()) consider(v);
      } else {
        consider(*types);
      }
      if (found) {
        c.Pass("activity " + Quote(event.action) + " is in types (" + list + ")");
      } else {
        c.Fail("activity " + Quote(event.action) + " is not in types (" + list + ")");
      }
    } else {
      c.Pass("triggers when present");
    }
  }
  return d;
}

}  // namespace cairn::workflow
