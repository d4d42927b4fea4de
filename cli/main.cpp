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
