//! The `kubesim` command-line tool (see `kubesim --help`).

fn main() {
    std::process::exit(kubesim::cli::main());
}
