// What every fuzz target shares: a property check that aborts (libFuzzer then saves the input).
#pragma once

#include <cstdio>
#include <cstdlib>

#define LWGW_PROPERTY(cond)                                                               \
  do {                                                                                    \
    if (!(cond)) {                                                                        \
      std::fprintf(stderr, "property violated: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
      std::abort();                                                                       \
    }                                                                                     \
  } while (0)
