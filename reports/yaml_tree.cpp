#include "reports/yaml_tree.hpp"

#include <yaml.h>

#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <vector>

namespace reports {
namespace {

// Nesting bound: the knowledge files nest a few levels; a deeper document is refused
// rather than followed (libyaml itself keeps no such bound).
constexpr std::size_t max_depth = 64;

struct frame {
  YAML::Node node;
  bool mapping = false;
  std::optional<YAML::Node> key;  // a mapping's key waiting for its value
};

std::string tag_of(const unsigned char* tag) { return tag == nullptr ? std::string() : reinterpret_cast<const char*>(tag); }

// The event's node to its parent (a sequence's next item, or a mapping's key then value).
void attach(std::vector<frame>& stack, const YAML::Node& node, std::optional<YAML::Node>& root) {
  if (stack.empty()) {
    if (!root) root = node;
    return;
  }
  frame& parent = stack.back();
  if (!parent.mapping) {
    parent.node.push_back(node);
  } else if (!parent.key) {
    parent.key = node;
  } else {
    // Every pair kept in order, as yaml-cpp's own builder does (no lookup).
    parent.node.force_insert(*parent.key, node);
    parent.key.reset();
  }
}

}  // namespace

std::optional<YAML::Node> read_yaml(std::string_view text, std::string& error) {
  yaml_parser_t parser;
  if (yaml_parser_initialize(&parser) == 0) {
    error = "libyaml: cannot initialise the parser";
    return std::nullopt;
  }
  const std::unique_ptr<yaml_parser_t, void (*)(yaml_parser_t*)> guard(&parser, yaml_parser_delete);
  yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  std::vector<frame> stack;
  std::map<std::string, YAML::Node, std::less<>> anchors;
  std::optional<YAML::Node> root;
  bool done = false;
  while (!done) {
    yaml_event_t event;
    if (yaml_parser_parse(&parser, &event) == 0) {
      error = std::string("libyaml: ") + (parser.problem != nullptr ? parser.problem : "parse error") + " at line " +
              std::to_string(parser.problem_mark.line + 1) + ", column " + std::to_string(parser.problem_mark.column + 1);
      return std::nullopt;
    }
    const std::unique_ptr<yaml_event_t, void (*)(yaml_event_t*)> event_guard(&event, yaml_event_delete);
    const auto remember = [&](const unsigned char* anchor, const YAML::Node& node) {
      if (anchor != nullptr) anchors[reinterpret_cast<const char*>(anchor)] = node;
    };
    switch (event.type) {
      case YAML_STREAM_END_EVENT:
        done = true;
        break;
      case YAML_DOCUMENT_START_EVENT:
        break;
      case YAML_DOCUMENT_END_EVENT:
        done = true;  // the first document, as YAML::LoadFile
        break;
      case YAML_SCALAR_EVENT: {
        const std::string value(reinterpret_cast<const char*>(event.data.scalar.value), event.data.scalar.length);
        const std::string tag = tag_of(event.data.scalar.tag);
        const bool plain = event.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        YAML::Node node;
        if (plain && tag.empty() && YAML::IsNullString(value)) {
          node = YAML::Node(YAML::NodeType::Null);
        } else {
          node = YAML::Node(value);
          node.SetTag(!tag.empty() ? tag : plain ? "?" : "!");
        }
        remember(event.data.scalar.anchor, node);
        attach(stack, node, root);
        break;
      }
      case YAML_SEQUENCE_START_EVENT:
      case YAML_MAPPING_START_EVENT: {
        if (stack.size() >= max_depth) {
          error = "libyaml: nesting deeper than " + std::to_string(max_depth) + " levels";
          return std::nullopt;
        }
        const bool mapping = event.type == YAML_MAPPING_START_EVENT;
        YAML::Node node(mapping ? YAML::NodeType::Map : YAML::NodeType::Sequence);
        const std::string tag = tag_of(mapping ? event.data.mapping_start.tag : event.data.sequence_start.tag);
        node.SetTag(tag.empty() ? "?" : tag);
        remember(mapping ? event.data.mapping_start.anchor : event.data.sequence_start.anchor, node);
        stack.push_back({node, mapping, std::nullopt});
        break;
      }
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT: {
        const YAML::Node node = stack.back().node;
        stack.pop_back();
        attach(stack, node, root);
        break;
      }
      case YAML_ALIAS_EVENT: {
        const auto it = anchors.find(reinterpret_cast<const char*>(event.data.alias.anchor));
        if (it == anchors.end()) {
          error = "libyaml: unknown anchor";
          return std::nullopt;
        }
        attach(stack, it->second, root);
        break;
      }
      default:
        break;
    }
  }
  // An empty stream is a null document, as YAML::Load gives.
  return root ? *root : YAML::Node(YAML::NodeType::Null);
}

std::optional<YAML::Node> read_yaml_file(const std::string& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot open " + path;
    return std::nullopt;
  }
  std::string text;
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  if (size > 0) {
    text.resize(static_cast<std::size_t>(size));
    in.seekg(0);
    in.read(text.data(), size);
    text.resize(static_cast<std::size_t>(in.gcount()));
  }
  return read_yaml(text, error);
}

}  // namespace reports
