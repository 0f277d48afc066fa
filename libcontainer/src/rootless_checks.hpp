// What runc refuses of a config when the runtime is not root (its
// validate.rootlessEUID and setupUser checks), with its words, checked before
// anything is created: the container needs a user namespace with both maps,
// mount options may name only mapped ids, and no additional groups are set.
#pragma once

#include "nucleus/rootless.hpp"

// Declared in nucleus/rootless.hpp.
