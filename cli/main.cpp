// bpfvet: entry point.  Subcommands live in cli/*_cmd.cpp and register through commands.h.
#include <exception>
#include <iostream>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"bpfvet: an offline eBPF verifier and JIT simulator"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string(BPFVET_VERSION));
  int status = 0;
  bpfvet::cli::add_verify_commands(app, status);
  bpfvet::cli::add_run_commands(app, status);
  bpfvet::cli::add_tool_commands(app, status);
  // CLI11 would only say that a subcommand is required; name the unknown word instead.
  if (argc > 1 && argv[1][0] != '-') {
    std::string names;
    bool known = false;
    for (const auto* sub : app.get_subcommands({})) {
      known |= sub->check_name(argv[1]);
      names += (names.empty() ? "" : ", ") + sub->get_name();
    }
    if (!known) {
      std::cerr << "bpfvet: unknown command '" << argv[1] << "' (commands: " << names << ")\n";
      return 2;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "bpfvet: " << e.what() << " (see bpfvet --help)\n";
    return 2;
  } catch (const bpfvet::cli::InputError& e) {
    std::cerr << "bpfvet: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "bpfvet: internal error: " << e.what() << "\n";
    return 2;
  }
  return status;
}
