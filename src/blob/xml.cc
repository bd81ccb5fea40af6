#include "blob/xml.h"

#include "core/strings.h"

namespace cairn::blob::xml {
namespace {

enum class TagKind { kStart, kEnd, kEmpty, kOther };

struct Tag {
  TagKind kind = TagKind::kOther;
  std::string_view name;  // qualified name of a start, end or empty tag
  size_t begin = 0;       // of '<'
  size_t end = 0;         // just past '>'
};

bool IsNameEnd(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '/' || c == '>';
}

std::string_view LocalName(std::string_view qname) {
  size_t colon = qname.rfind(':');
  return colon == std::string_view::npos ? qname : qname.substr(colon + 1);
}

// The next markup at or after `pos`, or nullopt at the end (or on truncated markup).
std::optional<Tag> NextTag(std::string_view xml, size_t pos) {
  size_t lt = xml.find('<', pos);
  if (lt == std::string_view::npos) return std::nullopt;
  Tag tag;
  tag.begin = lt;
  std::string_view rest = xml.substr(lt);
  auto skip_to = [&](std::string_view terminator) -> std::optional<Tag> {
    size_t at = xml.find(terminator, lt);
    if (at == std::string_view::npos) return std::nullopt;
    tag.end = at + terminator.size();
    return tag;
  };
  if (rest.starts_with("<?")) return skip_to("?>");
  if (rest.starts_with("<!--")) return skip_to("-->");
  if (rest.starts_with("<![CDATA[")) return skip_to("]]>");
  if (rest.starts_with("<!")) return skip_to(">");
  size_t name_begin = lt + (rest.starts_with("</") ? 2 : 1);
  size_t name_end = name_begin;
  while (name_end < xml.size() && !IsNameEnd(xml[name_end])) ++name_end;
  tag.name = xml.substr(name_begin, name_end - name_begin);
  // Find the closing '>', skipping quoted attribute values.
  char quote = 0;
  size_t i = name_end;
  for (; i < xml.size(); ++i) {
    char c = xml[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '>') {
      break;
    }
  }
  if (i >= xml.size()) return std::nullopt;
  tag.end = i + 1;
  if (rest.starts_with("</")) {
    tag.kind = TagKind::kEnd;
  } else if (xml[i - 1] == '/') {
    tag.kind = TagKind::kEmpty;
  } else {
    tag.kind = TagKind::kStart;
  }
  return tag;
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Decodes the references in character data (no markup inside).
void AppendDecoded(std::string& out, std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    if (text[i] != '&') {
      out += text[i++];
      continue;
    }
    size_t semi = text.find(';', i);
    if (semi == std::string_view::npos || semi - i > 12) {
      out += text[i++];
      continue;
    }
    std::string_view ref = text.substr(i + 1, semi - i - 1);
    bool known = true;
    if (ref == "lt") {
      out += '<';
    } else if (ref == "gt") {
      out += '>';
    } else if (ref == "amp") {
      out += '&';
    } else if (ref == "quot") {
      out += '"';
    } else if (ref == "apos") {
      out += '\'';
    } else if (ref.size() > 1 && ref[0] == '#') {
      bool hex = ref[1] == 'x' || ref[1] == 'X';
      std::string_view digits = ref.substr(hex ? 2 : 1);
      uint32_t cp = 0;
      bool valid = !digits.empty();
      for (char c : digits) {
        int v = -1;
        if (c >= '0' && c <= '9') v = c - '0';
        if (hex && c >= 'a' && c <= 'f') v = c - 'a' + 10;
        if (hex && c >= 'A' && c <= 'F') v = c - 'A' + 10;
        if (v < 0 || cp > 0x10FFFF) {
          valid = false;
          break;
        }
        cp = cp * (hex ? 16 : 10) + static_cast<uint32_t>(v);
      }
      valid = valid && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
      if (valid) {
        AppendUtf8(out, cp);
      } else {
        known = false;
      }
    } else {
      known = false;
    }
    if (known) {
      i = semi + 1;
    } else {
      out += text[i++];
    }
  }
}

}  // namespace

std::vector<std::string_view> Elements(std::string_view xml, std::string_view name) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (std::optional<Tag> tag = NextTag(xml, pos)) {
    pos = tag->end;
    if (LocalName(tag->name) != name) continue;
    if (tag->kind == TagKind::kEmpty) {
      out.emplace_back();
      continue;
    }
    if (tag->kind != TagKind::kStart) continue;
    // Find the matching end tag, counting nested elements of the same name.
    size_t content_begin = tag->end;
    int depth = 1;
    std::optional<Tag> inner;
    while ((inner = NextTag(xml, pos))) {
      pos = inner->end;
      if (inner->name != tag->name) continue;
      if (inner->kind == TagKind::kStart) ++depth;
      if (inner->kind == TagKind::kEnd && --depth == 0) break;
    }
    if (!inner) break;  // unterminated: ignore it
    out.push_back(xml.substr(content_begin, inner->begin - content_begin));
  }
  return out;
}

std::optional<std::string> Text(std::string_view xml, std::string_view name) {
  std::vector<std::string_view> found = Elements(xml, name);
  if (found.empty()) return std::nullopt;
  return DecodeText(found.front());
}

std::string DecodeText(std::string_view content) {
  std::string out;
  size_t pos = 0;
  while (pos < content.size()) {
    std::optional<Tag> tag = NextTag(content, pos);
    size_t text_end = tag ? tag->begin : content.size();
    AppendDecoded(out, content.substr(pos, text_end - pos));
    if (!tag) break;
    std::string_view markup = content.substr(tag->begin, tag->end - tag->begin);
    if (markup.starts_with("<![CDATA[")) {
      out += markup.substr(9, markup.size() - 12);
    }
    pos = tag->end;
  }
  return out;
}

std::string Escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace cairn::blob::xml
