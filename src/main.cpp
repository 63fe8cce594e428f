// The lwgw executable: everything lives in lwgw_core.
#include "lwgw/app.hpp"

extern char** environ;

int main(int argc, char** argv) {
  return lwgw::main_entry(argc, argv, environ);
}
