//! The `c2cfn` binary: everything lives in the library.

fn main() {
    std::process::exit(c2cfn::run(std::env::args_os()));
}
