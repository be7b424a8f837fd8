#pragma once
// reports/yaml_tree: a YAML file read into yaml-cpp's node tree by libyaml's parser.
//
// Why: yaml-cpp's own parser spent about 1,000 instructions per byte of the knowledge
// files (105M of a one-file `probe bounce`); libyaml reads the same bytes in a fraction of
// that, and the tree it builds here is yaml-cpp's (YAML::Node), so the loaders read it as
// before. What it promises: for a document libyaml accepts, the same structure as
// YAML::LoadFile: mappings in their order with every pair kept (duplicates too),
// sequences, scalars with their text, plain "~", "null", "Null", "NULL" and empty values
// as null nodes, anchors and aliases shared. Nodes carry no source position, so a caller
// that needs yaml-cpp's own messages (a syntax error, a bad conversion with its line)
// reads the file again with YAML::LoadFile (load_knowledge does, on any failure).
// Errors are values: nullopt and `error` set (libyaml's problem, line and column).
// Input bounded by the caller (the knowledge files); one document (the first) is read.
// Thread-safety: none needed (no shared state).

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <string_view>

namespace reports {

std::optional<YAML::Node> read_yaml(std::string_view text, std::string& error);
std::optional<YAML::Node> read_yaml_file(const std::string& path, std::string& error);

}  // namespace reports
