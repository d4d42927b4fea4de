// bpfvet: entry point.  The subcommands live in cli/*.cpp.
#include <iostream>
int main() {
  std::cerr << "bpfvet: not built yet\n";
  return 2;
}
