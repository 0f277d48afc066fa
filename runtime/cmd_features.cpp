#include <cstdio>

#include <oci/parse.hpp>

#include "command.hpp"
#include "features_doc.hpp"

namespace nucleus::cli {

namespace {

Result<int> features(Context&) {
  const std::string json = oci::to_json(nucleus_features()) + '\n';  // 4-space indent
  std::fwrite(json.data(), 1, json.size(), stdout);
  return 0;
}

}  // namespace

const Command cmd_features = {
    .name = "features",
    .summary = "show the enabled features",
    .usage = "",
    .description =
        "The features command prints the features nucleus implements as a JSON\n"
        "document (runtime-spec features.md): OCI versions, hooks, mount options,\n"
        "namespaces, capabilities, cgroup drivers, seccomp and LSM support.",
    .min_args = 0,
    .max_args = 0,
    .takes_id = false,
    .run = features,
};

}  // namespace nucleus::cli
