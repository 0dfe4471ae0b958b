//! The `permeate` binary: the command line lives in the library ([`permeate::cli`]).

fn main() -> std::process::ExitCode {
    permeate::cli::main()
}
